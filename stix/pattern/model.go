package pattern

import (
	"strings"
	"sync"
)

// This file holds the STIX 2.1 cyber-observable object model that Check
// resolves object paths against: the 18 SCO types of STIX 2.1 §6, their
// properties, the predefined extensions and the nested types they use.
//
// Each property is written in a small notation:
//
//	name            a scalar (string, integer, boolean, timestamp, hex, ...)
//	name[]          a list of scalars
//	name{}          a dictionary with free keys (hashes, header fields, ...)
//	name>t1|t2      a reference to an object of type t1 or t2
//	name>*          a reference whose target type the spec does not fix
//	name[]>t1|t2    a list of references
//	name:nested     an embedded object of a nested type
//	name[]:nested   a list of embedded objects

// The tables below are read-only; buildModel turns them into objDefs.

// commonSCOProperties are the common properties a cyber-observable object
// may carry (STIX 2.1 §3.2). extensions is handled separately.
var commonSCOProperties = []string{
	"type", "id", "spec_version", "defanged",
	"object_marking_refs[]>*",
	"granular_markings[]:granular-marking",
}

// nestedTypes are the embedded types used by SCO properties.
var nestedTypes = map[string][]string{
	"granular-marking":           {"lang", "marking_ref>*", "selectors[]"},
	"mime-part-type":             {"body", "body_raw_ref>artifact|file", "content_type", "content_disposition"},
	"alternate-data-stream-type": {"name", "hashes{}", "size"},
	"windows-pe-optional-header-type": {
		"magic_hex", "major_linker_version", "minor_linker_version", "size_of_code",
		"size_of_initialized_data", "size_of_uninitialized_data", "address_of_entry_point",
		"base_of_code", "base_of_data", "image_base", "section_alignment", "file_alignment",
		"major_os_version", "minor_os_version", "major_image_version", "minor_image_version",
		"major_subsystem_version", "minor_subsystem_version", "win32_version_value_hex",
		"size_of_image", "size_of_headers", "checksum_hex", "subsystem_hex",
		"dll_characteristics_hex", "size_of_stack_reserve", "size_of_stack_commit",
		"size_of_heap_reserve", "size_of_heap_commit", "loader_flags_hex",
		"number_of_rva_and_sizes", "hashes{}",
	},
	"windows-pe-section-type":     {"name", "size", "entropy", "hashes{}"},
	"windows-registry-value-type": {"name", "data", "data_type"},
	"x509-v3-extensions-type": {
		"basic_constraints", "name_constraints", "policy_constraints", "key_usage",
		"extended_key_usage", "subject_key_identifier", "authority_key_identifier",
		"subject_alternative_name", "issuer_alternative_name", "subject_directory_attributes",
		"crl_distribution_points", "inhibit_any_policy", "private_key_usage_period_not_before",
		"private_key_usage_period_not_after", "certificate_policies", "policy_mappings",
	},
}

