// Package coopfeed generates a deterministic, seeded STIX 2.1 "cooperation
// feed": the intelligence a security vendor, INTERPOL, Europol, national
// CERTs and partner companies exchange during a joint operation against
// botnet command-and-control infrastructure in South-East Asia.
//
// The scenario is modelled on the 2017 INTERPOL-led operation in the ASEAN
// region, in which roughly 9,000 C2 servers and hundreds of compromised
// websites were identified. Every organisation other than INTERPOL and
// Europol, every malware family, campaign and intrusion set is fictional, and
// every network indicator uses reserved documentation/benchmark address space
// (198.18.0.0/15, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) or the
// reserved .example and .test top-level domains.
//
// The feed is used as demo data, test data and benchmark load for the TAXII
// server. Output depends only on Options: the same Objects and Seed always
// produce byte-identical output. Identifiers come from a math/rand/v2 PCG
// source seeded with Seed (SCO identifiers are the STIX deterministic UUIDv5
// of their value), timestamps from a fixed 2017 timeline.
//
// Generate writes as it goes and keeps only a bounded set of identifiers in
// memory (the fixed core, at most 256 infrastructure objects, a short queue of
// pending later versions and the first indicators referenced by the report),
// so millions of objects can be generated in constant memory.
package coopfeed

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options controls generation. Objects is the approximate number of STIX
// objects (>= 50); Seed the PRNG seed.
type Options struct {
	Objects int
	Seed    uint64
}

// MinObjects is the smallest accepted Options.Objects.
const MinObjects = 50

// ErrTooFewObjects is returned by Generate when Options.Objects < MinObjects.
const ErrTooFewObjects = constError("coopfeed: Options.Objects must be >= 50")

// constError lets sentinel errors be constants (the package has no mutable
// package-level variables).
type constError string

func (e constError) Error() string { return string(e) }

//go:embed sample.json
var sampleFS embed.FS

// Sample returns the committed small sample bundle (sample.json): the output
// of Generate with Options{Objects: 300, Seed: 2017}. Each call returns a
// fresh copy.
func Sample() []byte {
	b, err := sampleFS.ReadFile("sample.json")
	if err != nil {
		panic("coopfeed: embedded sample.json missing: " + err.Error())
	}
	return b
}

const (
	specVersion = "2.1"

	// TLPExtensionID is the extension-definition of the official TLP 2.0
	// marking definitions (OASIS cti-stix-common-objects, tlp-2.0). It is
	// referenced only as a key of "extensions" and is not itself part of the
	// bundle.
	TLPExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

	// Official, fixed TLP 2.0 marking-definition ids (OASIS
	// cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
	// All of them have created "2022-10-01T00:00:00.000Z" and, like the
	// official objects, carry no created_by_ref.
	TLPClear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLPGreen       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLPAmber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLPAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLPRed         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

	tlpCreated = "2022-10-01T00:00:00.000Z"

	// scoNamespace is the STIX 2.1 namespace for deterministic SCO ids
	// (UUIDv5 over the canonical JSON of the id-contributing properties).
	scoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7"

	tsLayout = "2006-01-02T15:04:05.000Z"

	// reportIndicatorRefs bounds how many indicators the report lists.
	reportIndicatorRefs = 64
	// maxInfrastructure bounds the number of infrastructure objects.
	maxInfrastructure = 256
	// tailObjects is the number of objects written after the indicator
	// stream: campaign v2, malware v2, two revoked infrastructure versions
	// and the report.
	tailObjects = 5
)

type tlpDef struct{ id, name, level string }

func tlpDefs() [5]tlpDef {
	return [5]tlpDef{
		{TLPClear, "TLP:CLEAR", "clear"},
		{TLPGreen, "TLP:GREEN", "green"},
		{TLPAmber, "TLP:AMBER", "amber"},
		{TLPAmberStrict, "TLP:AMBER+STRICT", "amber+strict"},
		{TLPRed, "TLP:RED", "red"},
	}
}

// ---- JSON shapes -----------------------------------------------------------

type common struct {
	Type         string `json:"type"`
	SpecVersion  string `json:"spec_version"`
	ID           string `json:"id"`
	CreatedByRef string `json:"created_by_ref,omitempty"`
	Created      string `json:"created"`
	Modified     string `json:"modified"`
	Revoked      bool   `json:"revoked,omitempty"`
	Confidence   int    `json:"confidence,omitempty"`
}

