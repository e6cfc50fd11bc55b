package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"liaison/stix"
	"liaison/store"
)

// Sharing by markings (see the package documentation of store): each
// version row holds its markings (tlp, creator, others), and every query
// with a clearance tests them in SQL, on the rows its index scan reads
// anyway. A restricted client's default query reads the current versions
// and the shadows (is_shadow): the versions that are the newest some
// clients may see although the object has a newer one (a re-marking).

// markingColumns are the columns of a version's markings, in the order
// scanMarkings reads them.
const markingColumns = "tlp, creator, others"

// strictBit is the bit of the tlp column that says TLP:AMBER+STRICT is
// among the markings (stix.Markings.Strict), beside the level in the low
// bits, as store/bolt keeps it: its organisation rule holds beside RED.
const strictBit = 0x80

// tlpColumn is the tlp column's value for m.
func tlpColumn(m stix.Markings) int16 {
	if m.Strict {
		return int16(m.TLP) | strictBit
	}
	return int16(m.TLP)
}

// markingsOf builds the stix.Markings of a row.
func markingsOf(tlp int16, creator string, others []string) stix.Markings {
	m := stix.Markings{TLP: stix.TLPLevel(tlp &^ strictBit), Strict: tlp&strictBit != 0, Creator: creator}
	if len(others) > 0 {
		m.Others = others
	}
	return m
}

