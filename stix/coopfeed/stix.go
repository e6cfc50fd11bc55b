package coopfeed

import "time"

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

const tsLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func day(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func (g *generator) jitter(upTo time.Duration) time.Duration {
	return time.Duration(g.rng.Int64N(int64(upTo/time.Millisecond)+1)) * time.Millisecond
}

func (g *generator) sdo(typ, createdBy string, created time.Time) common {
	c := ts(created)
	return common{Type: typ, SpecVersion: specVersion, ID: g.newID(typ), CreatedByRef: createdBy, Created: c, Modified: c}
}

func marks(id string) []string { return []string{id} }