type tlpExtension struct {
	ExtensionType string `json:"extension_type"`
	TLP           string `json:"tlp_2_0"`
}

type markingDefinition struct {
	Type        string                  `json:"type"`
	SpecVersion string                  `json:"spec_version"`
	ID          string                  `json:"id"`
	Created     string                  `json:"created"`
	Name        string                  `json:"name"`
	Extensions  map[string]tlpExtension `json:"extensions"`
}

type identitySDO struct {
	common
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	IdentityClass      string   `json:"identity_class"`
	Sectors            []string `json:"sectors,omitempty"`
	ContactInformation string   `json:"contact_information,omitempty"`
	Markings           []string `json:"object_marking_refs,omitempty"`
}

type intrusionSetSDO struct {
	common
	Name              string   `json:"name"`
	Description       string   `json:"description,omitempty"`
	Aliases           []string `json:"aliases,omitempty"`
	FirstSeen         string   `json:"first_seen,omitempty"`
	ResourceLevel     string   `json:"resource_level,omitempty"`
	PrimaryMotivation string   `json:"primary_motivation,omitempty"`
	Markings          []string `json:"object_marking_refs,omitempty"`
}

type campaignSDO struct {
	common
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	FirstSeen   string   `json:"first_seen,omitempty"`
	LastSeen    string   `json:"last_seen,omitempty"`
	Objective   string   `json:"objective,omitempty"`
	Markings    []string `json:"object_marking_refs,omitempty"`
}

type malwareSDO struct {
	common
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	MalwareTypes []string `json:"malware_types"`
	IsFamily     bool     `json:"is_family"`
	Aliases      []string `json:"aliases,omitempty"`
	FirstSeen    string   `json:"first_seen,omitempty"`
	LastSeen     string   `json:"last_seen,omitempty"`
	Archs        []string `json:"architecture_execution_envs,omitempty"`
	Languages    []string `json:"implementation_languages,omitempty"`
	Capabilities []string `json:"capabilities,omitempty"`
	Markings     []string `json:"object_marking_refs,omitempty"`
}

type infrastructureSDO struct {
	common
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	InfrastructureTypes []string `json:"infrastructure_types"`
	FirstSeen           string   `json:"first_seen,omitempty"`
	Markings            []string `json:"object_marking_refs,omitempty"`
}

type killChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

type indicatorSDO struct {
	common
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	IndicatorTypes  []string         `json:"indicator_types"`
	Pattern         string           `json:"pattern"`
	PatternType     string           `json:"pattern_type"`
	PatternVersion  string           `json:"pattern_version"`
	ValidFrom       string           `json:"valid_from"`
	KillChainPhases []killChainPhase `json:"kill_chain_phases,omitempty"`
	Markings        []string         `json:"object_marking_refs,omitempty"`
}

type relationshipSRO struct {
	common
	RelationshipType string   `json:"relationship_type"`
	Description      string   `json:"description,omitempty"`
	SourceRef        string   `json:"source_ref"`
	TargetRef        string   `json:"target_ref"`
	Markings         []string `json:"object_marking_refs,omitempty"`
}

type sightingSRO struct {
	common
	Description      string   `json:"description,omitempty"`
	FirstSeen        string   `json:"first_seen"`
	LastSeen         string   `json:"last_seen"`
	Count            int      `json:"count"`
	SightingOfRef    string   `json:"sighting_of_ref"`
	WhereSightedRefs []string `json:"where_sighted_refs"`
	Markings         []string `json:"object_marking_refs,omitempty"`
}

type reportSDO struct {
	common
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	ReportTypes []string `json:"report_types"`
	Published   string   `json:"published"`
	ObjectRefs  []string `json:"object_refs"`
	Markings    []string `json:"object_marking_refs,omitempty"`
}

type scoValue struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
	Value       string `json:"value"`
}

// ---- generator state -------------------------------------------------------

type party struct {
	id, name string
}

type infraRef struct {
	id      string
	malware int // index into gen.malware of the family that uses it
}

type pendingVersion struct {
	due int // group index after which the version is written
	ind indicatorSDO
}

// ipPool hands out every host (.1-.254) of nets consecutive /24 networks
// exactly once, in a seeded pseudo-random order (an affine permutation).
type ipPool struct {
	a, b, o1, o2, o3 int // o1.o2.o3 is the first /24
	size, next       int
}

