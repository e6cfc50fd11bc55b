package stix

// This file holds the reference-type table of STIX 2.1: for every embedded
// relationship (a property whose name ends in _ref or _refs, STIX 2.1 §3.1)
// the object types it may point to, as fixed by the property tables and the
// "Embedded Relationships" tables of the specification (OASIS STIX 2.1 with
// Errata 01, sections 3.2 to 7.2). The table is code (switch statements on
// constants), not package-level variables, so it cannot be changed at run
// time and looking a property up allocates nothing.

// typeSet is a set of the object types STIX 2.1 defines, one bit per type.
// Custom object types have no bit.
type typeSet uint64

// The STIX 2.1 object types, grouped as the specification groups them.
const (
	// STIX Domain Objects (§4).
	tAttackPattern typeSet = 1 << iota
	tCampaign
	tCourseOfAction
	tGrouping
	tIdentity
	tIncident
	tIndicator
	tInfrastructure
	tIntrusionSet
	tLocation
	tMalware
	tMalwareAnalysis
	tNote
	tObservedData
	tOpinion
	tReport
	tThreatActor
	tTool
	tVulnerability
	// STIX Relationship Objects (§5).
	tRelationship
	tSighting
	// STIX Cyber-observable Objects (§6).
	tArtifact
	tAutonomousSystem
	tDirectory
	tDomainName
	tEmailAddr
	tEmailMessage
	tFile
	tIPv4Addr
	tIPv6Addr
	tMACAddr
	tMutex
	tNetworkTraffic
	tProcess
	tSoftware
	tURL
	tUserAccount
	tWindowsRegistryKey
	tX509Certificate
	// STIX Meta Objects (§7).
	tLanguageContent
	tMarkingDefinition
	tExtensionDefinition
	// The bundle (§8), which is not a STIX Object.
	tBundle
)

// Classes of object types.
const (
	sdoTypes        = tVulnerability<<1 - 1
	sroTypes        = tRelationship | tSighting
	scoTypes        = (tX509Certificate<<1 - 1) &^ (sdoTypes | sroTypes)
	smoTypes        = tLanguageContent | tMarkingDefinition | tExtensionDefinition
	stixObjectTypes = sdoTypes | sroTypes | scoTypes | smoTypes
)

// knownType returns the bit of a STIX 2.1 object type name, or 0 for a name
// the specification does not define (a custom type, or not a type at all).
func knownType(name string) typeSet {
	switch name {
	case "attack-pattern":
		return tAttackPattern
	case "campaign":
		return tCampaign
	case "course-of-action":
		return tCourseOfAction
	case "grouping":
		return tGrouping
	case "identity":
		return tIdentity
	case "incident":
		return tIncident
	case "indicator":
		return tIndicator
	case "infrastructure":
		return tInfrastructure
	case "intrusion-set":
		return tIntrusionSet
	case "location":
		return tLocation
	case "malware":
		return tMalware
	case "malware-analysis":
		return tMalwareAnalysis
	case "note":
		return tNote
	case "observed-data":
		return tObservedData
	case "opinion":
		return tOpinion
	case "report":
		return tReport
	case "threat-actor":
		return tThreatActor
	case "tool":
		return tTool
	case "vulnerability":
		return tVulnerability
	case "relationship":
		return tRelationship
	case "sighting":
		return tSighting
	case "artifact":
		return tArtifact
	case "autonomous-system":
		return tAutonomousSystem
	case "directory":
		return tDirectory
	case "domain-name":
		return tDomainName
	case "email-addr":
		return tEmailAddr
	case "email-message":
		return tEmailMessage
	case "file":
		return tFile
	case "ipv4-addr":
		return tIPv4Addr
	case "ipv6-addr":
		return tIPv6Addr
	case "mac-addr":
		return tMACAddr
	case "mutex":
		return tMutex
	case "network-traffic":
		return tNetworkTraffic
	case "process":
		return tProcess
	case "software":
		return tSoftware
	case "url":
		return tURL
	case "user-account":
		return tUserAccount
	case "windows-registry-key":
		return tWindowsRegistryKey
	case "x509-certificate":
		return tX509Certificate
	case "language-content":
		return tLanguageContent
	case "marking-definition":
		return tMarkingDefinition
	case "extension-definition":
		return tExtensionDefinition
	case "bundle":
		return tBundle
	}
	return 0
}

