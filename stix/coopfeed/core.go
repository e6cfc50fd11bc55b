package coopfeed

import (
	"fmt"
	"time"
)

const (
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

// ---- fixed core ------------------------------------------------------------

func (g *generator) core() {
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
	g.indicatorStart = day(2017, time.February, 6, 0, 0)
	g.spanMillis = int64(67 * 24 * time.Hour / time.Millisecond)
	g.estimatedGroups = max(int64(g.target-g.count-tailObjects)*10/25, 1)

	// Reserved address space: 198.18.0.0/15 and the three TEST-NETs.
	g.ipPools = [4]ipPool{
		newIPPool(g.rng, 198, 18, 0, 512),
		newIPPool(g.rng, 192, 0, 2, 1),
		newIPPool(g.rng, 198, 51, 100, 1),
		newIPPool(g.rng, 203, 0, 113, 1),
	}
}

func (g *generator) rel(typ, src, dst, by string, t time.Time, marking, desc string) {
	g.emit(&relationshipSRO{
		common:           g.sdo("relationship", by, t),
		RelationshipType: typ,
		Description:      desc,
		SourceRef:        src,
		TargetRef:        dst,
		Markings:         marks(marking),
	})
}

// ---- tail ------------------------------------------------------------------

func (g *generator) tail() {
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