func newIPPool(rng *rand.Rand, o1, o2, o3, nets int) ipPool {
	size := nets * 254 // = nets * 2 * 127; nets is a power of two
	a := 2*rng.IntN(size/2) + 1
	for a%127 == 0 {
		a = 2*rng.IntN(size/2) + 1
	}
	return ipPool{a: a, b: rng.IntN(size), o1: o1, o2: o2, o3: o3, size: size}
}

func (p *ipPool) take() (string, bool) {
	if p.next >= p.size {
		return "", false
	}
	h := int((int64(p.a)*int64(p.next) + int64(p.b)) % int64(p.size))
	p.next++
	n := p.o3 + h/254 // /24 index counted from o1.o2.o3
	host := h%254 + 1
	o2 := p.o2 + n/256
	o3 := n % 256
	return strconv.Itoa(p.o1) + "." + strconv.Itoa(o2) + "." + strconv.Itoa(o3) + "." + strconv.Itoa(host), true
}

type gen struct {
	bw    *bufio.Writer
	buf   bytes.Buffer
	enc   *json.Encoder
	ids   *rand.Rand // identifiers only
	rng   *rand.Rand // content
	count int
	err   error

	target int

	vendor, interpol, europol party
	certs, partners           []party

	intrusionSet string
	campaign     campaignSDO
	malware      []malwareSDO
	c2, sites    []infraRef // active (never revoked) infrastructure
	infraIDs     []string
	revokedInfra []infrastructureSDO

	indicatorRefs []string
	pending       []pendingVersion

	ipPools  [4]ipPool
	domainK  int
	urlK     int
	sightK   int
	updPos   int
	revPos   int
	sightPos int
	scoPos   int

	indStart  time.Time
	spanMs    int64
	estGroups int64
}

// Generate streams a STIX 2.1 bundle ({"type":"bundle","id":"bundle--...",
// "objects":[...]}) to w, one compact JSON object per line inside the objects
// array, in bounded memory. The number of objects is within a few of
// o.Objects (for very small values the fixed core of about 50 objects wins).
// The same Options always give byte-identical output.
func Generate(w io.Writer, o Options) error {
	if o.Objects < MinObjects {
		return ErrTooFewObjects
	}
	g := &gen{
		bw:     bufio.NewWriterSize(w, 64<<10),
		ids:    rand.New(rand.NewPCG(o.Seed, 0x636f6f702d696473)), // "coop-ids"
		rng:    rand.New(rand.NewPCG(o.Seed, 0x636f6f702d646174)), // "coop-dat"
		target: o.Objects,
	}
	g.enc = json.NewEncoder(&g.buf)
	g.enc.SetEscapeHTML(false)

	g.write(`{"type":"bundle","id":"` + g.newID("bundle") + `","objects":[` + "\n")
	g.core()
	for i := 0; g.err == nil && g.count+len(g.pending)+tailObjects < g.target; i++ {
		g.group(i)
	}
	for _, p := range g.pending {
		g.emit(&p.ind)
	}
	g.pending = nil
	g.tail()
	g.write("\n]}\n")
	if g.err != nil {
		return g.err
	}
	return g.bw.Flush()
}

func (g *gen) write(s string) {
	if g.err != nil {
		return
	}
	if _, err := g.bw.WriteString(s); err != nil {
		g.err = err
	}
}

func (g *gen) emit(v any) {
	if g.err != nil {
		return
	}
	g.buf.Reset()
	if err := g.enc.Encode(v); err != nil {
		g.err = err
		return
	}
	b := g.buf.Bytes()
	b = b[:len(b)-1] // Encode appends '\n'
	if g.count > 0 {
		g.write(",\n")
	}
	if g.err == nil {
		if _, err := g.bw.Write(b); err != nil {
			g.err = err
		}
	}
	g.count++
}

// newID returns "<typ>--<uuid4>" drawn from the seeded id stream.
func (g *gen) newID(typ string) string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], g.ids.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.ids.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return typ + "--" + formatUUID(u)
}

func formatUUID(u [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:])
}

