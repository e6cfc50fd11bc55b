package store

import (
	"fmt"
	"time"

	"liaison/stix"
)

// Collection is a collection of STIX objects in an API root (TAXII 2.1 §5.2).
type Collection struct {
	ID          string   `json:"id"`
	APIRoot     string   `json:"api_root"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	MediaTypes  []string `json:"media_types"`
	// PublicRead lets anyone, anonymous clients included, read the
	// collection. PublicWrite lets anyone write; only taxii.PublicAccess
	// (tests, trusted single-user setups) honours it, never the accounts.
	PublicRead  bool `json:"public_read"`
	PublicWrite bool `json:"public_write"`
	// RejectCustom makes validation refuse custom object types and
	// properties in this collection.
	RejectCustom bool `json:"reject_custom,omitempty"`
	// Sharing by markings: the clearance of anonymous clients of a
	// public-read collection (DefaultAnonymousClearance when empty), the
	// TLP level of unmarked objects (DefaultMarking when empty), whether
	// unmarked objects are refused instead, and the organisations
	// (identity ids) its TLP:AMBER+STRICT objects are shared with besides
	// their creator's.
	AnonymousClearance string    `json:"anonymous_clearance,omitempty"`
	DefaultMarking     string    `json:"default_marking,omitempty"`
	RequireMarking     bool      `json:"require_marking,omitempty"`
	StrictOrgs         []string  `json:"strict_orgs,omitempty"`
	Created            time.Time `json:"created"`
	Seq                uint64    `json:"seq"` // creation order, for a stable listing
}

// CollectionUpdate changes a collection; nil fields stay. An empty Alias
// removes the alias.
type CollectionUpdate struct {
	Title        *string   `json:"title,omitempty"`
	Description  *string   `json:"description,omitempty"`
	Alias        *string   `json:"alias,omitempty"`
	PublicRead   *bool     `json:"public_read,omitempty"`
	RejectCustom *bool     `json:"reject_custom,omitempty"`
	MediaTypes   *[]string `json:"media_types,omitempty"` // as Collection.MediaTypes

	AnonymousClearance *string   `json:"anonymous_clearance,omitempty"`
	DefaultMarking     *string   `json:"default_marking,omitempty"`
	RequireMarking     *bool     `json:"require_marking,omitempty"`
	StrictOrgs         *[]string `json:"strict_orgs,omitempty"`
}

// CollectionStats describes what a collection holds.
type CollectionStats struct {
	Objects    int       `json:"objects"`  // distinct objects
	Versions   int       `json:"versions"` // stored versions
	Bytes      int64     `json:"bytes"`    // bytes of stored JSON
	FirstAdded time.Time `json:"first_added,omitzero"`
	LastAdded  time.Time `json:"last_added,omitzero"`
}

// CollectionSummary is what monitoring asks of every collection: cheap to
// compute, unlike CollectionStats, which reads the whole collection.
type CollectionSummary struct {
	ID        string
	APIRoot   string
	Objects   int       // current objects
	LastAdded time.Time // the newest date_added held; zero when empty
}

// NewCollection checks a collection about to be created and returns it
// with empty MediaTypes set to STIX 2.1. Returns ErrInvalid for an empty
// title, a bad alias or an unknown media type. The backend then gives it
// an id (NewID), Created and Seq, and refuses an alias already used in the
// API root with ErrExists.
func NewCollection(c Collection) (Collection, error) {
	if c.Title == "" {
		return Collection{}, fmt.Errorf("collection: %w: title is required", ErrInvalid)
	}
	if c.Alias != "" {
		if err := CheckAlias(c.Alias); err != nil {
			return Collection{}, err
		}
	}
	if len(c.MediaTypes) == 0 {
		c.MediaTypes = []string{stix.MediaType(stix.SpecVersion21)}
	}
	if err := checkMediaTypes(c.MediaTypes); err != nil {
		return Collection{}, err
	}
	if err := c.checkSharing(); err != nil {
		return Collection{}, err
	}
	return c, nil
}

// checkSharing refuses, with ErrInvalid, sharing settings that are not TLP
// levels or identities.
func (c Collection) checkSharing() error {
	if _, err := ClearanceLevel(c.AnonymousClearance, DefaultAnonymousClearance); err != nil {
		return fmt.Errorf("collection anonymous clearance: %w", err)
	}
	if _, err := ClearanceLevel(c.DefaultMarking, DefaultMarking); err != nil {
		return fmt.Errorf("collection default marking: %w", err)
	}
	return checkOrgs("collection strict organisations", c.StrictOrgs)
}

// Apply returns c changed by u, or ErrInvalid when the result breaks a
// rule (as NewCollection). Whether a new alias is free in the API root is
// for the backend to check, with ErrExists.
func (u CollectionUpdate) Apply(c Collection) (Collection, error) {
	if u.Alias != nil && *u.Alias != c.Alias && *u.Alias != "" {
		if err := CheckAlias(*u.Alias); err != nil {
			return Collection{}, err
		}
	}
	set(&c.Title, u.Title)
	set(&c.Description, u.Description)
	set(&c.Alias, u.Alias)
	set(&c.PublicRead, u.PublicRead)
	set(&c.RejectCustom, u.RejectCustom)
	set(&c.MediaTypes, u.MediaTypes)
	set(&c.AnonymousClearance, u.AnonymousClearance)
	set(&c.DefaultMarking, u.DefaultMarking)
	set(&c.RequireMarking, u.RequireMarking)
	set(&c.StrictOrgs, u.StrictOrgs)
	if c.Title == "" {
		return Collection{}, fmt.Errorf("collection %q: %w: title is required", c.ID, ErrInvalid)
	}
	if err := checkMediaTypes(c.MediaTypes); err != nil {
		return Collection{}, err
	}
	if err := c.checkSharing(); err != nil {
		return Collection{}, err
	}
	return c, nil
}

// CheckAlias refuses, with ErrInvalid, an alias that is not a valid name
// or is shaped like an id: it would be ambiguous with a collection's id in
// a URL.
func CheckAlias(alias string) error {
	if stix.ValidUUID(alias) || !validName(alias) || reservedRoots[alias] {
		return fmt.Errorf("collection alias %q: %w: use 1-64 characters of a-z, 0-9, '-', '_' and '.', not shaped like an id", alias, ErrInvalid)
	}
	return nil
}

func checkMediaTypes(mts []string) error {
	if len(mts) == 0 {
		return fmt.Errorf("collection media types: %w: give at least one", ErrInvalid)
	}
	for _, mt := range mts {
		if mt != stix.MediaType(stix.SpecVersion21) && mt != stix.MediaType(stix.SpecVersion20) {
			return fmt.Errorf("collection media type %q: %w: use %s or %s", mt, ErrInvalid, stix.MediaType(stix.SpecVersion21), stix.MediaType(stix.SpecVersion20))
		}
	}
	return nil
}
