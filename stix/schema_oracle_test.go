package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The differential test: the project's schemas against the OASIS schemas of
// ../shared/stix2-json-schemas/schemas (an independent oracle, compiled here
// and nowhere else) on a corpus of valid objects of every type and
// mutations of them. Every disagreement is either fixed in the project's
// schemas or listed in oracleKnown with the reason.

// oracleIDPrefix is the base of the $id of every OASIS schema.
const oracleIDPrefix = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/"

// oracleCompile compiles the OASIS schema of every object type, serving the
// files of dir at their $id URLs. Their formats (uri, idn-hostname, email)
// are asserted: the specification requires those values to conform to the
// RFCs the formats stand for.
func oracleCompile(t *testing.T, dir string) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		name, ok := strings.CutPrefix(u, oracleIDPrefix)
		if !ok {
			return nil, fmt.Errorf("not an OASIS schema: %s", u)
		}
		return os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	}
	out := map[string]*jsonschema.Schema{}
	for typ := range schemaRichObjects {
		var file string
		for _, sub := range []string{"sdos", "sros", "observables", "common"} {
			if _, err := os.Stat(filepath.Join(dir, "schemas", sub, typ+".json")); err == nil {
				file = "schemas/" + sub + "/" + typ + ".json"
				break
			}
		}
		if file == "" {
			t.Fatalf("no OASIS schema for %s", typ)
		}
		sch, err := c.Compile(oracleIDPrefix + file)
		if err != nil {
			t.Fatalf("compiling OASIS %s: %v", file, err)
		}
		out[typ] = sch
	}
	return out
}

// schemaRichCommon is the block of common properties the rich SDO and SRO
// instances below share: a reference to the creator, labels, confidence,
// language, an external reference with hashes, object and granular
// markings, and a property extension.
const schemaRichCommon = `		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-05-12T08:17:27.123Z",
		"revoked": false,
		"labels": ["liaison-test", "rich"],
		"confidence": 85,
		"lang": "en",
		"external_references": [
			{
				"source_name": "veris",
				"description": "VCDB entry",
				"url": "https://github.com/vz-risk/VCDB/blob/master/data/json/0001AA7F.json",
				"hashes": {
					"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"
				},
				"external_id": "0001AA7F"
			}
		],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["labels.[1]"]
			}
		],
		"extensions": {
			"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {
				"extension_type": "property-extension",
				"rank": 5,
				"toxicity": 8
			}
		},
`

