package admin

import (
	"context"
	"encoding/json"
	"os"
	"os/user"

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
// logged by the store's logger.
func (s *Service) audit(ctx context.Context, action, target, detail string, err error) {
	a := actorOf(ctx)
	outcome := "ok"
	if err != nil {
		outcome = err.Error()
	}
	e := store.AuditEntry{User: a.User, KeyID: a.KeyID, Remote: a.Remote, Action: action, Target: target, Detail: detail, Outcome: outcome}
	// The request may be over (a client gone); the record is not.
	if rerr := s.DB.RecordAudit(context.WithoutCancel(ctx), e); rerr != nil {
		s.DB.Logger.Error("record audit entry", "action", action, "target", target, "error", rerr)
	}
}

// Audit returns audit entries.
func (s *Service) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return s.DB.Audit(ctx, q)
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