// scoTypes lists every STIX 2.1 cyber-observable object type with its
// specific properties and predefined extensions (STIX 2.1 §6).
var scoTypes = map[string]struct {
	props []string
	exts  map[string][]string
}{
	"artifact": {props: []string{
		"mime_type", "payload_bin", "url", "hashes{}", "encryption_algorithm", "decryption_key",
	}},
	"autonomous-system": {props: []string{"number", "name", "rir"}},
	"directory": {props: []string{
		"path", "path_enc", "ctime", "mtime", "atime", "contains_refs[]>file|directory",
	}},
	"domain-name": {props: []string{"value", "resolves_to_refs[]>ipv4-addr|ipv6-addr|domain-name"}},
	"email-addr":  {props: []string{"value", "display_name", "belongs_to_ref>user-account"}},
	"email-message": {props: []string{
		"is_multipart", "date", "content_type", "from_ref>email-addr", "sender_ref>email-addr",
		"to_refs[]>email-addr", "cc_refs[]>email-addr", "bcc_refs[]>email-addr", "message_id",
		"subject", "received_lines[]", "additional_header_fields{}", "body",
		"body_multipart[]:mime-part-type", "raw_email_ref>artifact",
	}},
	"file": {
		props: []string{
			"hashes{}", "size", "name", "name_enc", "magic_number_hex", "mime_type", "ctime",
			"mtime", "atime", "parent_directory_ref>directory", "contains_refs[]>*",
			"content_ref>artifact",
		},
		exts: map[string][]string{
			"archive-ext":      {"contains_refs[]>file|directory", "comment"},
			"ntfs-ext":         {"sid", "alternate_data_streams[]:alternate-data-stream-type"},
			"pdf-ext":          {"version", "is_optimized", "document_info_dict{}", "pdfid0", "pdfid1"},
			"raster-image-ext": {"image_height", "image_width", "bits_per_pixel", "exif_tags{}"},
			"windows-pebinary-ext": {
				"pe_type", "imphash", "machine_hex", "number_of_sections", "time_date_stamp",
				"pointer_to_symbol_table_hex", "number_of_symbols", "size_of_optional_header",
				"characteristics_hex", "file_header_hashes{}",
				"optional_header:windows-pe-optional-header-type",
				"sections[]:windows-pe-section-type",
			},
		},
	},
	"ipv4-addr": {props: []string{
		"value", "resolves_to_refs[]>mac-addr", "belongs_to_refs[]>autonomous-system",
	}},
	"ipv6-addr": {props: []string{
		"value", "resolves_to_refs[]>mac-addr", "belongs_to_refs[]>autonomous-system",
	}},
	"mac-addr": {props: []string{"value"}},
	"mutex":    {props: []string{"name"}},
	"network-traffic": {
		props: []string{
			"start", "end", "is_active",
			"src_ref>ipv4-addr|ipv6-addr|mac-addr|domain-name",
			"dst_ref>ipv4-addr|ipv6-addr|mac-addr|domain-name",
			"src_port", "dst_port", "protocols[]", "src_byte_count", "dst_byte_count",
			"src_packets", "dst_packets", "ipfix{}", "src_payload_ref>artifact",
			"dst_payload_ref>artifact", "encapsulates_refs[]>network-traffic",
			"encapsulated_by_ref>network-traffic",
		},
		exts: map[string][]string{
			"http-request-ext": {
				"request_method", "request_value", "request_version", "request_header{}",
				"message_body_length", "message_body_data_ref>artifact",
			},
			"icmp-ext": {"icmp_type_hex", "icmp_code_hex"},
			"socket-ext": {
				"address_family", "is_blocking", "is_listening", "options{}", "socket_type",
				"socket_descriptor", "socket_handle",
			},
			"tcp-ext": {"src_flags_hex", "dst_flags_hex"},
		},
	},
	"process": {
		props: []string{
			"is_hidden", "pid", "created_time", "cwd", "command_line", "environment_variables{}",
			"opened_connection_refs[]>network-traffic", "creator_user_ref>user-account",
			"image_ref>file", "parent_ref>process", "child_refs[]>process",
		},
		exts: map[string][]string{
			"windows-process-ext": {
				"aslr_enabled", "dep_enabled", "priority", "owner_sid", "window_title",
				"startup_info{}", "integrity_level",
			},
			"windows-service-ext": {
				"service_name", "descriptions[]", "display_name", "group_name", "start_type",
				"service_dll_refs[]>file", "service_type", "service_status",
			},
		},
	},
	"software": {props: []string{"name", "cpe", "swid", "languages[]", "vendor", "version"}},
	"url":      {props: []string{"value"}},
	"user-account": {
		props: []string{
			"user_id", "credential", "account_login", "account_type", "display_name",
			"is_service_account", "is_privileged", "can_escalate_privs", "is_disabled",
			"account_created", "account_expires", "credential_last_changed",
			"account_first_login", "account_last_login",
		},
		exts: map[string][]string{
			"unix-account-ext": {"gid", "groups[]", "home_dir", "shell"},
		},
	},
	"windows-registry-key": {props: []string{
		"key", "values[]:windows-registry-value-type", "modified_time",
		"creator_user_ref>user-account", "number_of_subkeys",
	}},
	"x509-certificate": {props: []string{
		"is_self_signed", "hashes{}", "version", "serial_number", "signature_algorithm",
		"issuer", "validity_not_before", "validity_not_after", "subject",
		"subject_public_key_algorithm", "subject_public_key_modulus",
		"subject_public_key_exponent", "x509_v3_extensions:x509-v3-extensions-type",
	}},
}