// schemaRichObjects holds one rich valid instance of every STIX 2.1 object type, written
// for the tests from the property tables of the specification: most
// optional properties, every predefined extension.
var schemaRichObjects = map[string]string{
	"artifact": `{
		"type": "artifact",
		"spec_version": "2.1",
		"id": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"mime_type": "application/zip",
		"payload_bin": "UEsDBBQAAAAIAA==",
		"hashes": {"MD5": "a92e5b2bae0b4b3a3d81c85610b95cd4"},
		"encryption_algorithm": "mime-type-indicated",
		"decryption_key": "My voice is my passport"
	}`,
	"attack-pattern": `{
		"type": "attack-pattern",
		"spec_version": "2.1",
		"id": "attack-pattern--71411ea2-f9cc-45f1-af43-66bdcde99a64",
		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-05-12T08:17:27.123Z",
		"revoked": false,
		"labels": ["liaison-test", "rich"],
		"confidence": 85,
		"lang": "en",
		"external_references": [
			{
				"source_name": "capec",
				"external_id": "CAPEC-163",
				"url": "https://capec.mitre.org/data/definitions/163.html"
			}
		],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["labels.[1]"]
			}
		],
		"extensions": {
			"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {
				"extension_type": "property-extension",
				"rank": 5,
				"toxicity": 8
			}
		},
		"name": "Spear Phishing",
		"description": "...",
		"aliases": ["Phishing"],
		"kill_chain_phases": [
			{
				"kill_chain_name": "lockheed-martin-cyber-kill-chain",
				"phase_name": "reconnaissance"
			}
		]
	}`,
	"autonomous-system": `{
		"type": "autonomous-system",
		"spec_version": "2.1",
		"id": "autonomous-system--86cb258a-b6c7-48c8-959b-49572c293975",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"number": 15139,
		"name": "Slime Industries",
		"rir": "ARIN"
	}`,
	"campaign": `{
		"type": "campaign",
		"spec_version": "2.1",
		"id": "campaign--fbcffdbc-fab2-438a-afbf-fae9ddb28a15",
` + schemaRichCommon + `		"name": "Green Group Attacks Against Finance",
		"description": "Campaign",
		"aliases": ["GG"],
		"first_seen": "2016-01-01T00:00:00Z",
		"last_seen": "2016-02-01T00:00:00Z",
		"objective": "steal money"
	}`,
	"course-of-action": `{
		"type": "course-of-action",
		"spec_version": "2.1",
		"id": "course-of-action--45799d83-0793-44cc-bf38-019c9435a64d",
` + schemaRichCommon + `		"name": "Add TCP port 80 Filter Rule",
		"description": "This is how to add a filter rule"
	}`,
	"directory": `{
		"type": "directory",
		"spec_version": "2.1",
		"id": "directory--49e876a9-4865-4b01-b11b-42f589d80cff",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"path": "C:\\Windows\\System32",
		"path_enc": "windows-1252",
		"ctime": "2016-01-01T00:00:00Z",
		"mtime": "2016-01-01T00:00:00Z",
		"atime": "2016-01-01T00:00:00Z",
		"contains_refs": [
			"file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959",
			"directory--0d169cce-8db9-4b24-b2e2-72cf1d8d5e72"
		]
	}`,
	"domain-name": `{
		"type": "domain-name",
		"spec_version": "2.1",
		"id": "domain-name--a1547bc2-696d-4704-ba40-c40aec86566e",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "example.com",
		"resolves_to_refs": [
			"ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43",
			"ipv6-addr--e74de92d-ff28-4a98-a012-8f27644091f7",
			"domain-name--067bc78b-3201-4b76-b0e0-32aa37d49069"
		]
	}`,
	"email-addr": `{
		"type": "email-addr",
		"spec_version": "2.1",
		"id": "email-addr--7fa2e4dc-64c1-418d-b9d2-b5de29acd33f",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "john@example.com",
		"display_name": "John Doe",
		"belongs_to_ref": "user-account--fb4b884d-5597-4625-952a-4254ea89ca25"
	}`,
	"email-message": `{
		"type": "email-message",
		"spec_version": "2.1",
		"id": "email-message--db076700-1819-4c16-8e78-64f7907ba878",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"is_multipart": true,
		"date": "2016-06-19T14:20:40.000Z",
		"content_type": "multipart/mixed",
		"from_ref": "email-addr--7fa2e4dc-64c1-418d-b9d2-b5de29acd33f",
		"sender_ref": "email-addr--7fa2e4dc-64c1-418d-b9d2-b5de29acd33f",
		"to_refs": ["email-addr--da075450-267a-487a-b341-9933ab44733f"],
		"cc_refs": ["email-addr--20d5e627-8ff9-49e0-b160-cbef25881adc"],
		"bcc_refs": ["email-addr--4e6a9101-f2fa-4d1e-b97a-f36945847ecb"],
		"message_id": "<1234@example.com>",
		"subject": "Check out this picture of a cat!",
		"received_lines": ["from mail.example.com ([198.51.100.3])"],
		"additional_header_fields": {"Reply-To": ["steve@example.com", "jane@example.com"]},
		"body_multipart": [
			{
				"content_type": "text/plain; charset=utf-8",
				"content_disposition": "inline",
				"body": "Cats are funny!"
			},
			{
				"content_type": "image/png",
				"content_disposition": "attachment; filename=\"tabby.png\"",
				"body_raw_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9"
			}
		],
		"raw_email_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9"
	}`,
	"extension-definition": `{
		"type": "extension-definition",
		"spec_version": "2.1",
		"id": "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-05-12T08:17:27.123Z",
		"revoked": false,
		"labels": ["liaison-test", "rich"],
		"external_references": [
			{
				"source_name": "veris",
				"description": "VCDB entry",
				"url": "https://github.com/vz-risk/VCDB/blob/master/data/json/0001AA7F.json",
				"hashes": {
					"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"
				},
				"external_id": "0001AA7F"
			}
		],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["labels.[1]"]
			}
		],
		"name": "Extension Foo 1",
		"description": "This schema adds two properties",
		"schema": "https://www.example.com/schema-foo-1/v1/",
		"version": "1.2.1",
		"extension_types": ["property-extension", "toplevel-property-extension"],
		"extension_properties": ["toxicity", "rank"]
	}`,
	"file": `{
		"type": "file",
		"spec_version": "2.1",
		"id": "file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"hashes": {
			"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b",
			"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"
		},
		"size": 25536,
		"name": "foo.dll",
		"name_enc": "windows-1252",
		"magic_number_hex": "504b0304",
		"mime_type": "application/zip",
		"ctime": "2016-01-01T00:00:00Z",
		"mtime": "2016-01-01T00:00:00Z",
		"atime": "2016-01-01T00:00:00Z",
		"parent_directory_ref": "directory--49e876a9-4865-4b01-b11b-42f589d80cff",
		"contains_refs": ["ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43"],
		"content_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9",
		"extensions": {
			"archive-ext": {
				"contains_refs": ["file--a6045c00-4f35-4432-aba4-bc0c414beeb6"],
				"comment": "zip"
			},
			"ntfs-ext": {
				"sid": "1234567",
				"alternate_data_streams": [
					{
						"name": "second.stream",
						"size": 25536,
						"hashes": {"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"}
					}
				]
			},
			"pdf-ext": {
				"version": "1.7",
				"is_optimized": false,
				"document_info_dict": {"Title": "Sample document"},
				"pdfid0": "DFCE52BD827ECF765649852119D",
				"pdfid1": "57A1E0F9ED2AE523E313C"
			},
			"raster-image-ext": {
				"image_height": 768,
				"image_width": 1024,
				"bits_per_pixel": 72,
				"exif_tags": {"Make": "Nikon", "XResolution": 4928}
			},
			"windows-pebinary-ext": {
				"pe_type": "exe",
				"imphash": "1c1a6e3d2f4a",
				"machine_hex": "014c",
				"number_of_sections": 4,
				"time_date_stamp": "2016-01-22T12:31:12Z",
				"pointer_to_symbol_table_hex": "74726144",
				"number_of_symbols": 4542568,
				"size_of_optional_header": 224,
				"characteristics_hex": "818f",
				"file_header_hashes": {"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"},
				"optional_header": {
					"magic_hex": "010b",
					"major_linker_version": 2,
					"minor_linker_version": 25,
					"size_of_code": 512,
					"size_of_initialized_data": 283648,
					"size_of_uninitialized_data": 0,
					"address_of_entry_point": 4096,
					"base_of_code": 4096,
					"base_of_data": 8192,
					"image_base": 14548992,
					"section_alignment": 4096,
					"file_alignment": 4096,
					"major_os_version": 1,
					"minor_os_version": 0,
					"major_image_version": 0,
					"minor_image_version": 0,
					"major_subsystem_version": 4,
					"minor_subsystem_version": 0,
					"win32_version_value_hex": "00",
					"size_of_image": 299008,
					"size_of_headers": 4096,
					"checksum_hex": "00",
					"subsystem_hex": "03",
					"dll_characteristics_hex": "00",
					"size_of_stack_reserve": 100000,
					"size_of_stack_commit": 8192,
					"size_of_heap_reserve": 100000,
					"size_of_heap_commit": 4096,
					"loader_flags_hex": "abdbffde",
					"number_of_rva_and_sizes": 3758087646,
					"hashes": {"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"}
				},
				"sections": [
					{
						"name": "CODE",
						"entropy": 0.061089,
						"size": 512,
						"hashes": {"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"}
					}
				]
			}
		}
	}`,
	"grouping": `{
		"type": "grouping",
		"spec_version": "2.1",
		"id": "grouping--ada180be-63cd-4f4e-ac74-f2f0472352e3",
` + schemaRichCommon + `		"name": "The Black Vine Cyberespionage Group",
		"description": "A simple collection",
		"context": "suspicious-activity",
		"object_refs": [
			"indicator--bcd64eaa-e211-4c1f-b149-615798381a94",
			"campaign--fbcffdbc-fab2-438a-afbf-fae9ddb28a15",
			"file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959"
		]
	}`,
	"identity": `{
		"type": "identity",
		"spec_version": "2.1",
		"id": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
` + schemaRichCommon + `		"name": "ACME Widget, Inc.",
		"description": "A company",
		"roles": ["CEO"],
		"identity_class": "organization",
		"sectors": ["technology", "financial-services"],
		"contact_information": "cti@acme.example"
	}`,
	"incident": `{
		"type": "incident",
		"spec_version": "2.1",
		"id": "incident--0da336ab-10d8-47eb-aa66-17fa3e6eea24",
` + schemaRichCommon + `		"name": "Incident 43",
		"description": "This incident addresses APT 28 ..."
	}`,
	"indicator": `{
		"type": "indicator",
		"spec_version": "2.1",
		"id": "indicator--bcd64eaa-e211-4c1f-b149-615798381a94",
` + schemaRichCommon + `		"name": "Poison Ivy Malware",
		"description": "This file is part of Poison Ivy",
		"indicator_types": ["malicious-activity"],
		"pattern": "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
		"pattern_type": "stix",
		"pattern_version": "2.1",
		"valid_from": "2016-01-01T00:00:00Z",
		"valid_until": "2017-01-01T00:00:00Z",
		"kill_chain_phases": [
			{
				"kill_chain_name": "lockheed-martin-cyber-kill-chain",
				"phase_name": "reconnaissance"
			}
		]
	}`,
	"infrastructure": `{
		"type": "infrastructure",
		"spec_version": "2.1",
		"id": "infrastructure--f4fcdd46-6c62-47e0-88f3-1d75ca6785b6",
` + schemaRichCommon + `		"name": "Poison Ivy C2",
		"description": "C2",
		"infrastructure_types": ["command-and-control"],
		"aliases": ["PI C2"],
		"kill_chain_phases": [
			{
				"kill_chain_name": "lockheed-martin-cyber-kill-chain",
				"phase_name": "reconnaissance"
			}
		],
		"first_seen": "2016-01-01T00:00:00Z",
		"last_seen": "2016-02-01T00:00:00Z"
	}`,
	"intrusion-set": `{
		"type": "intrusion-set",
		"spec_version": "2.1",
		"id": "intrusion-set--55e9e72c-643d-4008-831d-b7ba30c25828",
` + schemaRichCommon + `		"name": "Bobcat Breakin",
		"description": "Incidents",
		"aliases": ["Zookeeper"],
		"first_seen": "2016-01-01T00:00:00Z",
		"last_seen": "2016-02-01T00:00:00Z",
		"goals": ["acquisition-theft", "harassment"],
		"resource_level": "organization",
		"primary_motivation": "organizational-gain",
		"secondary_motivations": ["personal-gain"]
	}`,
	"ipv4-addr": `{
		"type": "ipv4-addr",
		"spec_version": "2.1",
		"id": "ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "198.51.100.3",
		"resolves_to_refs": ["mac-addr--10d839b1-7bb9-4096-acd3-65311afb9c4c"],
		"belongs_to_refs": ["autonomous-system--86cb258a-b6c7-48c8-959b-49572c293975"]
	}`,
	"ipv6-addr": `{
		"type": "ipv6-addr",
		"spec_version": "2.1",
		"id": "ipv6-addr--e74de92d-ff28-4a98-a012-8f27644091f7",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
		"resolves_to_refs": ["mac-addr--10d839b1-7bb9-4096-acd3-65311afb9c4c"],
		"belongs_to_refs": ["autonomous-system--86cb258a-b6c7-48c8-959b-49572c293975"]
	}`,
	"language-content": `{
		"type": "language-content",
		"spec_version": "2.1",
		"id": "language-content--bb0973f8-30b6-4a34-a892-2bcde98dfb55",
		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-05-12T08:17:27.123Z",
		"revoked": false,
		"labels": ["liaison-test", "rich"],
		"confidence": 85,
		"external_references": [
			{
				"source_name": "veris",
				"description": "VCDB entry",
				"url": "https://github.com/vz-risk/VCDB/blob/master/data/json/0001AA7F.json",
				"hashes": {
					"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"
				},
				"external_id": "0001AA7F"
			}
		],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["labels.[1]"]
			}
		],
		"extensions": {
			"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {
				"extension_type": "property-extension",
				"rank": 5,
				"toxicity": 8
			}
		},
		"object_ref": "campaign--fbcffdbc-fab2-438a-afbf-fae9ddb28a15",
		"object_modified": "2016-05-12T08:17:27.123Z",
		"contents": {
			"de": {"name": "Bank Angriff", "description": "Weitere Informationen"},
			"fr": {"name": "Attaque Bank", "aliases": ["", "x"]}
		}
	}`,
	"location": `{
		"type": "location",
		"spec_version": "2.1",
		"id": "location--ed337f46-2021-424f-adf8-2022ac97d6bb",
` + schemaRichCommon + `		"name": "Paris",
		"description": "The city",
		"latitude": 48.8566,
		"longitude": 2.3522,
		"precision": 1000.0,
		"region": "western-europe",
		"country": "fr",
		"administrative_area": "FR-75",
		"city": "Paris",
		"street_address": "1 Rue de Rivoli",
		"postal_code": "75001"
	}`,
	"mac-addr": `{
		"type": "mac-addr",
		"spec_version": "2.1",
		"id": "mac-addr--10d839b1-7bb9-4096-acd3-65311afb9c4c",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "d2:fb:49:24:37:18"
	}`,
	"malware": `{
		"type": "malware",
		"spec_version": "2.1",
		"id": "malware--fbccd804-c021-406d-a583-02917670b1a4",
` + schemaRichCommon + `		"name": "Cryptolocker",
		"description": "A variant",
		"malware_types": ["ransomware"],
		"is_family": false,
		"aliases": ["CL"],
		"kill_chain_phases": [
			{
				"kill_chain_name": "lockheed-martin-cyber-kill-chain",
				"phase_name": "reconnaissance"
			}
		],
		"first_seen": "2016-01-01T00:00:00Z",
		"last_seen": "2016-02-01T00:00:00Z",
		"operating_system_refs": ["software--63be344d-c1d3-4fd8-b636-b661dd37a153"],
		"architecture_execution_envs": ["x86"],
		"implementation_languages": ["c++"],
		"capabilities": ["evades-av"],
		"sample_refs": [
			"file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959",
			"artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9"
		]
	}`,
	"malware-analysis": `{
		"type": "malware-analysis",
		"spec_version": "2.1",
		"id": "malware-analysis--e07d8317-7095-4682-a1bf-ca047df44438",
` + schemaRichCommon + `		"product": "microsoft",
		"version": "5.1.0",
		"host_vm_ref": "software--63be344d-c1d3-4fd8-b636-b661dd37a153",
		"operating_system_ref": "software--63be344d-c1d3-4fd8-b636-b661dd37a153",
		"installed_software_refs": ["software--63be344d-c1d3-4fd8-b636-b661dd37a153"],
		"configuration_version": "full",
		"modules": ["dridex"],
		"analysis_engine_version": "5.1.0",
		"analysis_definition_version": "053514-0062",
		"submitted": "2012-02-11T08:36:14Z",
		"analysis_started": "2012-02-11T08:36:14Z",
		"analysis_ended": "2012-02-11T08:38:14Z",
		"result_name": "Trojan.Foo",
		"result": "malicious",
		"analysis_sco_refs": [
			"file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959",
			"url--c2c4a8e1-bf42-4026-91d1-aabad1962945"
		],
		"sample_ref": "file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959"
	}`,
	"marking-definition": `{
		"type": "marking-definition",
		"spec_version": "2.1",
		"id": "marking-definition--b8ce1cdb-35d9-4eeb-af5b-fd2f5ce10262",
		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"external_references": [{"source_name": "acme", "url": "https://acme.example/terms"}],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["definition.statement"]
			}
		],
		"name": "Copyright ACME",
		"definition_type": "statement",
		"definition": {"statement": "Copyright 2019, Example Corp"},
		"extensions": {
			"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {
				"extension_type": "property-extension",
				"rank": 1
			}
		}
	}`,
	"mutex": `{
		"type": "mutex",
		"spec_version": "2.1",
		"id": "mutex--8e7d47be-b600-4422-b21c-6e4d2db15580",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"name": "__CLEANSWEEP__"
	}`,
	"network-traffic": `{
		"type": "network-traffic",
		"spec_version": "2.1",
		"id": "network-traffic--f1064d7d-0358-4e1d-9a77-bbcbdeb8cda2",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"start": "2016-01-01T00:00:00Z",
		"end": "2016-01-01T00:01:00Z",
		"is_active": false,
		"src_ref": "ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43",
		"dst_ref": "domain-name--a1547bc2-696d-4704-ba40-c40aec86566e",
		"src_port": 2487,
		"dst_port": 80,
		"protocols": ["ipv4", "tcp", "http"],
		"src_byte_count": 35779,
		"dst_byte_count": 935750,
		"src_packets": 10,
		"dst_packets": 20,
		"ipfix": {"minimumIpTotalLength": 32, "maximumIpTotalLength": "2556"},
		"src_payload_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9",
		"dst_payload_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9",
		"encapsulates_refs": ["network-traffic--bb0973f8-30b6-4a34-a892-2bcde98dfb55"],
		"encapsulated_by_ref": "network-traffic--b8ce1cdb-35d9-4eeb-af5b-fd2f5ce10262",
		"extensions": {
			"http-request-ext": {
				"request_method": "get",
				"request_value": "/download.html",
				"request_version": "http/1.1",
				"request_header": {"Host": ["www.example.com"]},
				"message_body_length": 0,
				"message_body_data_ref": "artifact--c33f651e-96bd-46e9-9f32-920ea9a917b9"
			},
			"icmp-ext": {"icmp_type_hex": "08", "icmp_code_hex": "00"},
			"socket-ext": {
				"address_family": "AF_INET",
				"is_blocking": false,
				"is_listening": true,
				"options": {"SO_RCVTIMEO": 100},
				"socket_type": "SOCK_STREAM",
				"socket_descriptor": 3,
				"socket_handle": 42
			},
			"tcp-ext": {"src_flags_hex": "00000002", "dst_flags_hex": "00000012"}
		}
	}`,
	"note": `{
		"type": "note",
		"spec_version": "2.1",
		"id": "note--d22a17e3-7b0c-47bb-b65b-bc5daa7197c1",
` + schemaRichCommon + `		"abstract": "Tracking Team Note#1",
		"content": "This note indicates the various steps taken",
		"authors": ["John Doe"],
		"object_refs": ["campaign--fbcffdbc-fab2-438a-afbf-fae9ddb28a15"]
	}`,
	"observed-data": `{
		"type": "observed-data",
		"spec_version": "2.1",
		"id": "observed-data--71256d33-3606-48f8-b2c9-0d84da1a50e4",
` + schemaRichCommon + `		"first_observed": "2015-12-21T19:00:00Z",
		"last_observed": "2015-12-21T19:00:00Z",
		"number_observed": 50,
		"object_refs": [
			"ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43",
			"domain-name--a1547bc2-696d-4704-ba40-c40aec86566e"
		]
	}`,
	"opinion": `{
		"type": "opinion",
		"spec_version": "2.1",
		"id": "opinion--ecfb4317-7c96-42a7-8fb1-1a4c640c6ee7",
` + schemaRichCommon + `		"explanation": "This doesn't seem feasible",
		"authors": ["Jane"],
		"opinion": "strongly-disagree",
		"object_refs": ["relationship--503b78df-d4ab-4319-bce0-201413c23afb"]
	}`,
	"process": `{
		"type": "process",
		"spec_version": "2.1",
		"id": "process--45799d83-0793-44cc-bf38-019c9435a64d",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"is_hidden": false,
		"pid": 1221,
		"created_time": "2016-01-20T14:11:25.55Z",
		"cwd": "/tmp",
		"command_line": "./gedit-bin --new-window",
		"environment_variables": {"HOME": "/home/jdoe"},
		"opened_connection_refs": ["network-traffic--f1064d7d-0358-4e1d-9a77-bbcbdeb8cda2"],
		"creator_user_ref": "user-account--fb4b884d-5597-4625-952a-4254ea89ca25",
		"image_ref": "file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959",
		"parent_ref": "process--ada180be-63cd-4f4e-ac74-f2f0472352e3",
		"child_refs": ["process--0da336ab-10d8-47eb-aa66-17fa3e6eea24"],
		"extensions": {
			"windows-process-ext": {
				"aslr_enabled": true,
				"dep_enabled": true,
				"priority": "HIGH_PRIORITY_CLASS",
				"owner_sid": "S-1-5-21-186985262-1144665072-74031268-1309",
				"windows_title": "w",
				"startup_info": {"lpDesktop": "WinSta0"},
				"integrity_level": "high"
			},
			"windows-service-ext": {
				"service_name": "sirvizio",
				"descriptions": ["a service"],
				"display_name": "Sirvizio",
				"group_name": "g",
				"start_type": "SERVICE_AUTO_START",
				"service_dll_refs": ["file--5aecf8c3-b3f8-4f2f-ba96-694eabc3c959"],
				"service_type": "SERVICE_WIN32_OWN_PROCESS",
				"service_status": "SERVICE_RUNNING"
			}
		}
	}`,
	"relationship": `{
		"type": "relationship",
		"spec_version": "2.1",
		"id": "relationship--503b78df-d4ab-4319-bce0-201413c23afb",
` + schemaRichCommon + `		"relationship_type": "indicates",
		"description": "rel",
		"source_ref": "indicator--bcd64eaa-e211-4c1f-b149-615798381a94",
		"target_ref": "malware--fbccd804-c021-406d-a583-02917670b1a4",
		"start_time": "2016-01-01T00:00:00Z",
		"stop_time": "2016-02-01T00:00:00Z"
	}`,
	"report": `{
		"type": "report",
		"spec_version": "2.1",
		"id": "report--99a982a7-fb4c-4644-873c-c094adb51582",
` + schemaRichCommon + `		"name": "The Black Vine Cyberespionage Group",
		"description": "A simple report",
		"report_types": ["campaign"],
		"published": "2016-01-20T17:00:00.000Z",
		"object_refs": [
			"indicator--bcd64eaa-e211-4c1f-b149-615798381a94",
			"campaign--fbcffdbc-fab2-438a-afbf-fae9ddb28a15"
		]
	}`,
	"sighting": `{
		"type": "sighting",
		"spec_version": "2.1",
		"id": "sighting--5d4243a6-4bda-4fd0-aaaa-596f1c6ed496",
` + schemaRichCommon + `		"description": "seen",
		"first_seen": "2015-12-21T19:00:00Z",
		"last_seen": "2015-12-21T19:00:00Z",
		"count": 50,
		"sighting_of_ref": "indicator--bcd64eaa-e211-4c1f-b149-615798381a94",
		"observed_data_refs": ["observed-data--71256d33-3606-48f8-b2c9-0d84da1a50e4"],
		"where_sighted_refs": [
			"identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
			"location--ed337f46-2021-424f-adf8-2022ac97d6bb"
		],
		"summary": false
	}`,
	"software": `{
		"type": "software",
		"spec_version": "2.1",
		"id": "software--63be344d-c1d3-4fd8-b636-b661dd37a153",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"name": "Word",
		"cpe": "cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*",
		"swid": "com.microsoft.word",
		"languages": ["en", "pt-BR"],
		"vendor": "Microsoft",
		"version": "2002"
	}`,
	"threat-actor": `{
		"type": "threat-actor",
		"spec_version": "2.1",
		"id": "threat-actor--cc148d95-446a-4096-ad9f-5123c9084b60",
` + schemaRichCommon + `		"name": "Evil Org",
		"description": "The Evil Org threat actor group",
		"threat_actor_types": ["crime-syndicate"],
		"aliases": ["Syndicate 1"],
		"first_seen": "2016-01-01T00:00:00Z",
		"last_seen": "2016-02-01T00:00:00Z",
		"roles": ["director"],
		"goals": ["Steal bank money"],
		"sophistication": "advanced",
		"resource_level": "team",
		"primary_motivation": "organizational-gain",
		"secondary_motivations": ["dominance"],
		"personal_motivations": ["personal-gain"]
	}`,
	"tool": `{
		"type": "tool",
		"spec_version": "2.1",
		"id": "tool--b4e14a4f-7e22-4360-902d-45edae23143e",
` + schemaRichCommon + `		"name": "VNC",
		"description": "Remote desktop",
		"tool_types": ["remote-access"],
		"aliases": ["RFB"],
		"kill_chain_phases": [
			{
				"kill_chain_name": "lockheed-martin-cyber-kill-chain",
				"phase_name": "reconnaissance"
			}
		],
		"tool_version": "6.1"
	}`,
	"url": `{
		"type": "url",
		"spec_version": "2.1",
		"id": "url--c2c4a8e1-bf42-4026-91d1-aabad1962945",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"value": "https://example.com/research/index.html"
	}`,
	"user-account": `{
		"type": "user-account",
		"spec_version": "2.1",
		"id": "user-account--fb4b884d-5597-4625-952a-4254ea89ca25",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"user_id": "1001",
		"credential": "password",
		"account_login": "jdoe",
		"account_type": "unix",
		"display_name": "John Doe",
		"is_service_account": false,
		"is_privileged": false,
		"can_escalate_privs": true,
		"is_disabled": false,
		"account_created": "2016-01-20T12:31:12Z",
		"account_expires": "2018-01-20T12:31:12Z",
		"credential_last_changed": "2016-01-20T14:27:43Z",
		"account_first_login": "2016-01-20T14:26:07Z",
		"account_last_login": "2016-07-22T16:08:28Z",
		"extensions": {
			"unix-account-ext": {
				"gid": 1001,
				"groups": ["wheel"],
				"home_dir": "/home/jdoe",
				"shell": "/bin/bash"
			}
		}
	}`,
	"vulnerability": `{
		"type": "vulnerability",
		"spec_version": "2.1",
		"id": "vulnerability--688c4584-926b-40f4-9c5d-94db19c44ed2",
		"created_by_ref": "identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-05-12T08:17:27.123Z",
		"revoked": false,
		"labels": ["liaison-test", "rich"],
		"confidence": 85,
		"lang": "en",
		"external_references": [{"source_name": "cve", "external_id": "CVE-2016-1234"}],
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["labels.[1]"]
			}
		],
		"extensions": {
			"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": {
				"extension_type": "property-extension",
				"rank": 5,
				"toxicity": 8
			}
		},
		"name": "CVE-2016-1234",
		"description": "A flaw"
	}`,
	"windows-registry-key": `{
		"type": "windows-registry-key",
		"spec_version": "2.1",
		"id": "windows-registry-key--067bc78b-3201-4b76-b0e0-32aa37d49069",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"key": "HKEY_LOCAL_MACHINE\\System\\Foo\\Bar",
		"values": [{"name": "Foo", "data": "qwerty", "data_type": "REG_SZ"}],
		"modified_time": "2016-01-20T12:31:12Z",
		"creator_user_ref": "user-account--fb4b884d-5597-4625-952a-4254ea89ca25",
		"number_of_subkeys": 2
	}`,
	"x509-certificate": `{
		"type": "x509-certificate",
		"spec_version": "2.1",
		"id": "x509-certificate--0d169cce-8db9-4b24-b2e2-72cf1d8d5e72",
		"object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
		"granular_markings": [
			{
				"marking_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
				"selectors": ["id"]
			}
		],
		"defanged": false,
		"is_self_signed": false,
		"hashes": {"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"},
		"version": "3",
		"serial_number": "36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06",
		"signature_algorithm": "md5WithRSAEncryption",
		"issuer": "C=ZA, O=Thawte Consulting cc, CN=Thawte Server CA",
		"validity_not_before": "2016-03-12T12:00:00Z",
		"validity_not_after": "2016-08-21T12:00:00Z",
		"subject": "C=US, O=Brent Baccala, CN=www.freesoft.org",
		"subject_public_key_algorithm": "rsaEncryption",
		"subject_public_key_modulus": "d4:6b",
		"subject_public_key_exponent": 65537,
		"x509_v3_extensions": {
			"basic_constraints": "critical,CA:TRUE, pathlen:0",
			"name_constraints": "permitted;IP:192.168.0.0/255.255.0.0",
			"policy_constraints": "requireExplicitPolicy:3",
			"key_usage": "critical, keyCertSign",
			"extended_key_usage": "critical,codeSigning,1.2.3.4",
			"subject_key_identifier": "hash",
			"authority_key_identifier": "keyid,issuer",
			"subject_alternative_name": "email:my@other.address,RID:1.2.3.4",
			"issuer_alternative_name": "issuer:copy",
			"subject_directory_attributes": "nationality",
			"crl_distribution_points": "URI:http://myhost.com/myca.crl",
			"inhibit_any_policy": "2",
			"private_key_usage_period_not_before": "2016-03-12T12:00:00Z",
			"private_key_usage_period_not_after": "2018-03-12T12:00:00Z",
			"certificate_policies": "1.2.4.5, 1.1.3.4",
			"policy_mappings": "1.2.3.4:1.2.3.5"
		}
	}`,
}

