package store

import (
	"context"
	"time"

	"liaison/stix"
)

// Copying a whole database to another backend (liaison copy) needs what
// Store does not give: each version's date_added, password and key hashes,
// status resources, the cursor secret. Backends that can be copied
// implement Exporter and Importer; an export of the copy equals the
// export of the original, item for item.

// Item is one record of an export: exactly one field is set. Items come
// in this order: the cursor secret; API roots by name; each collection (by
// Seq, with its sharing settings) followed by its versions by date_added;
// users by name (with their organisations, grants and clearances, and
// password hashes); API keys by id (with their hashes);
// statuses by id; audit entries oldest first; activity by collection and
// principal.
type Item struct {
	CursorSecret []byte          `json:"cursor_secret,omitempty"`
	APIRoot      *APIRoot        `json:"api_root,omitempty"`
	Collection   *CollectionItem `json:"collection,omitempty"`
	Version      *VersionItem    `json:"version,omitempty"`
	User         *User           `json:"user,omitempty"`
	APIKey       *APIKey         `json:"api_key,omitempty"`
	Status       *StatusItem     `json:"status,omitempty"`
	Audit        *AuditEntry     `json:"audit,omitempty"`
	Activity     *Activity       `json:"activity,omitempty"`
}

// CollectionItem is a collection with the latest date_added it gave
// (CollectionLastAdded, unix microseconds), which its versions may not
// show: the version that got it may be deleted.
type CollectionItem struct {
	Collection
	LastAdded uint64 `json:"last_added"`
}

// VersionItem is one stored object version of the collection before it.
// Its id, type, version instant and markings are those of Raw (stix.Peek),
// which an import reads again; an SCO's version is its date_added.
// Markings are written out so that comparing two exports compares what
// each backend keeps of them, which decides who may see the version.
type VersionItem struct {
	Collection  string        `json:"collection"`
	Position    uint64        `json:"position"` // date_added, unix microseconds
	VersionText string        `json:"version"`
	SpecVersion string        `json:"spec_version"`
	Markings    stix.Markings `json:"markings"`
	Raw         []byte        `json:"raw"`
}

// StatusItem is a status resource with its API root, owner and completion
// time (at microsecond precision, that of the retention's comparisons).
type StatusItem struct {
	APIRoot   string    `json:"api_root"`
	Owner     string    `json:"owner"`
	Completed time.Time `json:"completed"`
	Status    Status    `json:"status"`
}

// Exporter is implemented by backends that can be copied: Export calls
// emit with every item of the database, in the order of Item, from one
// consistent snapshot.
type Exporter interface {
	Export(ctx context.Context, emit func(Item) error) error
}

// Importer is implemented by backends that can be copied to: Import
// returns a writer of the items of another database's Export, in their
// order, into this one, which must hold no API root, collection or user
// (ErrNotEmpty). The database holds the copy once Close returns nil.
type Importer interface {
	Import(ctx context.Context) (ItemWriter, error)
}

// ItemWriter writes exported items into a database (see Importer).
type ItemWriter interface {
	Write(ctx context.Context, it Item) error
	// Close finishes the copy; a writer that failed or was not closed
	// may leave part of it behind (PostgreSQL leaves nothing).
	Close(ctx context.Context) error
}
