package store

import "time"

// Values of Status.Status.
const (
	StatusComplete = "complete"
	StatusPending  = "pending"
)

// DefaultStatusRetention is how long status resources are kept after their
// request completed, unless Options.StatusRetention says otherwise (TAXII
// 2.1 §4.3: SHOULD be at least 24 hours).
const DefaultStatusRetention = 24 * time.Hour

// Status is a status resource (TAXII 2.1 §4.3.1).
type Status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []StatusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []StatusDetail `json:"pendings,omitempty"`
}

// StatusDetail is one object's outcome in a status resource (TAXII 2.1
// §4.3.1, status-details).
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}