// schemaMoreObjects are further valid instances: minimal ones, the other
// branches of either-or rules, the fixed TLP markings.
var schemaMoreObjects = map[string]string{
	"artifact-url": `{
		"type": "artifact",
		"id": "artifact--bcd64eaa-e211-4c1f-b149-615798381a94",
		"url": "https://example.com/sample.zip",
		"hashes": {"SHA-256": "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"}
	}`,
	"email-simple": `{
		"type": "email-message",
		"spec_version": "2.1",
		"id": "email-message--0da336ab-10d8-47eb-aa66-17fa3e6eea24",
		"is_multipart": false,
		"from_ref": "email-addr--7fa2e4dc-64c1-418d-b9d2-b5de29acd33f",
		"to_refs": ["email-addr--da075450-267a-487a-b341-9933ab44733f"],
		"subject": "Saying Hello",
		"body": "Hello"
	}`,
	"file-name-only": `{"type": "file", "id": "file--55e9e72c-643d-4008-831d-b7ba30c25828", "name": "qwerty.dll"}`,
	"grouping-minimal": `{
		"type": "grouping",
		"spec_version": "2.1",
		"id": "grouping--fbcffdbc-fab2-438a-afbf-fae9ddb28a15",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"context": "unspecified",
		"object_refs": ["indicator--bcd64eaa-e211-4c1f-b149-615798381a94"]
	}`,
	"indicator-minimal": `{
		"type": "indicator",
		"spec_version": "2.1",
		"id": "indicator--503b78df-d4ab-4319-bce0-201413c23afb",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"pattern": "[ipv4-addr:value = '198.51.100.1']",
		"pattern_type": "stix",
		"valid_from": "2016-01-01T00:00:00Z"
	}`,
	"language-content-minimal": `{
		"type": "language-content",
		"spec_version": "2.1",
		"id": "language-content--b4e14a4f-7e22-4360-902d-45edae23143e",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"object_ref": "threat-actor--cc148d95-446a-4096-ad9f-5123c9084b60",
		"contents": {"de": {"goals": ["Bankgeld stehlen"]}}
	}`,
	"location-region": `{
		"type": "location",
		"spec_version": "2.1",
		"id": "location--ada180be-63cd-4f4e-ac74-f2f0472352e3",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"region": "northern-america"
	}`,
	"malware-analysis-result": `{
		"type": "malware-analysis",
		"spec_version": "2.1",
		"id": "malware-analysis--71256d33-3606-48f8-b2c9-0d84da1a50e4",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"product": "anonymized",
		"result": "benign"
	}`,
	"malware-family-minimal": `{
		"type": "malware",
		"spec_version": "2.1",
		"id": "malware--71411ea2-f9cc-45f1-af43-66bdcde99a64",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"name": "Poison Ivy",
		"is_family": true
	}`,
	"network-traffic-active": `{
		"type": "network-traffic",
		"id": "network-traffic--f4fcdd46-6c62-47e0-88f3-1d75ca6785b6",
		"dst_ref": "ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43",
		"protocols": ["tcp"],
		"is_active": true
	}`,
	"observed-data-container": `{
		"type": "observed-data",
		"spec_version": "2.1",
		"id": "observed-data--45799d83-0793-44cc-bf38-019c9435a64d",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"first_observed": "2015-12-21T19:00:00Z",
		"last_observed": "2015-12-21T19:00:00Z",
		"number_observed": 1,
		"objects": {
			"0": {"type": "ipv4-addr", "value": "198.51.100.2"},
			"1": {"type": "network-traffic", "dst_ref": "0", "protocols": ["tcp"]}
		}
	}`,
	"process-minimal": `{"type": "process", "id": "process--ed337f46-2021-424f-adf8-2022ac97d6bb", "pid": 1}`,
	"registry-values-only": `{
		"type": "windows-registry-key",
		"id": "windows-registry-key--e07d8317-7095-4682-a1bf-ca047df44438",
		"values": [{"name": "", "data": "1"}]
	}`,
	"relationship-sco": `{
		"type": "relationship",
		"spec_version": "2.1",
		"id": "relationship--cc148d95-446a-4096-ad9f-5123c9084b60",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"relationship_type": "resolves-to",
		"source_ref": "domain-name--a1547bc2-696d-4704-ba40-c40aec86566e",
		"target_ref": "ipv4-addr--c718457f-12e8-470a-9375-958d2b9eee43"
	}`,
	"sighting-minimal": `{
		"type": "sighting",
		"spec_version": "2.1",
		"id": "sighting--ecfb4317-7c96-42a7-8fb1-1a4c640c6ee7",
		"created": "2016-04-06T20:03:48.000Z",
		"modified": "2016-04-06T20:03:48.000Z",
		"sighting_of_ref": "x-acme-widget--99a982a7-fb4c-4644-873c-c094adb51582"
	}`,
	"tlp1-red": `{
		"type": "marking-definition",
		"spec_version": "2.1",
		"id": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
		"created": "2017-01-20T00:00:00.000Z",
		"definition_type": "tlp",
		"name": "TLP:RED",
		"definition": {"tlp": "red"}
	}`,
	"tlp1-white": `{
		"type": "marking-definition",
		"spec_version": "2.1",
		"id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
		"created": "2017-01-20T00:00:00.000Z",
		"definition_type": "tlp",
		"name": "TLP:WHITE",
		"definition": {"tlp": "white"}
	}`,
	"tlp2-amber-strict": `{
		"type": "marking-definition",
		"spec_version": "2.1",
		"id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
		"created": "2022-10-01T00:00:00.000Z",
		"name": "TLP:AMBER+STRICT",
		"extensions": {
			"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
				"extension_type": "property-extension",
				"tlp_2_0": "amber+strict"
			}
		}
	}`,
	"user-account-minimal": `{
		"type": "user-account",
		"id": "user-account--fbccd804-c021-406d-a583-02917670b1a4",
		"user_id": "thegrugq_ebooks"
	}`,
	"x509-serial-only": `{
		"type": "x509-certificate",
		"id": "x509-certificate--d22a17e3-7b0c-47bb-b65b-bc5daa7197c1",
		"serial_number": "02:08"
	}`,
}

