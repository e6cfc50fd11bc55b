package store

import "time"

// Activity is what one principal (a consumer) did with one collection:
// the question a feed operator asks most is who polls, and how far behind
// they are.
type Activity struct {
	Principal   string    `json:"principal"`
	Collection  string    `json:"collection"`
	Requests    int64     `json:"requests"`
	LastRequest time.Time `json:"last_request"`
	// LastServed is the X-TAXII-Date-Added-Last of the last page of
	// objects it was served: how far it has read.
	LastServed  time.Time `json:"last_served,omitzero"`
	Day         string    `json:"day"` // the UTC day ServedToday counts
	ServedToday int64     `json:"served_today"`
	ServedTotal int64     `json:"served_total"`
	LastError   string    `json:"last_error,omitempty"` // status and error_code
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// Merge adds to a what d says happened after it. Backends merge each
// delta of RecordActivity into the stored activity with it.
func (a *Activity) Merge(d Activity) {
	a.Principal, a.Collection = d.Principal, d.Collection
	a.Requests += d.Requests
	if d.LastRequest.After(a.LastRequest) {
		a.LastRequest = d.LastRequest
		if !d.LastServed.IsZero() {
			a.LastServed = d.LastServed
		}
	}
	switch {
	case d.Day > a.Day:
		a.Day, a.ServedToday = d.Day, d.ServedToday
	case d.Day == a.Day:
		a.ServedToday += d.ServedToday
	}
	a.ServedTotal += d.ServedTotal
	if d.LastErrorAt.After(a.LastErrorAt) {
		a.LastError, a.LastErrorAt = d.LastError, d.LastErrorAt
	}
}
