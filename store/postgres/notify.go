package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Account and resource changes are announced with NOTIFY on a channel of
// the schema, sent in the transaction that makes them (PostgreSQL delivers
// it at commit, to every listening session of the database); the payload
// says which. Each Store that has a callback (OnAccountsChanged,
// OnResourcesChanged) listens on a connection of its own.

// The payloads of the channel's notifications.
const (
	accountsChanged  = "accounts"
	resourcesChanged = "resources"
)

// notifyChannel names the channel of changes of a schema: one database
// may hold several Liaison schemas.
func notifyChannel(schema string) string {
	name := "liaison_accounts_" + schema
	if len(name) > 63 { // longer identifiers are truncated by the server
		name = fmt.Sprintf("liaison_accounts_%x", sha256.Sum256([]byte(schema)))[:63]
	}
	return name
}

// notifyAccounts announces, when tx commits, that credentials may now
// admit something else than before.
func (s *Store) notifyAccounts(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, accountsChanged)
	return err
}

// notifyResources announces, when tx commits, that an API root or a
// collection changed, or that objects were deleted: what replicas cached
// of them, and the entity tags of their pages, are stale.
func (s *Store) notifyResources(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, resourcesChanged)
	return err
}

// OnAccountsChanged registers f, called when any replica changed a
// password, an admin role, a grant, revoked a key or removed a user or a
// collection; and when the listening connection was lost and came back,
// since changes may have gone unheard meanwhile. f must not block. The
// first call of it or OnResourcesChanged starts the listener; it runs
// until Close.
func (s *Store) OnAccountsChanged(f func()) { s.onChange(&s.onAccounts, f) }

// OnResourcesChanged registers f, called when any replica (or a command
// on the same database) created, changed or removed an API root or a
// collection, or deleted objects; and when the listening connection came
// back. Additions need no call: they move CollectionLastAdded, which
// entity tags read. f must not block.
func (s *Store) OnResourcesChanged(f func()) { s.onChange(&s.onResources, f) }

func (s *Store) onChange(fs *[]func(), f func()) {
	s.listen.Lock()
	defer s.listen.Unlock()
	*fs = append(*fs, f)
	if s.stop != nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.done = stop, make(chan struct{})
	ready := make(chan struct{})
	go s.listenLoop(ctx, ready)
	// Wait (briefly) for the first LISTEN, so that a change made right
	// after this call is heard.
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
	}
}

// changed calls the callbacks of a notification's payload; "" (a lost
// connection back) calls them all.
func (s *Store) changed(payload string) {
	s.listen.Lock()
	var fs []func()
	if payload != resourcesChanged {
		fs = append(fs, s.onAccounts...)
	}
	if payload != accountsChanged {
		fs = append(fs, s.onResources...)
	}
	s.listen.Unlock()
	for _, f := range fs {
		f()
	}
}

// listenLoop listens until ctx ends, connecting again after a failure
// (after 1 s, doubling up to 30 s).
func (s *Store) listenLoop(ctx context.Context, ready chan struct{}) {
	defer close(s.done)
	wait := time.Second
	first := true
	for {
		err := s.listenOnce(ctx, func() {
			if first {
				close(ready)
				first = false
			} else {
				s.changed("") // what was said while nobody listened is lost
			}
			wait = time.Second
		})
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("listening for account and resource changes failed; caches expire by their TTL until it works again",
			slog.Any("error", err), slog.Duration("retry", wait))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, listening func()) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection leaves the pool: it listens for as long as it lives.
	c := conn.Hijack()
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return err
	}
	listening()
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		s.changed(n.Payload)
	}
}