// A case is one object of the differential corpus.
type oracleCase struct {
	name string // "<base> <mutation>"
	typ  string
	obj  any
}

// oracleOpenVocab and oracleClosedEnum name the properties whose values come from an
// open vocabulary (any string is valid, STIX 2.1 §2.14) or an enumeration
// (only the listed values, §2.4).
var (
	oracleOpenVocab = []string{"context", "identity_class", "sectors", "indicator_types", "pattern_type", "infrastructure_types",
		"resource_level", "primary_motivation", "secondary_motivations", "personal_motivations", "region", "malware_types",
		"architecture_execution_envs", "implementation_languages", "capabilities", "result", "report_types",
		"threat_actor_types", "roles", "sophistication", "tool_types", "account_type", "pe_type", "definition_type"}
	oracleClosedEnum = []string{"opinion", "encryption_algorithm", "address_family", "socket_type", "integrity_level",
		"start_type", "service_type", "service_status", "data_type", "extension_types", "extension_type", "spec_version"}
)

// oracleCorpus returns the valid objects and their mutations.
func oracleCorpus(t *testing.T) []oracleCase {
	var cases []oracleCase
	bases := map[string]string{}
	for typ, raw := range schemaRichObjects {
		bases[typ] = raw
	}
	for name, raw := range schemaMoreObjects {
		bases[name] = raw
	}
	for _, base := range slices.Sorted(maps.Keys(bases)) {
		obj := schemaTestDecode(t, []byte(bases[base]))
		typ := schemaTestType(obj)
		add := func(mut string, v any) { cases = append(cases, oracleCase{base + " " + mut, typ, v}) }
		add("valid", obj)
		oracleMutate(nil, obj, func(mut string, path []string, change func(any) (any, bool)) {
			add(mut+" "+oraclePath(path), oracleApply(obj, path, change))
		}, 0)
		for _, m := range []struct {
			name  string
			key   string
			value any
		}{
			{"add custom", "x_liaison_custom", "v"},
			{"add custom-object", "x_liaison_scoring", map[string]any{"impact": "high"}},
			{"add custom-bad-name", "X-Liaison", "v"},
			{"add custom-short-name", "xx", "v"},
			{"add reserved", "severity", "high"},
			{"add defanged", "defanged", true},
			{"add spec_version-2.0", "spec_version", "2.0"},
		} {
			add(m.name, oracleApply(obj, []string{m.key}, func(any) (any, bool) { return m.value, true }))
		}
		for _, p := range oracleHandMutations[base] {
			o := oracleApply(obj, nil, func(v any) (any, bool) { return v, true }).(map[string]any)
			for k, v := range p.set {
				if v == nil {
					delete(o, k)
				} else {
					o[k] = schemaTestDecode(t, []byte(v.(string)))
				}
			}
			add(p.name, o)
		}
	}
	return cases
}