// nonNil returns list, or an empty list for nil: the array columns are
// NOT NULL.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// nilIfEmpty returns nil for an empty list, as the JSON of the other
// backend reads it back.
func nilIfEmpty(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

// clearanceParams is the number of statement parameters a clearance
// takes (clearanceArgs).
const clearanceParams = 5

// clearanceArgs returns the statement parameters of a clearance, which
// admitsSQL reads from $p on: its level, the collection's default level of
// unmarked versions, the client's organisation, whether the collection
// shares its AMBER+STRICT versions with that organisation, the other
// markings allowed.
func clearanceArgs(cl *store.Clearance) []any {
	return []any{int16(cl.Level), int16(cl.Default), cl.Org, cl.StrictOrg, nonNil(cl.Allow)}
}

// admitsSQL is the SQL condition that the clearance whose parameters start
// at $p (clearanceArgs) admits the version whose columns are prefixed by
// x ("" or "alias."): store.Clearance.Admits, in SQL. An unmarked
// version has the collection's default level; TLP:AMBER+STRICT (the
// level, or the strict bit beside RED) needs the client's organisation to
// be the version's creator, or the collection to name it; every other
// marking must be allowed.
func admitsSQL(x string, p int) string {
	level := fmt.Sprintf("(CASE WHEN %[1]stlp = %[2]d THEN $%[3]d::int2 ELSE %[1]stlp & %[4]d END)", x, stix.TLPNone, p+1, strictBit-1)
	strict := fmt.Sprintf("(%[1]s = %[2]d OR %[3]stlp & %[4]d <> 0)", level, stix.TLPAmberStrict, x, strictBit)
	return fmt.Sprintf("(%[1]s <= $%[2]d::int2 AND (NOT %[3]s OR $%[4]d::bool OR ($%[5]d::text <> '' AND %[6]screator = $%[5]d::text)) AND %[6]sothers <@ $%[7]d::text[])",
		level, p, strict, p+3, p+2, x, p+4)
}

// markedVersion is what choosing an object's current version and its
// shadows needs of one of its versions, with the flags its row holds and
// those it should hold. A fresh version has no row yet: its flags go with
// its insert.
type markedVersion struct {
	versionInfo
	markings                           stix.Markings
	fresh                              bool
	current, shadow, mixed             bool
	wantCurrent, wantShadow, wantMixed bool
}

// computeShadows sets, for the versions of one object whose wantCurrent
// is set, the other flags their rows should hold: a version is a shadow
// when a newer one (by the order that chooses the current version) is not
// at least as visible; the current version is marked mixed when the
// versions differ in markings. The same rule as store/bolt's, so that both
// backends answer alike.
func computeShadows(vs []markedVersion) {
	order := make([]*markedVersion, len(vs))
	for i := range vs {
		order[i] = &vs[i]
	}
	slices.SortFunc(order, func(a, b *markedVersion) int {
		switch {
		case currentLess(&a.versionInfo, &b.versionInfo):
			return -1
		case currentLess(&b.versionInfo, &a.versionInfo):
			return 1
		}
		return 0
	})
	mixed := false
	for i, v := range order {
		v.wantShadow = false
		for _, w := range order[i+1:] {
			if !store.AtLeastAsVisible(w.markings, v.markings) {
				v.wantShadow = true
				break
			}
		}
		if !sameMarkings(v.markings, order[0].markings) {
			mixed = true
		}
	}
	for _, v := range order {
		v.wantMixed = v.wantCurrent && mixed
	}
}

func sameMarkings(a, b stix.Markings) bool {
	return a.TLP == b.TLP && a.Strict == b.Strict && a.Creator == b.Creator && slices.Equal(a.Others, b.Others)
}

// queueFlagUpdates queues the update of the stored rows of vs whose flags
// are not what they should be, each row once. A row that stops being
// current goes first: an object has one current version at any time (a
// unique index).
func queueFlagUpdates(b *pgx.Batch, seq int64, vs []markedVersion) {
	for _, losing := range []bool{true, false} {
		var added []int64
		var current, shadow, mixed []bool
		for _, v := range vs {
			changed := v.current != v.wantCurrent || v.shadow != v.wantShadow || v.mixed != v.wantMixed
			if !v.fresh && changed && (v.current && !v.wantCurrent) == losing {
				added, current = append(added, v.added), append(current, v.wantCurrent)
				shadow, mixed = append(shadow, v.wantShadow), append(mixed, v.wantMixed)
			}
		}
		if len(added) > 0 {
			b.Queue(`UPDATE versions v SET is_current = u.c, is_shadow = u.s, mixed = u.m FROM unnest($2::int8[], $3::bool[], $4::bool[], $5::bool[]) AS u(a, c, s, m)
				WHERE v.coll = $1 AND v.date_added = u.a`, seq, added, current, shadow, mixed)
		}
	}
}

// markedVersionColumns are what scanMarkedVersion reads.
const markedVersionColumns = `id, date_added, version_s, version_ns, spec, is_current, is_shadow, mixed, ` + markingColumns

func scanMarkedVersion(rows pgx.Rows) (string, markedVersion, error) {
	var id string
	var v markedVersion
	var tlp int16
	var creator string
	var others []string
	err := rows.Scan(&id, &v.added, &v.s, &v.ns, &v.spec, &v.current, &v.shadow, &v.mixed, &tlp, &creator, &others)
	v.markings = markingsOf(tlp, creator, others)
	return id, v, err
}

// readMarkedVersions returns every version of the objects ids of a
// collection, by object, in date_added order.
func readMarkedVersions(ctx context.Context, tx pgx.Tx, seq int64, ids []string) (map[string][]markedVersion, error) {
	byID := map[string][]markedVersion{}
	if len(ids) == 0 {
		return byID, nil
	}
	rows, err := tx.Query(ctx, `SELECT `+markedVersionColumns+` FROM versions WHERE coll = $1 AND id = ANY($2) ORDER BY id, date_added`, seq, ids)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		id, v, err := scanMarkedVersion(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[id] = append(byID[id], v)
	}
	return byID, rows.Err()
}

// refreshShadows recomputes the shadows and the mixed mark of the objects
// ids of a collection from their rows, whose current versions are marked,
// within tx (which holds the collection's lock).
func refreshShadows(ctx context.Context, tx pgx.Tx, seq int64, ids []string) error {
	byID, err := readMarkedVersions(ctx, tx, seq, ids)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, vs := range byID {
		for i := range vs {
			vs[i].wantCurrent = vs[i].current
		}
		computeShadows(vs)
		queueFlagUpdates(b, seq, vs)
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// markingArrays are the markings of the rows of a bulk insert, one array
// per column; the other markings of each row go as a JSON array, since an
// array of arrays is not a list of rows to unnest.
type markingArrays struct {
	tlp     []int16
	creator []string
	others  []string
}

func newMarkingArrays(n int) markingArrays {
	return markingArrays{tlp: make([]int16, n), creator: make([]string, n), others: make([]string, n)}
}

func (a *markingArrays) set(i int, m stix.Markings) {
	a.tlp[i], a.creator[i] = tlpColumn(m), m.Creator
	a.others[i] = "[]"
	if len(m.Others) > 0 {
		b, _ := json.Marshal(m.Others) // strings: cannot fail
		a.others[i] = string(b)
	}
}

// othersFromJSON is the SQL that turns the JSON array in column o of a
// bulk insert's rows back into the others column's text[].
const othersFromJSON = `CASE WHEN o = '[]' THEN '{}'::text[] ELSE ARRAY(SELECT json_array_elements_text(o::json)) END`
