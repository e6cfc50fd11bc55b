package coopfeed

import (
	"math/rand/v2"
	"strconv"
	"time"
)

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

// ---- indicator groups ------------------------------------------------------

func (g *generator) pickCreator() party {
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

func (g *generator) takeIP() (string, bool) {
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
func (g *generator) group(i int) {
	if i%20 == 0 {
		g.updatePos = i + g.rng.IntN(20)
	}
	if i%100 == 0 {
		g.revokePos = i + g.rng.IntN(100)
	}
	if i%8 == 0 {
		g.sightPos = i + g.rng.IntN(8)
		g.scoPos = i + g.rng.IntN(8)
	}

	step := max(g.spanMillis/g.estimatedGroups, 1)
	created := g.indicatorStart.Add(time.Duration(int64(i)*g.spanMillis/g.estimatedGroups+g.rng.Int64N(step)) * time.Millisecond)
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
		g.domainCount++
		value = pick(g.rng, []string{"c2", "gate", "upd", "cdn", "api", "ns", "panel", "relay"}) + "-" +
			strconv.Itoa(g.domainCount) + "." +
			pick(g.rng, []string{"botnet", "relaynet", "cloudsync", "updsrv", "mirrorhub", "netsvc"}) +
			pick(g.rng, []string{".example", ".example", ".test"})
		scoType = "domain-name"
		infra = pick(g.rng, g.c2)
		ind.Name = g.malware[infra.malware].Name + " C2 domain " + value
		ind.Description = "Domain resolving to " + g.malware[infra.malware].Name + " command-and-control servers, reported by " + by.name + "."
		ind.KillChainPhases = []killChainPhase{{"lockheed-martin-cyber-kill-chain", "command-and-control"}}
	default:
		g.urlCount++
		value = "http://" + pick(g.rng, []string{"shop", "news", "clinic", "travel", "hotel", "school", "blog", "resort"}) + "-" +
			strconv.Itoa(g.urlCount) + ".compromised.test/" +
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
	case g.revokePos:
		v := ind
		v.Modified = ts(created.Add(48*time.Hour + g.jitter(20*24*time.Hour)))
		v.Revoked = true
		v.Description = "Revoked: " + value + " was found to be a benign or sinkholed resource during deconfliction."
		g.pending = append(g.pending, pendingVersion{due: i + 8 + g.rng.IntN(120), ind: v})
	case g.updatePos:
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

func (g *generator) sighting(ind *indicatorSDO, created time.Time) {
	cert := pick(g.rng, g.certs)
	where := []string{cert.id}
	if g.rng.IntN(10) < 3 {
		where = append(where, pick(g.rng, g.partners).id)
	}
	first := created.Add(g.jitter(48 * time.Hour))
	last := first.Add(g.jitter(7 * 24 * time.Hour))
	mk := TLPAmber
	if g.sightingCount%4 == 1 {
		mk = TLPRed
	}
	g.sightingCount++
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