// propKind is what a property holds, as far as paths are concerned.
type propKind uint8

const (
	propScalar     propKind = iota // no sub-properties
	propDict                       // free keys, values unchecked
	propObject                     // an embedded object of type obj
	propRef                        // a reference to one of refs (any type if nil)
	propExtensions                 // the extensions dictionary of an SCO
)

// propDef describes one property.
type propDef struct {
	kind propKind
	list bool
	obj  *objDef  // for propObject
	refs []string // for propRef; nil means the target type is not fixed
	exts *objDef  // for propExtensions: the owner, whose exts apply
	name string   // the property name, for messages
}

// objDef describes an SCO type, an extension or a nested type.
type objDef struct {
	name  string // "file", "file windows-pebinary-ext", "windows-pe-section-type"
	props map[string]*propDef
	exts  map[string]*objDef // predefined extensions of an SCO type
}

// objectModel is the resolved model; see model.
type objectModel struct {
	types map[string]*objDef
}

// model returns the object model, built once on first use and read-only
// afterwards.
var model = sync.OnceValue(buildModel)

func buildModel() *objectModel {
	m := &objectModel{types: make(map[string]*objDef, len(scoTypes))}
	nested := make(map[string]*objDef, len(nestedTypes))
	for name := range nestedTypes {
		nested[name] = &objDef{name: name}
	}
	for name, props := range nestedTypes {
		addProps(nested[name], props, nested)
	}
	for name, spec := range scoTypes {
		d := &objDef{name: name}
		addProps(d, commonSCOProperties, nested)
		addProps(d, spec.props, nested)
		d.props["extensions"] = &propDef{kind: propExtensions, exts: d, name: "extensions"}
		if len(spec.exts) > 0 {
			d.exts = make(map[string]*objDef, len(spec.exts))
			for ext, props := range spec.exts {
				e := &objDef{name: name + " " + ext}
				addProps(e, props, nested)
				d.exts[ext] = e
			}
		}
		m.types[name] = d
	}
	return m
}

// addProps parses the property notation described at the top of this file.
func addProps(d *objDef, specs []string, nested map[string]*objDef) {
	if d.props == nil {
		d.props = make(map[string]*propDef, len(specs)+8)
	}
	for _, s := range specs {
		p := &propDef{}
		name, rest := s, ""
		if i := strings.IndexAny(s, "[{>:"); i >= 0 {
			name, rest = s[:i], s[i:]
		}
		if r, ok := strings.CutPrefix(rest, "[]"); ok {
			p.list, rest = true, r
		}
		switch {
		case rest == "{}":
			p.kind = propDict
		case strings.HasPrefix(rest, ">"):
			p.kind = propRef
			if rest != ">*" {
				p.refs = strings.Split(rest[1:], "|")
			}
		case strings.HasPrefix(rest, ":"):
			p.kind, p.obj = propObject, nested[rest[1:]]
			if p.obj == nil {
				panic("pattern: model: unknown nested type in " + s)
			}
		case rest != "":
			panic("pattern: model: bad property notation " + s)
		}
		p.name = name
		d.props[name] = p
	}
}