// refTarget says what an embedded relationship may point to.
type refTarget struct {
	types typeSet // the STIX-defined types it may point to
	// custom reports whether it may also point to a type STIX does not
	// define. That is so when the specification names a class of objects
	// ("an SDO", "any STIX Object"): a custom object type may belong to it,
	// and its class cannot be told from its name.
	custom bool
	what   string // the allowed targets in words, for messages
}

func refOnly(types typeSet, what string) refTarget { return refTarget{types: types, what: what} }

func refClass(types typeSet, what string) refTarget {
	return refTarget{types: types, custom: true, what: what}
}

// Owners that are not object types: the granular-marking type (§7.2.3.1)
// and the email MIME component type (§6.6.2). Predefined extensions are
// owned by their extension name, e.g. "archive-ext".
const (
	ownerGranularMarking = "granular-marking"
	ownerMIMEPart        = "email-mime-part"
)

// refRule returns the targets allowed for the reference property prop of
// owner: an object type when top is true (prop is a top-level property of
// the object), otherwise the name of a predefined extension or embedded
// type. It reports false when the specification does not restrict the
// property (custom properties, custom objects and extensions), in which
// case the value only has to be an identifier.
//
// The 53 rows below are the complete list of the embedded relationships of
// STIX 2.1 with Errata 01.
func refRule(owner string, top bool, prop string) (refTarget, bool) {
	switch prop {
	// Common properties (§3.2). SCOs, marking definitions and extension
	// definitions use the same two.
	case "created_by_ref":
		return refOnly(tIdentity, "an identity"), top
	case "object_marking_refs":
		return refOnly(tMarkingDefinition, "a marking-definition"), top
	case "marking_ref": // §7.2.3.1
		return refOnly(tMarkingDefinition, "a marking-definition"), owner == ownerGranularMarking

	// SDOs (§4).
	case "object_refs":
		switch owner {
		case "grouping", "note", "opinion", "report": // §4.4, §4.13, §4.15, §4.16
			return refClass(stixObjectTypes, "a STIX Object (not a bundle)"), top
		case "observed-data": // §4.14
			return refClass(scoTypes|sroTypes, "an SCO or SRO"), top
		}
	case "operating_system_refs": // §4.11
		return refOnly(tSoftware, "a software object"), top && owner == "malware"
	case "sample_refs": // §4.11
		return refOnly(tFile|tArtifact, "a file or artifact"), top && owner == "malware"
	case "host_vm_ref", "operating_system_ref", "installed_software_refs": // §4.12
		return refOnly(tSoftware, "a software object"), top && owner == "malware-analysis"
	case "analysis_sco_refs": // §4.12: "the STIX Cyber-observable Objects that were captured"
		return refClass(scoTypes, "an SCO"), top && owner == "malware-analysis"
	case "sample_ref": // §4.12
		return refOnly(tFile|tNetworkTraffic|tArtifact, "a file, network-traffic or artifact"), top && owner == "malware-analysis"

	// SROs (§5).
	case "source_ref", "target_ref": // §5.1: "cannot point to an SRO, Bundle, Language Content, or Marking Definition"
		return refClass(sdoTypes|scoTypes, "an SDO or SCO"), top && owner == "relationship"
	case "sighting_of_ref": // §5.2: "MUST reference only an SDO"
		return refClass(sdoTypes, "an SDO"), top && owner == "sighting"
	case "observed_data_refs": // §5.2
		return refOnly(tObservedData, "an observed-data"), top && owner == "sighting"
	case "where_sighted_refs": // §5.2: "MUST reference only Identity or Location SDOs"
		return refOnly(tIdentity|tLocation, "an identity or location"), top && owner == "sighting"

	// SCOs (§6) and their predefined extensions.
	case "contains_refs":
		switch {
		case top && owner == "directory", !top && owner == "archive-ext": // §6.3, §6.7.2
			return refOnly(tFile|tDirectory, "a file or directory"), true
		case top && owner == "file": // §6.7: "other Cyber-observable Objects contained within the file"
			return refClass(scoTypes, "an SCO"), true
		}
	case "resolves_to_refs":
		switch owner {
		case "domain-name": // §6.4
			return refOnly(tIPv4Addr|tIPv6Addr|tDomainName, "an ipv4-addr, ipv6-addr or domain-name"), top
		case "ipv4-addr", "ipv6-addr": // §6.8, §6.9
			return refOnly(tMACAddr, "a mac-addr"), top
		}
	case "belongs_to_refs": // §6.8, §6.9
		return refOnly(tAutonomousSystem, "an autonomous-system"), top && (owner == "ipv4-addr" || owner == "ipv6-addr")
	case "belongs_to_ref": // §6.5
		return refOnly(tUserAccount, "a user-account"), top && owner == "email-addr"
	case "from_ref", "sender_ref", "to_refs", "cc_refs", "bcc_refs": // §6.6
		return refOnly(tEmailAddr, "an email-addr"), top && owner == "email-message"
	case "raw_email_ref": // §6.6
		return refOnly(tArtifact, "an artifact"), top && owner == "email-message"
	case "body_raw_ref": // §6.6.2
		return refOnly(tArtifact|tFile, "an artifact or file"), owner == ownerMIMEPart
	case "parent_directory_ref": // §6.7
		return refOnly(tDirectory, "a directory"), top && owner == "file"
	case "content_ref": // §6.7
		return refOnly(tArtifact, "an artifact"), top && owner == "file"
	case "src_ref", "dst_ref": // §6.12
		return refOnly(tIPv4Addr|tIPv6Addr|tMACAddr|tDomainName, "an ipv4-addr, ipv6-addr, mac-addr or domain-name"), top && owner == "network-traffic"
	case "src_payload_ref", "dst_payload_ref": // §6.12
		return refOnly(tArtifact, "an artifact"), top && owner == "network-traffic"
	case "encapsulates_refs", "encapsulated_by_ref": // §6.12
		return refOnly(tNetworkTraffic, "a network-traffic"), top && owner == "network-traffic"
	case "message_body_data_ref": // §6.12.2
		return refOnly(tArtifact, "an artifact"), !top && owner == "http-request-ext"
	case "opened_connection_refs": // §6.13
		return refOnly(tNetworkTraffic, "a network-traffic"), top && owner == "process"
	case "creator_user_ref": // §6.13, §6.17
		return refOnly(tUserAccount, "a user-account"), top && (owner == "process" || owner == "windows-registry-key")
	case "image_ref": // §6.13
		return refOnly(tFile, "a file"), top && owner == "process"
	case "parent_ref", "child_refs": // §6.13
		return refOnly(tProcess, "a process"), top && owner == "process"
	case "service_dll_refs": // §6.13.3
		return refOnly(tFile, "a file"), !top && owner == "windows-service-ext"

	// Meta objects (§7).
	case "object_ref": // §7.1: "MUST be the identifier for a STIX Object"
		return refClass(stixObjectTypes, "a STIX Object (not a bundle)"), top && owner == "language-content"
	}
	return refTarget{}, false
}

// idContributing returns the ID Contributing Properties of an SCO type
// (§6, one table per SCO), separated by spaces, and reports whether typ is
// an SCO type. A process has none ("please use a UUIDv4").
func idContributing(typ string) (props string, ok bool) {
	switch typ {
	case "artifact":
		return "hashes payload_bin", true
	case "autonomous-system":
		return "number", true
	case "directory":
		return "path", true
	case "domain-name", "email-addr", "ipv4-addr", "ipv6-addr", "mac-addr", "url":
		return "value", true
	case "email-message":
		return "from_ref subject body", true
	case "file":
		return "hashes name extensions parent_directory_ref", true
	case "mutex":
		return "name", true
	case "network-traffic":
		return "start end src_ref dst_ref src_port dst_port protocols extensions", true
	case "process":
		return "", true
	case "software":
		return "name cpe swid vendor version", true
	case "user-account":
		return "account_type user_id account_login", true
	case "windows-registry-key":
		return "key values", true
	case "x509-certificate":
		return "hashes serial_number", true
	}
	return "", false
}