// oracleHandMutations break the rules a generic mutation does not reach: either-or
// properties, dependent properties, fixed objects. Values are JSON; nil
// deletes the property.
var oracleHandMutations = map[string][]struct {
	name string
	set  map[string]any
}{
	"observed-data": {
		{"both objects and object_refs", map[string]any{"objects": `{"0":{"type":"ipv4-addr","value":"198.51.100.2"}}`}},
		{"neither objects nor object_refs", map[string]any{"object_refs": nil}},
		{"object_refs to an SDO", map[string]any{"object_refs": `["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]`}},
		{"number_observed 0", map[string]any{"number_observed": `0`}},
		{"number_observed too big", map[string]any{"number_observed": `1000000000`}},
	},
	"observed-data-container": {
		{"empty container", map[string]any{"objects": `{}`}},
		{"container of non-objects", map[string]any{"objects": `{"0":"ipv4-addr"}`}},
	},
	"artifact": {
		{"both payload_bin and url", map[string]any{"url": `"https://example.com/a.zip"`}},
		{"neither payload_bin nor url", map[string]any{"payload_bin": nil}},
		{"decryption_key without encryption_algorithm", map[string]any{"encryption_algorithm": nil}},
	},
	"artifact-url": {
		{"url without hashes", map[string]any{"hashes": nil}},
	},
	"malware": {
		{"family without name", map[string]any{"is_family": `true`, "name": nil}},
		{"instance without name", map[string]any{"name": nil}},
		{"sample_refs to an indicator", map[string]any{"sample_refs": `["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]`}},
	},
	"malware-analysis": {
		{"neither result nor analysis_sco_refs", map[string]any{"result": nil, "analysis_sco_refs": nil}},
		{"sample_ref to a url", map[string]any{"sample_ref": `"url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`}},
	},
	"location": {
		{"latitude without longitude", map[string]any{"longitude": nil}},
		{"precision without coordinates", map[string]any{"longitude": nil, "latitude": nil}},
		{"latitude 91", map[string]any{"latitude": `91`}},
		{"longitude -181", map[string]any{"longitude": `-181`}},
	},
	"location-region": {
		{"nothing to locate", map[string]any{"region": nil}},
		{"country only", map[string]any{"region": nil, "country": `"fr"`}},
		{"latitude only", map[string]any{"region": nil, "latitude": `10`}},
	},
	"email-message": {
		{"multipart with body", map[string]any{"body": `"hello"`}},
		{"multipart part without body", map[string]any{"body_multipart": `[{"content_type":"text/plain"}]`}},
		{"header values as strings", map[string]any{"additional_header_fields": `{"X-Mailer":"Mutt/1.5.23"}`}},
		{"header value list of one", map[string]any{"additional_header_fields": `{"X-Mailer":["Mutt/1.5.23"]}`}},
		{"from_ref to a url", map[string]any{"from_ref": `"url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`}},
	},
	"email-simple": {
		{"not multipart with body_multipart", map[string]any{"body_multipart": `[{"body":"x"}]`}},
	},
	"network-traffic": {
		{"neither src_ref nor dst_ref", map[string]any{"src_ref": nil, "dst_ref": nil}},
		{"port 65536", map[string]any{"src_port": `65536`}},
		{"src_ref to a url", map[string]any{"src_ref": `"url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`}},
		{"no protocols", map[string]any{"protocols": nil}},
		{"unknown extension name", map[string]any{"extensions": `{"foo":{"a":1}}`}},
		{"custom extension", map[string]any{"extensions": `{"x-acme-ext":{"a":1}}`}},
		{"empty predefined extension", map[string]any{"extensions": `{"tcp-ext":{}}`}},
	},
	"network-traffic-active": {
		{"active with end", map[string]any{"end": `"2016-01-01T00:00:00Z"`}},
	},
	"file": {
		{"neither hashes nor name", map[string]any{"hashes": nil, "name": nil}},
		{"pe extension with pe_type only", map[string]any{"extensions": `{"windows-pebinary-ext":{"pe_type":"exe"}}`}},
		{"empty optional header", map[string]any{"extensions": `{"windows-pebinary-ext":{"pe_type":"exe","optional_header":{}}}`}},
		{"exif tag float", map[string]any{"extensions": `{"raster-image-ext":{"exif_tags":{"FNumber":2.8}}}`}},
		{"archive of urls", map[string]any{"extensions": `{"archive-ext":{"contains_refs":["url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]}}`}},
		{"custom hash name", map[string]any{"hashes": `{"x_foo_hash":"aaaabbbbccccddddeeeeffff0123457890"}`}},
		{"hash name too short", map[string]any{"hashes": `{"md":"aaaa"}`}},
		{"SHA-256 of 63 digits", map[string]any{"hashes": `{"SHA-256":"6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674"}`}},
		{"uppercase SHA-256", map[string]any{"hashes": `{"SHA-256":"6DB12788C37247F2316052E142F42F4B259D6561751E5F401A1AE2A6DF9C674B"}`}},
		{"ssdeep", map[string]any{"hashes": `{"SSDEEP":"3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"}`}},
		{"tlsh", map[string]any{"hashes": `{"TLSH":"8AF13E2C7E1A8E1FF58B4D45A95C4C5B1C7D48CF5B9D5C7CCDBF3C8EA8F41C1A3C7E02B"}`}},
	},
	"process": {
		{"no properties of its own", map[string]any{"is_hidden": nil, "pid": nil, "created_time": nil, "cwd": nil, "command_line": nil,
			"environment_variables": nil, "opened_connection_refs": nil, "creator_user_ref": nil, "image_ref": nil,
			"parent_ref": nil, "child_refs": nil, "extensions": nil}},
		{"empty windows process extension", map[string]any{"extensions": `{"windows-process-ext":{}}`}},
	},
	"user-account": {
		{"no properties of its own", map[string]any{"user_id": nil, "credential": nil, "account_login": nil, "account_type": nil,
			"display_name": nil, "is_service_account": nil, "is_privileged": nil, "can_escalate_privs": nil, "is_disabled": nil,
			"account_created": nil, "account_expires": nil, "credential_last_changed": nil, "account_first_login": nil,
			"account_last_login": nil, "extensions": nil}},
	},
	"windows-registry-key": {
		{"abbreviated hive", map[string]any{"key": `"HKLM\\System\\Foo"`}},
		{"empty registry value", map[string]any{"values": `[{}]`}},
		{"no properties of its own", map[string]any{"key": nil, "values": nil, "modified_time": nil, "creator_user_ref": nil, "number_of_subkeys": nil}},
	},
	"x509-certificate": {
		{"empty v3 extensions", map[string]any{"x509_v3_extensions": `{}`}},
	},
	"mac-addr": {
		{"uppercase", map[string]any{"value": `"D2:FB:49:24:37:18"`}},
		{"dashes", map[string]any{"value": `"d2-fb-49-24-37-18"`}},
	},
	"ipv4-addr": {
		{"cidr", map[string]any{"value": `"198.51.100.0/24"`}},
		{"ipv6 value", map[string]any{"value": `"2001:db8::1"`}},
		{"bad cidr", map[string]any{"value": `"198.51.100.0/33"`}},
	},
	"ipv6-addr": {
		{"cidr", map[string]any{"value": `"2001:0db8::/96"`}},
		{"ipv4-embedded", map[string]any{"value": `"::ffff:192.0.2.1"`}},
		{"ipv4 value", map[string]any{"value": `"198.51.100.3"`}},
	},
	"domain-name": {
		{"underscore label", map[string]any{"value": `"_dmarc.example.com"`}},
		{"idn", map[string]any{"value": `"bücher.example"`}},
		{"resolves to a url", map[string]any{"resolves_to_refs": `["url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]`}},
	},
	"email-addr": {
		{"display name in value", map[string]any{"value": `"John Doe <john@example.com>"`}},
	},
	"url": {
		{"relative", map[string]any{"value": `"/index.html"`}},
		{"with space", map[string]any{"value": `"http://example.com/a b"`}},
	},
	"relationship": {
		{"source_ref to a marking definition", map[string]any{"source_ref": `"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"`}},
		{"target_ref to a relationship", map[string]any{"target_ref": `"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"`}},
		{"uppercase relationship_type", map[string]any{"relationship_type": `"Indicates"`}},
		{"relationship_type with a space", map[string]any{"relationship_type": `"indicates something"`}},
	},
	"sighting": {
		{"sighting of an SCO", map[string]any{"sighting_of_ref": `"file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`}},
		{"sighting of a relationship", map[string]any{"sighting_of_ref": `"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"`}},
		{"where_sighted_refs to a file", map[string]any{"where_sighted_refs": `["file--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]`}},
		{"count -1", map[string]any{"count": `-1`}},
		{"summary as a string", map[string]any{"summary": `"false"`}},
	},
	"indicator": {
		{"granular marking with lang and marking_ref", map[string]any{"granular_markings": `[{"lang":"en","marking_ref":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","selectors":["name"]}]`}},
		{"granular marking with neither", map[string]any{"granular_markings": `[{"selectors":["name"]}]`}},
		{"external reference with source_name only", map[string]any{"external_references": `[{"source_name":"x"}]`}},
		{"object_marking_refs to an identity", map[string]any{"object_marking_refs": `["identity--5510f82d-4ebe-4632-9beb-cf4dfffb3fb5"]`}},
		{"confidence 101", map[string]any{"confidence": `101`}},
		{"lang not a tag", map[string]any{"lang": `"english language"`}},
		{"bad selector", map[string]any{"granular_markings": `[{"lang":"en","selectors":["labels.[x]"]}]`}},
		{"extension without extension_type", map[string]any{"extensions": `{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e":{"rank":5}}`}},
		{"extension_type unknown", map[string]any{"extensions": `{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e":{"extension_type":"new-thing"}}`}},
		{"custom extension on an SDO", map[string]any{"extensions": `{"x-acme-ext":{"a":1}}`}},
		{"extension that is not an object", map[string]any{"extensions": `{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e":"property-extension"}`}},
		{"created with nanoseconds", map[string]any{"created": `"2016-04-06T20:03:48.123456789Z"`}},
		{"valid_from with a leap second", map[string]any{"valid_from": `"2016-12-31T23:59:60Z"`}},
		{"unknown kill chain property", map[string]any{"kill_chain_phases": `[{"kill_chain_name":"a","phase_name":"b","x_extra":1}]`}},
	},
	"attack-pattern": {
		{"capec id malformed", map[string]any{"external_references": `[{"source_name":"capec","external_id":"163"}]`}},
	},
	"vulnerability": {
		{"cve id malformed", map[string]any{"external_references": `[{"source_name":"cve","external_id":"2016-1234"}]`}},
	},
	"course-of-action": {
		{"action property", map[string]any{"action": `{"a":1}`}},
	},
	"tlp1-white": {
		{"other tlp level", map[string]any{"definition": `{"tlp":"green"}`}},
		{"other created", map[string]any{"created": `"2017-01-21T00:00:00.000Z"`}},
		{"other name", map[string]any{"name": `"TLP WHITE"`}},
		{"without name", map[string]any{"name": nil}},
		{"invented tlp marking", map[string]any{"id": `"marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"`}},
		{"statement under a TLP id", map[string]any{"definition_type": `"statement"`, "definition": `{"statement":"x"}`}},
	},
	"tlp2-amber-strict": {
		{"other tlp_2_0 level", map[string]any{"extensions": `{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"red"}}`}},
		{"unknown tlp_2_0 level", map[string]any{"extensions": `{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"purple"}}`}},
		{"other name", map[string]any{"name": `"TLP:RED"`}},
		{"without name", map[string]any{"name": nil}},
		{"without extensions", map[string]any{"extensions": nil}},
	},
	"marking-definition": {
		{"statement without statement", map[string]any{"definition": `{"text":"x"}`}},
		{"no extensions, no definition", map[string]any{"extensions": nil, "definition": nil}},
		{"modified", map[string]any{"modified": `"2016-04-06T20:03:48.000Z"`}},
		{"revoked", map[string]any{"revoked": `true`}},
		{"unknown definition_type", map[string]any{"definition_type": `"acme"`, "definition": `{"acme":"x"}`}},
	},
	"extension-definition": {
		{"extension_properties without toplevel", map[string]any{"extension_types": `["property-extension"]`}},
		{"new-sdo only", map[string]any{"extension_types": `["new-sdo"]`, "extension_properties": nil}},
	},
	"language-content": {
		{"contents key not a language", map[string]any{"contents": `{"not a language":{"name":"x"}}`}},
		{"contents value a string", map[string]any{"contents": `{"de":"Bank Angriff"}`}},
	},
}

