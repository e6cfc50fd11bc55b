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
	"embed"
	"encoding/json"
	"io"
	"math/rand/v2"
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

	// reportIndicatorRefs bounds how many indicators the report lists.
	reportIndicatorRefs = 64
	// maxInfrastructure bounds the number of infrastructure objects.
	maxInfrastructure = 256
	// tailObjects is the number of objects written after the indicator
	// stream: campaign v2, malware v2, two revoked infrastructure versions
	// and the report.
	tailObjects = 5
)

// ---- generator state -------------------------------------------------------

type party struct {
	id, name string
}

type infraRef struct {
	id      string
	malware int // index into generator.malware of the family that uses it
}

type pendingVersion struct {
	due int // group index after which the version is written
	ind indicatorSDO
}

type generator struct {
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

	ipPools       [4]ipPool
	domainCount   int
	urlCount      int
	sightingCount int
	updatePos     int
	revokePos     int
	sightPos      int
	scoPos        int

	indicatorStart  time.Time
	spanMillis      int64
	estimatedGroups int64
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
	g := &generator{
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
