package store

import "time"

// AuditEntry records one change made by an admin (or an object DELETE
// through TAXII): when, who, from where, what, and how it ended.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`             // the user, or local:<account> offline
	KeyID   string    `json:"key_id,omitempty"` // the API key used, if any
	Remote  string    `json:"remote"`           // the client address, or "local"
	Action  string    `json:"action"`           // e.g. collection.add, object.delete
	Target  string    `json:"target"`           // what it acted on
	Detail  string    `json:"detail,omitempty"`
	Outcome string    `json:"outcome"` // "ok", or what went wrong
}

// DefaultAuditRetention is how long audit entries are kept by default.
const DefaultAuditRetention = 365 * 24 * time.Hour

// AuditQuery selects audit entries.
type AuditQuery struct {
	Since time.Time // entries at or after it
	User  string    // of this user only, when set
	Limit int       // at most this many, the newest; 0: all
}