// oracleMutate calls emit for every generic mutation of the value v at path:
// removing it, giving it the wrong JSON type, emptying lists and
// dictionaries, breaking timestamps, identifiers, hashes, hex and binary
// values, leaving vocabularies, and going out of range.
func oracleMutate(path []string, v any, emit func(mut string, path []string, change func(any) (any, bool)), depth int) {
	set := func(x any) func(any) (any, bool) { return func(any) (any, bool) { return x, true } }
	if len(path) > 0 {
		last := path[len(path)-1]
		if _, isIndex := strconv.Atoi(last); isIndex != nil {
			emit("remove", path, func(any) (any, bool) { return nil, false })
		}
		emit("type", path, set(oracleWrongType(v)))
		switch v := v.(type) {
		case []any:
			emit("empty", path, set([]any{}))
		case map[string]any:
			emit("empty", path, set(map[string]any{}))
		case json.Number:
			emit("negative", path, set(json.Number("-1")))
			emit("fraction", path, set(json.Number("1.5")))
			emit("huge", path, set(json.Number("9007199254740993")))
		case string:
			key := last
			parent := ""
			if len(path) > 1 {
				parent = path[len(path)-2]
			}
			emit("garbage", path, set("not a valid value!"))
			if oracleTimestampShape.MatchString(v) {
				emit("bad-date", path, set("2023-02-30T00:00:00.000Z"))
				emit("no-zone", path, set(strings.TrimSuffix(v, "Z")))
				emit("offset", path, set(strings.TrimSuffix(v, "Z")+"+01:00"))
				emit("date-only", path, set(v[:10]))
				if i := strings.IndexByte(v, '.'); i > 0 {
					emit("seconds-only", path, set(v[:i]+"Z"))
				}
			}
			if typ, uuid, ok := SplitID(v); ok {
				emit("bad-uuid", path, set(typ+"--"+uuid[:35]))
				other := "vulnerability"
				if typ == other {
					other = "tool"
				}
				emit("other-type", path, set(other+"--"+uuid))
				emit("uppercase-type", path, set(strings.ToUpper(typ)+"--"+uuid))
			}
			if parent == "hashes" || strings.HasSuffix(parent, "_hashes") {
				emit("short-hash", path, set(v[1:]))
			}
			if strings.HasSuffix(key, "_hex") {
				emit("odd-hex", path, set(v+"0"))
				emit("upper-hex", path, set(strings.ToUpper(v)+"AB"))
			}
			if strings.HasSuffix(key, "_bin") {
				emit("not-base64", path, set("not base64!"))
			}
			vocabKey := key
			if _, err := strconv.Atoi(key); err == nil {
				vocabKey = parent
			}
			if slices.Contains(oracleOpenVocab, vocabKey) || slices.Contains(oracleClosedEnum, vocabKey) {
				emit("vocab", path, set("zz-not-in-vocabulary"))
			}
		}
	}
	if depth > 5 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			oracleMutate(append(slices.Clip(path), k), v[k], emit, depth+1)
		}
	case []any:
		if len(v) > 0 {
			oracleMutate(append(slices.Clip(path), "0"), v[0], emit, depth+1)
		}
	}
}

