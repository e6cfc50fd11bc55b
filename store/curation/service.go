// Package curation is the one place for curation rules: API roots,
// collections, accounts, imports, exports, object deletion and revocation,
// backups and statistics, each put on the audit trail. It works on any
// store.Store. The CLI uses it on the database file; the admin HTTP API
// (taxii/admin) uses it on a running server, and Client asks that API.
package curation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"liaison/stix"
	"liaison/store"
)

// Service performs curation operations on a store.
type Service struct {
	Store store.Store
	// Logger receives what cannot be returned: a failure to record an
	// audit entry.
	Logger *slog.Logger
	// Validator checks imported and revoked objects; nil: one is made when
	// first needed (compiling the schemas takes a tenth of a second that
	// account commands need not spend).
	Validator *stix.Validator
	Now       func() time.Time
	// BatchSize is the number of objects an import commits per
	// transaction.
	BatchSize int

	validatorOnce sync.Once
}

func (s *Service) validator() *stix.Validator {
	s.validatorOnce.Do(func() {
		if s.Validator == nil {
			s.Validator = stix.NewValidator()
		}
	})
	return s.Validator
}

// New returns a Service on st.
func New(st store.Store, v *stix.Validator) *Service {
	return &Service{Store: st, Logger: slog.New(slog.DiscardHandler), Validator: v, Now: time.Now, BatchSize: 1000}
}

// CollectionInfo is a collection with what it holds.
type CollectionInfo struct {
	store.Collection
	Stats store.CollectionStats `json:"stats"`
}

// Collections lists the collections of an API root, or of every API root
// when root is empty, with their statistics.
func (s *Service) Collections(ctx context.Context, root string) ([]CollectionInfo, error) {
	roots := []string{root}
	if root == "" {
		all, err := s.Store.APIRoots(ctx)
		if err != nil {
			return nil, err
		}
		roots = roots[:0]
		for _, r := range all {
			roots = append(roots, r.Name)
		}
	}
	var out []CollectionInfo
	for _, r := range roots {
		colls, err := s.Store.Collections(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, c := range colls {
			st, err := s.Store.CollectionStats(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, CollectionInfo{Collection: c, Stats: st})
		}
	}
	return out, nil
}

// Find resolves a collection reference: its id, an alias unique across API
// roots, or ROOT/ALIAS. Returns store.ErrCollectionNotFound, or
// store.ErrInvalid for an ambiguous alias.
func (s *Service) Find(ctx context.Context, ref string) (store.Collection, error) {
	if root, alias, ok := strings.Cut(ref, "/"); ok {
		c, err := s.Store.Collection(ctx, root, alias)
		if errors.Is(err, store.ErrCollectionNotFound) {
			return c, fmt.Errorf("collection %q: %w", ref, store.ErrCollectionNotFound) // as typed
		}
		return c, err
	}
	roots, err := s.Store.APIRoots(ctx)
	if err != nil {
		return store.Collection{}, err
	}
	var found []store.Collection
	for _, r := range roots {
		if c, err := s.Store.Collection(ctx, r.Name, ref); err == nil {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return store.Collection{}, fmt.Errorf("collection %q: %w", ref, store.ErrCollectionNotFound)
	case 1:
		return found[0], nil
	}
	return store.Collection{}, fmt.Errorf("collection alias %q exists in several API roots: %w: use ROOT/ALIAS or the id", ref, store.ErrInvalid)
}

// Collection returns one collection with its statistics.
func (s *Service) Collection(ctx context.Context, ref string) (CollectionInfo, error) {
	c, err := s.Find(ctx, ref)
	if err != nil {
		return CollectionInfo{}, err
	}
	st, err := s.Store.CollectionStats(ctx, c.ID)
	return CollectionInfo{Collection: c, Stats: st}, err
}

// Stats describes the whole database.
type Stats struct {
	File        store.FileStats  `json:"file"`
	APIRoots    []store.APIRoot  `json:"api_roots"`
	Collections []CollectionInfo `json:"collections"`
}

// Stats returns the statistics of every API root and collection and of the
// database file.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	var err error
	if st.APIRoots, err = s.Store.APIRoots(ctx); err != nil {
		return st, err
	}
	if st.Collections, err = s.Collections(ctx, ""); err != nil {
		return st, err
	}
	if fs, ok := s.Store.(store.FileStore); ok {
		st.File, err = fs.FileStats(ctx)
	}
	return st, err
}
