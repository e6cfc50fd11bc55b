package taxii

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"liaison/store"
)

// Activity gathers, in memory, what each principal does with each
// collection (requests, objects served, how far it has read, its last
// error) and hands it to the store in batches with Flush: reading a feed
// never costs a write per request.
type Activity struct {
	Store store.Store
	Now   func() time.Time

	mu      sync.Mutex
	pending map[activityKey]*store.Activity
}

type activityKey struct{ principal, collection, day string }

// NewActivity returns an Activity recording into st.
func NewActivity(st store.Store) *Activity {
	return &Activity{Store: st, Now: time.Now, pending: map[activityKey]*store.Activity{}}
}

// maxPendingActivity bounds the memory between flushes: past it, new
// pairs wait for the next flush (their requests are not counted).
const maxPendingActivity = 100_000

// observe records one request of a principal on a collection.
func (a *Activity) observe(principal, collection string, served int, lastServed time.Time, status int, code string) {
	if a == nil || collection == "" {
		return
	}
	now := a.Now().UTC()
	k := activityKey{principal, collection, now.Format(time.DateOnly)}
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.pending[k]
	if d == nil {
		if len(a.pending) >= maxPendingActivity {
			return
		}
		d = &store.Activity{Principal: principal, Collection: collection, Day: k.day}
		a.pending[k] = d
	}
	d.Requests++
	d.LastRequest = now
	if !lastServed.IsZero() {
		d.LastServed = lastServed
	}
	d.ServedToday += int64(served)
	d.ServedTotal += int64(served)
	if status >= 400 {
		d.LastError, d.LastErrorAt = strconv.Itoa(status)+" "+code, now
	}
}

// Flush hands what was gathered since the last flush to the store. On
// failure the batch is kept, to be retried.
func (a *Activity) Flush(ctx context.Context) error {
	a.mu.Lock()
	batch := a.pending
	a.pending = map[activityKey]*store.Activity{}
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	deltas := make([]store.Activity, 0, len(batch))
	for _, d := range batch {
		deltas = append(deltas, *d)
	}
	// Oldest day first, so that each day's count lands before the next.
	sortByDay(deltas)
	if err := a.Store.RecordActivity(ctx, deltas); err != nil {
		a.mu.Lock()
		for k, d := range batch {
			if p := a.pending[k]; p != nil {
				d.Merge(*p) // what came in meanwhile is newer
			}
			a.pending[k] = d
		}
		a.mu.Unlock()
		return err
	}
	return nil
}

func sortByDay(ds []store.Activity) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Day < ds[j-1].Day; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// Keys of what a request's handler tells the activity recorder.
const (
	servedKey     = "liaison.served"      // int: objects served
	servedLastKey = "liaison.served-last" // time.Time: X-TAXII-Date-Added-Last
	errorCodeKey  = "liaison.error-code"  // string: the error_code answered
)

// observeActivity records the request c answered.
func (s *Server) observeActivity(c echo.Context) {
	if s.Activity == nil {
		return
	}
	served, _ := c.Get(servedKey).(int)
	last, _ := c.Get(servedLastKey).(time.Time)
	code, _ := c.Get(errorCodeKey).(string)
	status, id := c.Response().Status, collectionID(c)
	if id == "" && status >= 400 && c.Param("coll") != "" {
		// Refused before the collection was resolved (a bad parameter,
		// say): that is the error its consumer needs to see most.
		if coll, err := s.collectionByName(c.Request().Context(), c.Param("root"), c.Param("coll")); err == nil {
			id = coll.ID
		}
	}
	s.Activity.observe(principal(c).Name, id, served, last, status, code)
}