var oracleTimestampShape = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

func oracleWrongType(v any) any {
	switch v.(type) {
	case string:
		return json.Number("42")
	case json.Number:
		return "42"
	case bool:
		return "true"
	case []any:
		return "list"
	case map[string]any:
		return []any{"object"}
	}
	return "x"
}

// oracleApply returns a deep copy of v with the value at path changed (removed
// when change says so).
func oracleApply(v any, path []string, change func(any) (any, bool)) any {
	if len(path) == 0 {
		nv, _ := change(oracleCopy(v))
		return nv
	}
	switch c := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(c))
		for k, x := range c {
			out[k] = x
		}
		if len(path) == 1 {
			if nv, keep := change(c[path[0]]); keep {
				out[path[0]] = nv
			} else {
				delete(out, path[0])
			}
			return out
		}
		out[path[0]] = oracleApply(c[path[0]], path[1:], change)
		return out
	case []any:
		out := slices.Clone(c)
		i, _ := strconv.Atoi(path[0])
		if len(path) == 1 {
			if nv, keep := change(c[i]); keep {
				out[i] = nv
			} else {
				out = slices.Delete(out, i, i+1)
			}
			return out
		}
		out[i] = oracleApply(c[i], path[1:], change)
		return out
	}
	return v
}

func oracleCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	_ = d.Decode(&out)
	return out
}

