package curation

import (
	"context"
	"encoding/json"
	"os"
	"os/user"
	"time"

	"liaison/store"
)

// Actor is who performs a curation operation, for the audit trail: the
// admin API sets it from the request's principal; offline, it is the
// account running the command.
type Actor struct {
	User   string
	KeyID  string
	Remote string
}

type actorKey struct{}

// WithActor returns ctx carrying the actor of the operations run with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// LocalActor is the actor of offline commands: the operating system
// account, as local:NAME.
func LocalActor() Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return Actor{User: "local:" + name, Remote: "local"}
}

func actorOf(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return LocalActor()
}

// audit records an operation and its outcome. A failure to record is
// returned to no one: the operation is done (or failed) already; it is
// logged.
func (s *Service) audit(ctx context.Context, action, target, detail string, err error) {
	a := actorOf(ctx)
	outcome := "ok"
	if err != nil {
		outcome = err.Error()
	}
	e := store.AuditEntry{User: a.User, KeyID: a.KeyID, Remote: a.Remote, Action: action, Target: target, Detail: detail, Outcome: outcome}
	// The request may be over (a client gone); the record is not.
	if rerr := s.Store.RecordAudit(context.WithoutCancel(ctx), e); rerr != nil {
		s.Logger.Error("record audit entry", "action", action, "target", target, "error", rerr)
	}
}

// Audit returns audit entries.
func (s *Service) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return s.Store.Audit(ctx, q)
}

// describeChange renders the settings a change sets, for the audit trail;
// secrets never pass through here.
func describeChange(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func forced(force bool) string {
	if force {
		return "force"
	}
	return ""
}

func rights(g store.Grant) string {
	switch {
	case g.Read && g.Write:
		return "read+write"
	case g.Read:
		return "read"
	case g.Write:
		return "write"
	}
	return "none"
}

// ConsumerInfo is what a principal did with a collection, with what the
// collection holds now, so that one can see how far behind it is.
type ConsumerInfo struct {
	store.Activity
	APIRoot string `json:"api_root"`
	Alias   string `json:"alias,omitempty"`
	// CollectionLastAdded is the collection's newest date_added: a
	// consumer whose LastServed is older has not read everything.
	CollectionLastAdded time.Time `json:"collection_last_added,omitzero"`
}

// Consumers returns the activity on a collection (ref), or on every
// collection when ref is empty, most recent first.
func (s *Service) Consumers(ctx context.Context, ref string) ([]ConsumerInfo, error) {
	id := ""
	if ref != "" {
		c, err := s.Find(ctx, ref)
		if err != nil {
			return nil, err
		}
		id = c.ID
	}
	acts, err := s.Store.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	colls, err := s.collectionsByID(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := s.Store.CollectionSummaries(ctx)
	if err != nil {
		return nil, err
	}
	last := map[string]time.Time{}
	for _, su := range sums {
		last[su.ID] = su.LastAdded
	}
	out := make([]ConsumerInfo, 0, len(acts))
	for _, a := range acts {
		c, ok := colls[a.Collection]
		if !ok {
			continue // removed since
		}
		out = append(out, ConsumerInfo{Activity: a, APIRoot: c.APIRoot, Alias: c.Alias, CollectionLastAdded: last[a.Collection]})
	}
	return out, nil
}