// scoID returns the STIX 2.1 deterministic identifier of an SCO whose only
// id-contributing property is value (ipv4-addr, domain-name, url).
func scoID(typ, value string) string {
	ns, _ := hex.DecodeString(scoNamespace[0:8] + scoNamespace[9:13] + scoNamespace[14:18] + scoNamespace[19:23] + scoNamespace[24:36])
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(`{"value":` + strconv.Quote(value) + `}`))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return typ + "--" + formatUUID(u)
}

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func day(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func (g *gen) jitter(upTo time.Duration) time.Duration {
	return time.Duration(g.rng.Int64N(int64(upTo/time.Millisecond)+1)) * time.Millisecond
}

func (g *gen) sdo(typ, createdBy string, created time.Time) common {
	c := ts(created)
	return common{Type: typ, SpecVersion: specVersion, ID: g.newID(typ), CreatedByRef: createdBy, Created: c, Modified: c}
}

func marks(id string) []string { return []string{id} }

// ---- fixed core ------------------------------------------------------------

func (g *gen) core() {
	// TLP 2.0 marking definitions, exactly as published by OASIS.
	for _, d := range tlpDefs() {
		g.emit(&markingDefinition{
			Type: "marking-definition", SpecVersion: specVersion, ID: d.id, Created: tlpCreated, Name: d.name,
			Extensions: map[string]tlpExtension{TLPExtensionID: {ExtensionType: "property-extension", TLP: d.level}},
		})
	}

	// Identities. The vendor produces the feed and creates every identity
	// (including its own).
	t := day(2017, time.January, 16, 8, 0)
	g.vendor.id = g.newID("identity")
	type idDef struct {
		p        *party
		name     string
		desc     string
		sectors  []string
		contact  string
		isVendor bool
	}
	g.certs = make([]party, 4)
	g.partners = make([]party, 3)
	defs := []idDef{
		{&g.vendor, "Aster Labs Threat Research", "Security vendor threat research team; originator of most indicators in this joint-operation feed (fictional organisation).", []string{"technology"}, "cti@asterlabs.example", true},
		{&g.interpol, "INTERPOL Global Complex for Innovation", "INTERPOL cybercrime directorate coordinating the joint operation.", []string{"government"}, "", false},
		{&g.europol, "Europol European Cybercrime Centre (EC3)", "Europol EC3, contributing analysis and deconfliction with EU investigations.", []string{"government"}, "", false},
		{&g.certs[0], "National CERT of Singapore (demo)", "National computer emergency response team (synthetic demo identity).", []string{"government-national"}, "incident@cert-sg.test", false},
		{&g.certs[1], "National CERT of Malaysia (demo)", "National computer emergency response team (synthetic demo identity).", []string{"government-national"}, "incident@cert-my.test", false},
		{&g.certs[2], "National CERT of Indonesia (demo)", "National computer emergency response team (synthetic demo identity).", []string{"government-national"}, "incident@cert-id.test", false},
		{&g.certs[3], "National CERT of the Philippines (demo)", "National computer emergency response team (synthetic demo identity).", []string{"government-national"}, "incident@cert-ph.test", false},
		{&g.partners[0], "Bluewater Hosting", "Hosting provider partner; supplied server-side evidence for C2 nodes (fictional organisation).", []string{"technology"}, "abuse@bluewater.example", false},
		{&g.partners[1], "Meridian Telecom", "Telecommunications partner; supplied netflow sightings (fictional organisation).", []string{"telecommunications"}, "abuse@meridian.example", false},
		{&g.partners[2], "Kestrel Forensics", "Digital forensics partner; analysed compromised websites (fictional organisation).", []string{"technology"}, "lab@kestrel.example", false},
	}
	for i, d := range defs {
		if !d.isVendor {
			d.p.id = g.newID("identity")
		}
		d.p.name = d.name
		c := ts(t.Add(time.Duration(i) * 7 * time.Minute))
		g.emit(&identitySDO{
			common:        common{Type: "identity", SpecVersion: specVersion, ID: d.p.id, CreatedByRef: g.vendor.id, Created: c, Modified: c},
			Name:          d.name,
			Description:   d.desc,
			IdentityClass: "organization", Sectors: d.sectors, ContactInformation: d.contact,
			Markings: marks(TLPClear),
		})
	}

	// Intrusion set and campaign.
	is := intrusionSetSDO{
		common:            g.sdo("intrusion-set", g.vendor.id, day(2017, time.February, 1, 9, 30)),
		Name:              "Lotus Relay Group",
		Description:       "Financially motivated operators renting botnet and C2 capacity hosted in South-East Asia (fictional).",
		Aliases:           []string{"LRG"},
		FirstSeen:         ts(day(2016, time.June, 1, 0, 0)),
		ResourceLevel:     "organization",
		PrimaryMotivation: "personal-gain",
		Markings:          marks(TLPGreen),
	}
	g.intrusionSet = is.ID
	g.emit(&is)

	g.campaign = campaignSDO{
		common:      g.sdo("campaign", g.vendor.id, day(2017, time.February, 1, 10, 0)),
		Name:        "SE Asia botnet C2 expansion",
		Description: "Build-out of botnet command-and-control servers and compromised websites across the ASEAN region, targeted by a joint operation of INTERPOL, Europol, national CERTs and private partners.",
		Aliases:     []string{"Monsoon Relay"},
		FirstSeen:   ts(day(2016, time.October, 3, 0, 0)),
		LastSeen:    ts(day(2017, time.February, 1, 0, 0)),
		Objective:   "Operate resilient C2 capacity for DDoS, credential theft and malware distribution.",
		Markings:    marks(TLPGreen),
	}
	g.emit(&g.campaign)

	// Malware families.
	type mwDef struct {
		name, desc                string
		types, archs, langs, caps []string
		first                     time.Time
	}
	mws := []mwDef{
		{"Rustbell", "Modular IoT/Linux bot used for DDoS and proxying; controlled over HTTP from the C2 nodes (fictional family).",
			[]string{"bot", "ddos"}, []string{"arm", "mips", "x86"}, []string{"c"},
			[]string{"communicates-with-c2", "compromises-system-availability"}, day(2016, time.September, 12, 0, 0)},
		{"Mangrove RAT", "Windows remote access trojan distributed through the same C2 network (fictional family).",
			[]string{"remote-access-trojan", "backdoor"}, []string{"x86", "x86-64"}, []string{"c++"},
			[]string{"communicates-with-c2", "steals-authentication-credentials"}, day(2016, time.November, 2, 0, 0)},
		{"Cinderpost", "PHP webshell planted on compromised websites to host droppers and phishing kits (fictional family).",
			[]string{"webshell"}, []string{"x86-64"}, []string{"php"},
			[]string{"accesses-remote-machines"}, day(2016, time.August, 20, 0, 0)},
	}
	for i, d := range mws {
		m := malwareSDO{
			common:       g.sdo("malware", g.vendor.id, day(2017, time.February, 2, 9, 0).Add(time.Duration(i)*time.Hour)),
			Name:         d.name,
			Description:  d.desc,
			MalwareTypes: d.types,
			IsFamily:     true,
			FirstSeen:    ts(d.first),
			LastSeen:     ts(day(2017, time.January, 31, 0, 0)),
			Archs:        d.archs,
			Languages:    d.langs,
			Capabilities: d.caps,
			Markings:     marks(TLPGreen),
		}
		g.malware = append(g.malware, m)
		g.emit(&m)
	}

	// Infrastructure: C2 servers and compromised websites. One of each is
	// revoked later (tail) and is therefore not used by the indicator stream.
	nInfra := min(max(g.target/25, 4), maxInfrastructure)
	nSites := max(2, nInfra/3)
	nC2 := nInfra - nSites
	infraT := day(2017, time.February, 3, 8, 0)
	for i := range nInfra {
		created := infraT.Add(time.Duration(i)*23*time.Minute + g.jitter(time.Minute))
		var inf infrastructureSDO
		var mw int
		if i < nC2 {
			mw = i % 2 // Rustbell / Mangrove RAT
			inf = infrastructureSDO{
				common:              g.sdo("infrastructure", g.vendor.id, created),
				Name:                fmt.Sprintf("%s C2 cluster %03d", g.malware[mw].Name, i+1),
				Description:         "Cluster of command-and-control servers identified through sinkholing and hosting-provider data.",
				InfrastructureTypes: []string{"command-and-control", "botnet"},
				FirstSeen:           ts(created.Add(-time.Duration(30+g.rng.IntN(90)) * 24 * time.Hour)),
				Markings:            marks(TLPAmber),
			}
		} else {
			mw = 2 // Cinderpost
			inf = infrastructureSDO{
				common:              g.sdo("infrastructure", g.vendor.id, created),
				Name:                fmt.Sprintf("Compromised website group %03d", i-nC2+1),
				Description:         "Legitimate websites compromised through vulnerable CMS plugins and abused to host webshells and droppers.",
				InfrastructureTypes: []string{"hosting-malware", "staging"},
				FirstSeen:           ts(created.Add(-time.Duration(10+g.rng.IntN(60)) * 24 * time.Hour)),
				Markings:            marks(TLPAmberStrict),
			}
		}
		g.emit(&inf)
		g.infraIDs = append(g.infraIDs, inf.ID)
		switch i {
		case 0, nC2: // revoked later
			r := inf
			r.Revoked = true
			r.Modified = ts(day(2017, time.March, 20, 11, 0).Add(time.Duration(i) * time.Minute))
			if i == 0 {
				r.Description = "Revoked: the addresses in this cluster belong to a research sinkhole operated by a partner, not to the botnet operators."
			} else {
				r.Description = "Revoked: duplicate of another compromised-website group after deconfliction with Europol EC3."
			}
			g.revokedInfra = append(g.revokedInfra, r)
		default:
			if i < nC2 {
				g.c2 = append(g.c2, infraRef{inf.ID, mw})
			} else {
				g.sites = append(g.sites, infraRef{inf.ID, mw})
			}
		}
	}

	// Core relationships.
	relT := day(2017, time.February, 4, 9, 0)
	g.rel("attributed-to", g.campaign.ID, g.intrusionSet, g.vendor.id, relT, TLPGreen, "")
	for i, m := range g.malware {
		g.rel("uses", g.campaign.ID, m.ID, g.vendor.id, relT.Add(time.Duration(i+1)*time.Minute), TLPGreen, "")
	}
	for i, id := range g.infraIDs {
		mw := 2
		if i < nC2 {
			mw = i % 2
		}
		mk := TLPAmber
		if i >= nC2 {
			mk = TLPAmberStrict
		}
		g.rel("uses", g.malware[mw].ID, id, g.vendor.id, relT.Add(time.Hour+time.Duration(i)*time.Minute), mk, "")
	}

	// Indicator timeline: spread over the investigation phase.
	g.indStart = day(2017, time.February, 6, 0, 0)
	g.spanMs = int64(67 * 24 * time.Hour / time.Millisecond)
	g.estGroups = max(int64(g.target-g.count-tailObjects)*10/25, 1)

	// Reserved address space: 198.18.0.0/15 and the three TEST-NETs.
	g.ipPools = [4]ipPool{
		newIPPool(g.rng, 198, 18, 0, 512),
		newIPPool(g.rng, 192, 0, 2, 1),
		newIPPool(g.rng, 198, 51, 100, 1),
		newIPPool(g.rng, 203, 0, 113, 1),
	}
}

func (g *gen) rel(typ, src, dst, by string, t time.Time, marking, desc string) {
	g.emit(&relationshipSRO{
		common:           g.sdo("relationship", by, t),
		RelationshipType: typ,
		Description:      desc,
		SourceRef:        src,
		TargetRef:        dst,
		Markings:         marks(marking),
	})
}

// ---- indicator groups ------------------------------------------------------

func (g *gen) pickCreator() party {
	switch r := g.rng.IntN(100); {
	case r < 60:
		return g.vendor
	case r < 70:
		return g.interpol
	case r < 80:
		return g.europol
	case r < 95:
		return g.certs[g.rng.IntN(len(g.certs))]
	default:
		return g.partners[g.rng.IntN(len(g.partners))]
	}
}

func (g *gen) takeIP() (string, bool) {
	first := 0
	switch r := g.rng.IntN(100); {
	case r < 70:
		first = 0
	case r < 80:
		first = 1
	case r < 90:
		first = 2
	default:
		first = 3
	}
	for k := range len(g.ipPools) {
		if v, ok := g.ipPools[(first+k)%len(g.ipPools)].take(); ok {
			return v, true
		}
	}
	return "", false
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// group writes one indicator with its "indicates" relationship; one
// indicator in eight also gets its SCO and an infrastructure "consists-of"
// relationship, one in eight a sighting. It schedules later versions: one
// indicator in twenty gets an update, one in a hundred is revoked. The
// positions inside each block are drawn from the seeded source.
func (g *gen) group(i int) {
	if i%20 == 0 {
		g.updPos = i + g.rng.IntN(20)
	}
	if i%100 == 0 {
		g.revPos = i + g.rng.IntN(100)
	}
	if i%8 == 0 {
		g.sightPos = i + g.rng.IntN(8)
		g.scoPos = i + g.rng.IntN(8)
	}

	step := max(g.spanMs/g.estGroups, 1)
	created := g.indStart.Add(time.Duration(int64(i)*g.spanMs/g.estGroups+g.rng.Int64N(step)) * time.Millisecond)
	by := g.pickCreator()

	kind := g.rng.IntN(100) // <45 ip, <80 domain, else url
	var value, scoType string
	if kind < 45 {
		if v, ok := g.takeIP(); ok {
			value, scoType = v, "ipv4-addr"
		} else {
			kind = 45 // pool exhausted: domain instead
		}
	}
	var infra infraRef
	ind := indicatorSDO{
		PatternType:    "stix",
		PatternVersion: "2.1",
		ValidFrom:      ts(created.Add(-g.jitter(48 * time.Hour))),
		IndicatorTypes: []string{"malicious-activity"},
	}
	switch {
	case scoType == "ipv4-addr":
		infra = pick(g.rng, g.c2)
		ind.Name = g.malware[infra.malware].Name + " C2 IPv4 " + value
		ind.Description = "IPv4 address of a " + g.malware[infra.malware].Name + " command-and-control server, reported by " + by.name + "."
		ind.KillChainPhases = []killChainPhase{{"lockheed-martin-cyber-kill-chain", "command-and-control"}}
	case kind < 80:
		g.domainK++
		value = pick(g.rng, []string{"c2", "gate", "upd", "cdn", "api", "ns", "panel", "relay"}) + "-" +
			strconv.Itoa(g.domainK) + "." +
			pick(g.rng, []string{"botnet", "relaynet", "cloudsync", "updsrv", "mirrorhub", "netsvc"}) +
			pick(g.rng, []string{".example", ".example", ".test"})
		scoType = "domain-name"
		infra = pick(g.rng, g.c2)
		ind.Name = g.malware[infra.malware].Name + " C2 domain " + value
		ind.Description = "Domain resolving to " + g.malware[infra.malware].Name + " command-and-control servers, reported by " + by.name + "."
		ind.KillChainPhases = []killChainPhase{{"lockheed-martin-cyber-kill-chain", "command-and-control"}}
	default:
		g.urlK++
		value = "http://" + pick(g.rng, []string{"shop", "news", "clinic", "travel", "hotel", "school", "blog", "resort"}) + "-" +
			strconv.Itoa(g.urlK) + ".compromised.test/" +
			pick(g.rng, []string{"wp-includes/x.php", "wp-content/plugins/cache/gate.php", "images/up.php", "admin/inc/config.php", "media/tmp/load.php"})
		scoType = "url"
		infra = pick(g.rng, g.sites)
		ind.Name = "Compromised website URL hosting " + g.malware[infra.malware].Name
		ind.Description = "Webshell/dropper URL on a compromised website, reported by " + by.name + "."
		ind.IndicatorTypes = []string{"malicious-activity", "compromised"}
		ind.KillChainPhases = []killChainPhase{{"lockheed-martin-cyber-kill-chain", "delivery"}}
	}
	ind.Pattern = "[" + scoType + ":value = '" + value + "']"
	ind.common = g.sdo("indicator", by.id, created)
	ind.Confidence = 50 + 5*g.rng.IntN(10)
	switch {
	case scoType == "url":
		ind.Markings = marks(TLPAmberStrict)
	case g.rng.IntN(4) == 0:
		ind.Markings = marks(TLPAmber)
	default:
		ind.Markings = marks(TLPGreen)
	}
	mw := g.malware[infra.malware]

	// SCO for one indicator in eight, linked to the infrastructure it
	// belongs to.
	if i == g.scoPos {
		sid := scoID(scoType, value)
		g.emit(&scoValue{Type: scoType, SpecVersion: specVersion, ID: sid, Value: value})
		mk := TLPAmber
		if scoType == "url" {
			mk = TLPAmberStrict
		}
		g.rel("consists-of", infra.id, sid, by.id, created.Add(g.jitter(time.Hour)), mk, "")
	}
	g.emit(&ind)
	if len(g.indicatorRefs) < reportIndicatorRefs {
		g.indicatorRefs = append(g.indicatorRefs, ind.ID)
	}
	g.rel("indicates", ind.ID, mw.ID, by.id, created.Add(g.jitter(10*time.Minute)), ind.Markings[0], "")

	if i == g.sightPos {
		g.sighting(&ind, created)
	}

	switch i {
	case g.revPos:
		v := ind
		v.Modified = ts(created.Add(48*time.Hour + g.jitter(20*24*time.Hour)))
		v.Revoked = true
		v.Description = "Revoked: " + value + " was found to be a benign or sinkholed resource during deconfliction."
		g.pending = append(g.pending, pendingVersion{due: i + 8 + g.rng.IntN(120), ind: v})
	case g.updPos:
		v := ind
		v.Modified = ts(created.Add(time.Hour + g.jitter(14*24*time.Hour)))
		if g.rng.IntN(3) == 0 {
			v.Confidence = max(ind.Confidence-25, 10)
			v.Description = ind.Description + " Update: activity not confirmed by partner telemetry; confidence lowered."
		} else {
			v.Confidence = min(ind.Confidence+30, 100)
			v.Description = ind.Description + " Update: confirmed by " + pick(g.rng, g.partners).name + " server-side evidence."
		}
		g.pending = append(g.pending, pendingVersion{due: i + 8 + g.rng.IntN(120), ind: v})
	}

	// Write versions that are due, keeping the rest in order.
	kept := g.pending[:0]
	for _, p := range g.pending {
		if p.due <= i {
			g.emit(&p.ind)
		} else {
			kept = append(kept, p)
		}
	}
	clear(g.pending[len(kept):])
	g.pending = kept
}

func (g *gen) sighting(ind *indicatorSDO, created time.Time) {
	cert := pick(g.rng, g.certs)
	where := []string{cert.id}
	if g.rng.IntN(10) < 3 {
		where = append(where, pick(g.rng, g.partners).id)
	}
	first := created.Add(g.jitter(48 * time.Hour))
	last := first.Add(g.jitter(7 * 24 * time.Hour))
	mk := TLPAmber
	if g.sightK%4 == 1 {
		mk = TLPRed
	}
	g.sightK++
	g.emit(&sightingSRO{
		common:           g.sdo("sighting", cert.id, last.Add(g.jitter(12*time.Hour))),
		Description:      "Observed in national network telemetry during the joint operation.",
		FirstSeen:        ts(first),
		LastSeen:         ts(last),
		Count:            1 + g.rng.IntN(500),
		SightingOfRef:    ind.ID,
		WhereSightedRefs: where,
		Markings:         marks(mk),
	})
}

// ---- tail ------------------------------------------------------------------

func (g *gen) tail() {
	for i := range g.revokedInfra {
		g.emit(&g.revokedInfra[i])
	}

	m := g.malware[0]
	m.Modified = ts(day(2017, time.April, 2, 14, 30))
	m.Aliases = []string{"Rustbell.B", "RB-Proxy"}
	m.LastSeen = ts(day(2017, time.April, 1, 0, 0))
	m.Description += " Update: variant B adds a SOCKS proxy module; aliases added after deconfliction with Europol EC3."
	g.emit(&m)

	c := g.campaign
	c.Modified = ts(day(2017, time.April, 18, 9, 0))
	c.LastSeen = ts(day(2017, time.April, 12, 0, 0))
	c.Description += " Update: most identified C2 servers were taken down or sinkholed and compromised website owners were notified."
	g.emit(&c)

	refs := []string{g.campaign.ID, g.intrusionSet}
	for _, m := range g.malware {
		refs = append(refs, m.ID)
	}
	refs = append(refs, g.infraIDs...)
	refs = append(refs, g.indicatorRefs...)
	pub := day(2017, time.April, 21, 6, 0)
	g.emit(&reportSDO{
		common: g.sdo("report", g.vendor.id, pub),
		Name:   "Joint operation against botnet C2 infrastructure in South-East Asia",
		Description: "Summary of intelligence shared between Aster Labs, INTERPOL, Europol EC3, national CERTs and partner companies. " +
			"The 2017 operation this scenario is modelled on identified about 9,000 C2 servers and hundreds of compromised websites; " +
			"all data in this feed is synthetic and uses reserved addresses and domains only.",
		ReportTypes: []string{"campaign", "indicator", "threat-report"},
		Published:   ts(pub),
		ObjectRefs:  refs,
		Markings:    marks(TLPGreen),
	})
}