func oraclePath(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// A known disagreement: the cases whose name matches pattern (a regular
// expression over "<base> <mutation> <path>"), the side that rejects, and why.
type oracleDisagreement struct {
	pattern string
	rejects string // "liaison" or "oasis"
	reason  string
}

var oracleKnown = []oracleDisagreement{
	// The OASIS schemas reject what STIX 2.1 allows.
	{`observed-data-container .*`, "oasis",
		"OASIS validates the members of the deprecated observable container as STIX 2.1 top-level SCOs, which need an id; " +
			"§2.13 keeps containers of STIX 2.0 cyber-observables, keyed by local references and without ids"},
	{`ipv6-addr ipv4-embedded`, "oasis",
		"OASIS defect listed in the shared README: its IPv6 regex lost its backslashes, so ::ffff:192.0.2.1 is refused; RFC 4291 §2.5.5 allows it (§6.9)"},
	{`email-message header value list of one`, "oasis",
		"OASIS allows a string or a list of at least two strings; §6.6.1 says every value MUST be a list of strings, one per occurrence of the header"},
	{`(attack-pattern|vulnerability) (garbage external_references\[0\]\.source_name|remove external_references\[0\]\.external_id)`, "oasis",
		"OASIS ties CAPEC- and CVE-shaped ids to the capec and cve sources and requires external_id for them; " +
			"§4.1 and §4.19 only constrain external_id when such an id is given, and §2.5.2 allows a reference with url alone"},
	{`marking-definition remove definition`, "oasis",
		"OASIS requires definition whenever definition_type is present; §7.2.1 requires both only when extensions is absent (this object has extensions)"},
	{`artifact garbage mime_type`, "oasis",
		"OASIS checks the shape of an IANA media type; §6.1 says mime_type SHOULD (not MUST) be from the IANA registry"},
	{`url relative`, "oasis",
		"a relative reference in url's value is a warning here (§6.15 asks for an RFC 3986 URL): real feeds carry them and python-stix2 accepts them; OASIS's uri format refuses them"},
	{`process type extensions\.windows-process-ext\.startup_info\.lpDesktop`, "oasis",
		"OASIS types some STARTUP_INFO members; §6.13.2 defines startup_info only as a dictionary"},

	// Project schemas reject what STIX 2.1 forbids and the OASIS schemas let through.
	{`\S+ bad-date .*`, "liaison",
		"2023-02-30 does not exist: §2.16 requires an RFC 3339 timestamp, and RFC 3339 §5.7 requires a valid date; OASIS checks the digits with a regular expression only"},
	{`\S+ add spec_version-2\.0`, "liaison",
		"§3.2: spec_version MUST be 2.1 for objects of this specification; OASIS also allows 2.0 (STIX 2.0 objects are not validated with these schemas)"},
	{`(attack-pattern|campaign|course-of-action|grouping\S*|identity|incident|indicator\S*|infrastructure|intrusion-set|location\S*|malware\S*|note|observed-data|opinion|report|threat-actor|tool|vulnerability|relationship\S*|sighting\S*|language-content\S*|extension-definition|marking-definition) add defanged`, "liaison",
		"§3.2: defanged MUST NOT be used on objects other than SCOs; OASIS allows it on SDOs, SROs and meta objects"},
	{`\S+ (garbage lang|lang not a tag)`, "liaison",
		"§3.2: lang MUST be an RFC 5646 language code; OASIS accepts any string"},
	{`\S+ (huge|fraction) .*`, "liaison",
		"§2.10: integers are signed 54-bit values (2^53+1 is out of range) and gid is an integer (§6.16.2); OASIS has no bounds and types gid as a number"},
	{`network-traffic negative (src|dst)_(byte_count|packets)`, "liaison",
		"§6.12: byte and packet counts are positive integers; OASIS accepts negative ones"},
	{`\S+ other-type (created_by_ref|object_marking_refs\[0\])|indicator object_marking_refs to an identity`, "liaison",
		"§3.2: created_by_ref is the id of an identity and object_marking_refs lists ids of marking-definitions; OASIS does not check the target type"},
	{`\S+ (bad-uuid|garbage|uppercase-type|other-type) (extensions\.[a-z-]+\.)?[a-z_]+_refs?(\[0\])?|file archive of urls|email-message from_ref to a url|network-traffic src_ref to a url|domain-name resolves to a url|malware sample_refs to an indicator`, "liaison",
		"§2.9 requires identifiers and each reference property names its target types (§4.11 sample_refs, §6 cyber-observable refs); " +
			"OASIS types these references as any string (the local keys of the deprecated container) or does not restrict their targets"},
	{`sighting sighting of an SCO`, "liaison",
		"§5.2: sighting_of_ref MUST reference only an SDO; OASIS accepts any identifier"},
	{`indicator granular marking with lang and marking_ref`, "liaison",
		"§7.2.3: exactly one of lang and marking_ref; OASIS requires marking_ref and allows lang beside it"},
	{`tlp1-\S+ ((garbage|vocab) definition_type|empty definition|remove definition\.tlp|statement under a TLP id)`, "liaison",
		"§7.2.1.4: the four TLP 1.0 ids denote fixed objects and no other instances may be created; OASIS does not tie the ids to their definitions"},
	{`tlp2-\S+ .*`, "liaison",
		"the OASIS schemas predate the TLP 2.0 extension (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, cti-stix-common-objects), " +
			"whose schema fixes the id and name of each level"},
	{`marking-definition (modified|revoked)`, "liaison",
		"§7.2.1: marking definitions are not versioned and have neither modified nor revoked; the OASIS marking-definition schema does not forbid them"},
	{`marking-definition (add custom-bad-name|add custom-short-name|add reserved|seconds-only created)`, "liaison",
		"the OASIS marking-definition schema has no property name rules (§3.1, §11.1.1), reserved names (§3.8) or millisecond precision for created (§3.2)"},
	{`language-content\S* ((empty|type) contents\.[a-z]+|contents value a string|remove contents\.de\.goals)`, "liaison",
		"§7.1: each value of contents is a dictionary mirroring the translated properties, and dictionaries are not empty (§2.3); OASIS accepts any value"},
	{`extension-definition remove created_by_ref`, "liaison",
		"§7.3.1: created_by_ref is a required common property of extension definitions; OASIS leaves it optional"},
	{`extension-definition garbage extension_properties\[0\]`, "liaison",
		"§7.3.2.1: extension property names are 3 to 250 characters a-z, 0-9 and _; OASIS accepts any string"},
	{`email-message (header values as strings|type additional_header_fields\.Reply-To)`, "liaison",
		"§6.6.1: each value of additional_header_fields MUST be a list of strings; OASIS also accepts a string"},
	{`process type environment_variables\.HOME`, "liaison",
		"§6.13.1: each environment variable value MUST be a string; OASIS accepts any value"},
	{`process type extensions\.windows-process-ext\.windows_title`, "liaison",
		"§6.13.2: windows_title is a string; the OASIS windows-process-ext omits the property"},
	{`file type extensions\.ntfs-ext\.alternate_data_streams\[0\]`, "liaison",
		"§6.7.3: alternate_data_streams lists alternate-data-stream-type objects; OASIS does not require the items to be objects"},
	{`url with space`, "liaison",
		"RFC 3986 §2 has no space character and §6.15 requires an RFC 3986 URL; jsonschema/v5's uri format accepts it"},
	{`domain-name garbage value`, "liaison",
		"§6.4: the value MUST conform to RFC 1034 (labels of letters, digits and hyphens); jsonschema/v5's idn-hostname format, used by OASIS, accepts it"},
}

// TestSchemaOracle runs the differential test (see the top of this file);
// with -short, on a sample of the corpus (oracleSample).
func TestSchemaOracle(t *testing.T) {
	dir := schemaSharedDir
	if _, err := os.Stat(filepath.Join(dir, "schemas")); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent (../shared is not checked out next to the repository): skipping the differential test against the OASIS schemas", dir)
	}
	ours := schemaTestSet(t)
	theirs := oracleCompile(t, dir)
	known := make([]*regexp.Regexp, len(oracleKnown))
	for i, k := range oracleKnown {
		known[i] = regexp.MustCompile("^(" + k.pattern + ")$")
	}
	used := make([]int, len(oracleKnown))
	cases := oracleCorpus(t)
	if testing.Short() {
		cases = oracleSample(cases)
	}
	verdicts := oracleVerdicts(cases, ours, theirs)
	agree, disagree, vocab := 0, 0, 0
	var unexplained []string
	for i, c := range cases {
		ps, oerr := verdicts[i].ours, verdicts[i].theirs
		if base, path, ok := strings.Cut(c.name, " vocab "); ok && !strings.HasPrefix(base, "tlp") {
			// Any string is valid in an open vocabulary, only the listed
			// values in an enumeration (STIX 2.1 §2.14, §2.4).
			prop := path[strings.LastIndexByte(path, '.')+1:]
			prop, _, _ = strings.Cut(prop, "[")
			vocab++
			if open := slices.Contains(oracleOpenVocab, prop); open != (ps == nil) {
				t.Errorf("%s: open vocabulary %v, but valid %v: %v", c.name, open, ps == nil, ps)
			}
		}
		if (ps == nil) == (oerr == nil) {
			agree++
			continue
		}
		disagree++
		rejects := "liaison"
		if ps == nil {
			rejects = "oasis"
		}
		matched := false
		for i, re := range known {
			if oracleKnown[i].rejects == rejects && re.MatchString(c.name) {
				used[i]++
				matched = true
				break
			}
		}
		if !matched {
			detail := fmt.Sprint(ps)
			if oerr != nil {
				detail = oracleSummary(oerr)
			}
			unexplained = append(unexplained, fmt.Sprintf("%s: rejected by %s only: %s", c.name, rejects, detail))
		}
	}
	sort.Strings(unexplained)
	for _, u := range unexplained {
		t.Error(u)
	}
	for i, n := range used {
		if n == 0 && !testing.Short() {
			t.Errorf("stale known disagreement %q (%s): no case matches it any more", oracleKnown[i].pattern, oracleKnown[i].rejects)
		}
	}
	t.Logf("%d cases: %d agree, %d disagree (%d explained by %d table entries); %d vocabulary cases",
		len(cases), agree, disagree, disagree-len(unexplained), len(oracleKnown), vocab)
}

// oracleVerdict is what each side says of one case: the project's errors
// (warnings accept the object, so they are left out) and the OASIS
// schema's.
type oracleVerdict struct {
	ours   []Problem
	theirs error
}

// oracleVerdicts validates every case on both sides in one worker per
// processor: validation is nearly all of the test's time. It also puts the
// schema set's claim to be safe for concurrent use to work, under the race
// detector too.
func oracleVerdicts(cases []oracleCase, ours *schemaSet, theirs map[string]*jsonschema.Schema) []oracleVerdict {
	out := make([]oracleVerdict, len(cases))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(cases) {
					return
				}
				c := cases[i]
				ps := slices.DeleteFunc(ours.validate(c.typ, c.obj, false), func(p Problem) bool { return p.Warning })
				if len(ps) == 0 {
					ps = nil
				}
				out[i] = oracleVerdict{ours: ps, theirs: theirs[c.typ].Validate(c.obj)}
			}
		})
	}
	wg.Wait()
	return out
}

// oracleSample is the corpus of a -short run: every valid object and one
// mutation in eight. A disagreement it finds is as real as in the full run,
// but a known disagreement may match no case of the sample, so -short does
// not report stale entries of oracleKnown.
func oracleSample(cases []oracleCase) []oracleCase {
	var out []oracleCase
	for i, c := range cases {
		if i%8 == 0 || strings.HasSuffix(c.name, " valid") {
			out = append(out, c)
		}
	}
	return out
}

// oracleSummary is the deepest message of an OASIS validation error.
func oracleSummary(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e.InstanceLocation+" "+e.KeywordLocation+": "+e.Message)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(leaves)
	if len(leaves) > 3 {
		leaves = append(leaves[:3], "...")
	}
	return strings.Join(leaves, "; ")
}
