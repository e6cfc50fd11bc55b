package taxii_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"liaison/taxii"
)

// dateIndex maps the versions of a collection to their date_added, read
// from the manifest with every version and spec version. Versions of one
// object are keyed with an empty id too (for the versions endpoint), and an
// object with one version also by its id alone (an SCO in an envelope
// carries no version).
func dateIndex(t *testing.T, f *fixture, coll string) map[item]string {
	t.Helper()
	res := f.get(t, "/api1/collections/{"+coll+"}/manifest/?match[version]=all&match[spec_version]=2.0,2.1&limit=1000")
	p := decodePage(t, res, "objects")
	if p.more {
		t.Fatal("manifest does not fit one page")
	}
	idx := map[item]string{}
	count := map[string]int{}
	for i, it := range p.items {
		idx[it] = p.added[i]
		count[it.id]++
	}
	for i, it := range p.items {
		if count[it.id] == 1 {
			idx[item{it.id, ""}] = p.added[i]
		}
	}
	return idx
}

// walker pages through a query with next tokens.
type walker struct {
	f        *fixture
	endpoint string // objects, manifest, object or versions
	path     string // without query string
	query    string // the original filters
	limit    int
	// nextQuery builds the query of a follow-up request from the next
	// token; nil sends only next and limit.
	nextQuery func(next string) string
	dates     map[item]string // for the X-TAXII-Date-Added headers
	objectID  string          // for the versions endpoint
}

// walk returns every item listed and the number of pages. It checks each
// page: no more items than the limit, exactly limit when more is true,
// next iff more, the date headers of the first and last item.
func (w walker) walk(t *testing.T) ([]item, int) {
	t.Helper()
	key := "objects"
	if w.endpoint == "versions" {
		key = "versions"
	}
	q := w.query
	var all []item
	for pages := 1; pages < 100; pages++ {
		target := w.path + "?" + strings.TrimPrefix(q+"&limit="+strconv.Itoa(w.limit), "&")
		res := w.f.get(t, target)
		expectStatus(t, res, http.StatusOK)
		if res.status != http.StatusOK {
			return all, pages
		}
		var p page
		if string(res.body) == `{"more":false}` {
			expectDateHeaders(t, res, "", "")
		} else {
			p = decodePage(t, res, key)
			if len(p.items) > w.limit || (p.more && len(p.items) != w.limit) {
				t.Errorf("page %d has %d items with limit %d and more %v", pages, len(p.items), w.limit, p.more)
			}
			if len(p.items) > 0 {
				first, last := p.items[0], p.items[len(p.items)-1]
				expectDateHeaders(t, res, w.dates[first], w.dates[last])
			}
			for _, it := range p.items {
				if w.endpoint == "versions" {
					it.id = w.objectID
				}
				all = append(all, it)
			}
		}
		if !p.more {
			return all, pages
		}
		if w.nextQuery == nil {
			q = "next=" + url.QueryEscape(p.next)
		} else {
			q = w.nextQuery(p.next)
		}
	}
	t.Fatal("paging does not end")
	return nil, 0
}

// TestPagingFollowNext: following next yields the rest of the original
// filtered query, every version exactly once, whether the client sends only
// next and limit (as Elastic's and the OASIS client do) or repeats the
// filters (TAXII 2.1 §3.4).
func TestPagingFollowNext(t *testing.T) {
	f := newFixture(t)
	coll := func(name string) string { return "/api1/collections/{" + name + "}/" }
	tests := []struct {
		name  string
		given walker
		// expect: the items, as the same query lists them on one page, and
		// how many there are and how many pages it takes.
		expectCount, expectPages int
	}{
		{"objects, bulk, default filters", walker{endpoint: "objects", path: coll("bulk") + "objects/", limit: 5}, 13, 3},
		{"manifest, bulk, all versions, exact last page", walker{endpoint: "manifest", path: coll("bulk") + "manifest/", query: "match[version]=all", limit: 4}, 16, 4},
		{"objects, indicators, all versions", walker{endpoint: "objects", path: coll("public") + "objects/", query: "match[type]=indicator&match[version]=all", limit: 2}, 5, 3},
		{"manifest, added_after", walker{endpoint: "manifest", path: coll("public") + "manifest/", query: "added_after=" + pubAdded(2), limit: 2}, 6, 3},
		{"manifest, added_after, type and all versions", walker{endpoint: "manifest", path: coll("public") + "manifest/", query: "added_after=" + pubAdded(0) + "&match[type]=indicator&match[version]=all", limit: 3}, 4, 2},
		{"manifest, two ids, all versions", walker{endpoint: "manifest", path: coll("public") + "manifest/", query: "match[id]=" + idB + "," + idA + "&match[version]=all", limit: 2}, 5, 3},
		{"objects, spec_version 2.0, all versions", walker{endpoint: "objects", path: coll("mixed") + "objects/", query: "match[spec_version]=2.0&match[version]=all", limit: 2}, 3, 2},
		{"object, all versions", walker{endpoint: "object", path: coll("public") + "objects/" + idA + "/", query: "match[version]=all", limit: 1}, 3, 3},
		{"versions", walker{endpoint: "versions", path: coll("public") + "objects/" + idA + "/versions/", limit: 2, objectID: idA}, 3, 2},
		{"versions, both spec versions", walker{endpoint: "versions", path: coll("mixed") + "objects/" + idS + "/versions/", query: "match[spec_version]=2.1,2.0", limit: 1, objectID: idS}, 3, 3},
	}
	modes := []struct {
		name      string
		nextQuery func(w walker) func(string) string
	}{
		{"only next and limit", func(walker) func(string) string { return nil }},
		{"next with the filters repeated", func(w walker) func(string) string {
			return func(next string) string { return w.query + "&next=" + url.QueryEscape(next) }
		}},
		{"next first, filters reordered", func(w walker) func(string) string {
			parts := strings.Split(w.query, "&")
			slices.Reverse(parts)
			return func(next string) string { return "next=" + url.QueryEscape(next) + "&" + strings.Join(parts, "&") }
		}},
	}
	for _, tt := range tests {
		w := tt.given
		w.f = f
		for _, c := range []string{"bulk", "mixed", "public"} {
			if strings.Contains(w.path, "{"+c+"}") {
				w.dates = dateIndex(t, f, c)
			}
		}
		if w.endpoint == "versions" {
			for k, v := range w.dates {
				if k.id == w.objectID {
					w.dates[item{"", k.version}] = v
				}
			}
		}
		// The whole result on one page.
		one := w
		one.limit = 1000
		want, pages := one.walk(t)
		if pages != 1 || len(want) != tt.expectCount {
			t.Fatalf("%s: one page lists %d items in %d pages, want %d in 1", tt.name, len(want), pages, tt.expectCount)
		}
		for _, m := range modes {
			if m.name != "only next and limit" && w.query == "" {
				continue
			}
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				w := w
				w.nextQuery = m.nextQuery(w)
				got, pages := w.walk(t)
				expectItems(t, got, want)
				if pages != tt.expectPages {
					t.Errorf("%d pages, want %d", pages, tt.expectPages)
				}
			})
		}
	}
}

// firstNext returns the next token of the first page of a query.
func firstNext(t *testing.T, h func(*testing.T, string) *response, target string) string {
	t.Helper()
	res := h(t, target)
	expectStatus(t, res, http.StatusOK)
	key := "objects"
	if strings.Contains(target, "/versions/") {
		key = "versions"
	}
	p := decodePage(t, res, key)
	if p.next == "" {
		t.Fatalf("no next token from %s: %s", target, res.body)
	}
	return p.next
}

// TestPagingNextRefused: a next token is good only for the query, endpoint,
// collection and server that issued it (TAXII 2.1 Appendix B: next MUST NOT
// be trusted).
func TestPagingNextRefused(t *testing.T) {
	f := newFixture(t)
	get := f.get
	pub := "/api1/collections/{public}/"
	indicators := firstNext(t, get, pub+"objects/?match[type]=indicator&match[version]=all&limit=2")
	objects := firstNext(t, get, pub+"objects/?limit=2")
	manifest := firstNext(t, get, pub+"manifest/?limit=2")
	objectA := firstNext(t, get, pub+"objects/"+idA+"/?match[version]=all&limit=1")
	versionsA := firstNext(t, get, pub+"objects/"+idA+"/versions/?limit=1")
	bulk := firstNext(t, get, "/api1/collections/{bulk}/objects/?limit=2")
	tiny := firstNext(t, get, "/small/collections/{tiny}/objects/")
	other := taxii.NewServer(f.db, []byte("another cursor key")).Handler()
	foreign := firstNext(t, func(t *testing.T, target string) *response {
		return serve(t, other, f.repl.Replace(target), request{})
	}, pub+"objects/?limit=2")

	tests := []struct {
		name   string
		given  string // the token
		when   string // request path and query, without next
		expect string // substring of the description
	}{
		{"different type filter", indicators, pub + "objects/?match[type]=malware&match[version]=all", "other filters"},
		{"different version filter", indicators, pub + "objects/?match[type]=indicator&match[version]=last", "other filters"},
		{"one filter dropped", indicators, pub + "objects/?match[type]=indicator", "other filters"},
		{"a filter added", indicators, pub + "objects/?match[type]=indicator&match[version]=all&added_after=" + pubAdded(0), "other filters"},
		{"filters added to an unfiltered query", objects, pub + "objects/?match[type]=indicator", "other filters"},
		{"objects token on the manifest", objects, pub + "manifest/?", "another endpoint"},
		{"manifest token on objects", manifest, pub + "objects/?", "another endpoint"},
		{"object token on versions", objectA, pub + "objects/" + idA + "/versions/?", "another endpoint"},
		{"versions token on the object", versionsA, pub + "objects/" + idA + "/?", "another endpoint"},
		{"object token on another object", objectA, pub + "objects/" + idB + "/?match[version]=all", "another endpoint"},
		{"versions token on another object", versionsA, pub + "objects/" + idB + "/versions/?", "another endpoint"},
		{"token of another collection", bulk, pub + "objects/?", "another endpoint"},
		{"token of another collection with the same filters", bulk, "/api1/collections/{mixed}/objects/?", "another endpoint"},
		{"token of another API root", tiny, pub + "objects/?", "another endpoint"},
		{"token of a server with another cursor key", foreign, pub + "objects/?", "not a token this server issued"},
		{"random string", "c29tZXRoaW5n", pub + "objects/?", "not a token this server issued"},
		{"random dotted string", "abc.def", pub + "objects/?", "not a token this server issued"},
		{"only a dot", ".", pub + "objects/?", "not a token this server issued"},
		{"truncated", objects[:len(objects)-3], pub + "objects/?", "not a token this server issued"},
		{"extended", objects + "AA", pub + "objects/?", "not a token this server issued"},
		{"tag cut off", objects[:len(objects)-22], pub + "objects/?", "not a token this server issued"},
		{"payload flipped", flip(objects, 5), pub + "objects/?", "not a token this server issued"},
		{"tag flipped", flip(objects, len(objects)-5), pub + "objects/?", "not a token this server issued"},
		{"nonce flipped", flip(objects, 3), pub + "objects/?", "not a token this server issued"},
		{"nonce of one token, sealed payload of another", manifest[:16] + objects[16:], pub + "objects/?", "not a token this server issued"},
		{"huge token", strings.Repeat("A", 70<<10) + ".AAAA", pub + "objects/?", "not a token this server issued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.when+"&next="+url.QueryEscape(tt.given))
			expectError(t, res, wantError{status: http.StatusBadRequest, code: "bad-parameter", param: "next", desc: []string{tt.expect}})
		})
	}

	// A token hides what it carries: a position may be a version hidden
	// from the client by its markings (a page the scan limit cut short
	// ends on whatever was scanned last).
	t.Run("a token is sealed", func(t *testing.T) {
		raw, err := base64.RawURLEncoding.DecodeString(objects)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{`"pos"`, `"c"`, "collections"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the token %q shows %s", objects, secret)
			}
		}
	})
	t.Run("a token can be used again", func(t *testing.T) {
		a := f.get(t, pub+"objects/?limit=2&next="+url.QueryEscape(objects))
		b := f.get(t, pub+"objects/?limit=2&next="+url.QueryEscape(objects))
		expectStatus(t, a, http.StatusOK)
		if string(a.body) != string(b.body) || a.header.Get("X-TAXII-Date-Added-First") != b.header.Get("X-TAXII-Date-Added-First") {
			t.Errorf("the same token gave different pages:\n%s\n%s", a.body, b.body)
		}
	})
	t.Run("token of another collection, sent to an alias", func(t *testing.T) {
		res := f.get(t, "/api1/collections/high-value/objects/?next="+url.QueryEscape(objects))
		expectError(t, res, wantError{status: http.StatusBadRequest, code: "bad-parameter", param: "next"})
	})
}

// flip changes the character at i of a base64url token to another one.
func flip(s string, i int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	j := strings.IndexByte(alphabet, s[i])
	return s[:i] + string(alphabet[(j+32)%64]) + s[i+1:]
}

// TestPagingNextTokenEverySingleCharacterChangeIsRefused changes each
// character of a next token, one at a time, to its neighbour in the base64url
// alphabet (flipping the lowest bit of that sextet). Every altered token
// must be refused: decodeCursor documents that altered tokens are bad.
// The last character of the payload and of the MAC carry unused bits that
// a lenient base64 decoder ignores; the decoder is strict for this reason.
func TestPagingNextTokenEverySingleCharacterChangeIsRefused(t *testing.T) {
	f := newFixture(t)
	target := "/api1/collections/{public}/objects/?limit=2"
	token := firstNext(t, f.get, target)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var accepted []int
	for i := range len(token) {
		j := strings.IndexByte(alphabet, token[i])
		if j < 0 {
			continue // the dot
		}
		altered := token[:i] + string(alphabet[j^1]) + token[i+1:]
		res := f.get(t, target+"&next="+url.QueryEscape(altered))
		if res.status != http.StatusBadRequest {
			accepted = append(accepted, i)
		}
	}
	if len(accepted) > 0 {
		t.Errorf("altered next tokens accepted (status 200) when the character at offset %v of %d was changed; token %s", accepted, len(token), token)
	}
}

// TestPagingFallbackAddedAfter: a client that ignores next and repeats the
// query with added_after = X-TAXII-Date-Added-Last (TAXII 2.1 §3.5) visits
// every object exactly once when the objects were posted in one envelope:
// their date_added values are distinct.
func TestPagingFallbackAddedAfter(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		given  string // endpoint path
		when   string // filters
		expect int    // items
	}{
		{"objects, latest versions", "/api1/collections/{bulk}/objects/", "", 13},
		{"objects, all versions", "/api1/collections/{bulk}/objects/", "match[version]=all", 16},
		{"manifest, latest versions", "/api1/collections/{bulk}/manifest/", "", 13},
		{"manifest, indicators", "/api1/collections/{bulk}/manifest/", "match[type]=indicator", 9},
		{"objects, malware, first versions", "/api1/collections/{bulk}/objects/", "match[type]=malware&match[version]=first", 4},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 3, 4} {
			t.Run(tt.name+"/limit "+strconv.Itoa(limit), func(t *testing.T) {
				one := f.get(t, tt.given+"?limit=1000&"+tt.when)
				want := decodePage(t, one, "objects").items
				if len(want) != tt.expect {
					t.Fatalf("one page lists %d items, want %d", len(want), tt.expect)
				}
				var got []item
				after := ""
				for range 100 {
					q := tt.when + "&limit=" + strconv.Itoa(limit)
					if after != "" {
						q += "&added_after=" + after
					}
					res := f.get(t, tt.given+"?"+q)
					expectStatus(t, res, http.StatusOK)
					p := decodePage(t, res, "objects")
					got = append(got, p.items...)
					if !p.more {
						break
					}
					after = res.header.Get("X-TAXII-Date-Added-Last")
					if after == "" {
						t.Fatal("no X-TAXII-Date-Added-Last on a page with more")
					}
				}
				expectItems(t, got, want)
			})
		}
	}
}

// TestPagingMoreIsExact: more is true only when more versions match; a page
// that holds the rest has more false and no next.
func TestPagingMoreIsExact(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		when       string
		expect     int
		expectMore bool
	}{
		{"limit equals the count", "/api1/collections/{bulk}/objects/?limit=13", 13, false},
		{"limit one below the count", "/api1/collections/{bulk}/objects/?limit=12", 12, true},
		{"limit above the count", "/api1/collections/{bulk}/objects/?limit=14", 13, false},
		{"manifest, all versions, limit equals the count", "/api1/collections/{bulk}/manifest/?match[version]=all&limit=16", 16, false},
		{"manifest, all versions, limit one below", "/api1/collections/{bulk}/manifest/?match[version]=all&limit=15", 15, true},
		{"filtered, limit equals the count", "/api1/collections/{public}/objects/?match[type]=indicator&limit=2", 2, false},
		{"object, limit equals the count", "/api1/collections/{public}/objects/" + idA + "/?match[version]=all&limit=3", 3, false},
		{"object, limit below the count", "/api1/collections/{public}/objects/" + idA + "/?match[version]=all&limit=2", 2, true},
		{"versions, limit equals the count", "/api1/collections/{public}/objects/" + idA + "/versions/?limit=3", 3, false},
		{"versions, limit below the count", "/api1/collections/{public}/objects/" + idA + "/versions/?limit=2", 2, true},
		{"limit 1", "/api1/collections/{bulk}/objects/?limit=1", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.when)
			expectStatus(t, res, http.StatusOK)
			key := "objects"
			if strings.Contains(tt.when, "/versions/") {
				key = "versions"
			}
			p := decodePage(t, res, key)
			if len(p.items) != tt.expect || p.more != tt.expectMore || p.hasNext != tt.expectMore {
				t.Errorf("%d items, more %v, next %q; want %d items, more %v, next iff more", len(p.items), p.more, p.next, tt.expect, tt.expectMore)
			}
		})
	}
}

// TestPagingLimits: the API root's default limit applies without limit, and
// a limit above its maximum returns the maximum with more and next (TAXII
// 2.1 §3.4: the server MAY return fewer). The small API root has default 2
// and maximum 3; its tiny collection holds 5 objects.
func TestPagingLimits(t *testing.T) {
	f := newFixture(t)
	base := "/small/collections/{tiny}/"
	tests := []struct {
		name       string
		when       string
		expect     int
		expectMore bool
	}{
		{"default limit", base + "objects/", 2, true},
		{"default limit without trailing slash", "/small/collections/{tiny}/objects", 2, true},
		{"limit below the default", base + "objects/?limit=1", 1, true},
		{"limit between default and maximum", base + "objects/?limit=3", 3, true},
		{"limit one above the maximum", base + "objects/?limit=4", 3, true},
		{"limit far above the maximum", base + "objects/?limit=1000000", 3, true},
		{"limit at the largest TAXII integer", base + "objects/?limit=9007199254740991", 3, true},
		{"manifest, default limit", base + "manifest/", 2, true},
		{"manifest, limit above the maximum", base + "manifest/?limit=5", 3, true},
		{"manifest, limit above maximum with filters", base + "manifest/?limit=50&match[type]=malware", 3, true},
		{"limit above the maximum, nothing beyond", base + "objects/?limit=50&added_after=2024-05-04T12:00:00.000001Z", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, tt.when)
			expectStatus(t, res, http.StatusOK)
			p := decodePage(t, res, "objects")
			if len(p.items) != tt.expect || p.more != tt.expectMore || p.hasNext != tt.expectMore {
				t.Errorf("%d items, more %v, next %q; want %d items, more %v, next iff more", len(p.items), p.more, p.next, tt.expect, tt.expectMore)
			}
		})
	}
	t.Run("following next past the maximum gets the rest", func(t *testing.T) {
		res := f.get(t, base+"objects/?limit=100")
		p := decodePage(t, res, "objects")
		if len(p.items) != 3 || !p.more {
			t.Fatalf("first page: %d items, more %v", len(p.items), p.more)
		}
		res = f.get(t, base+"objects/?limit=100&next="+url.QueryEscape(p.next))
		q := decodePage(t, res, "objects")
		if len(q.items) != 2 || q.more || q.hasNext {
			t.Errorf("second page: %d items, more %v; want 2, false", len(q.items), q.more)
		}
		if all := append(p.items, q.items...); len(all) != 5 || slices.ContainsFunc(all[:4], func(it item) bool { return it == all[4] }) {
			t.Errorf("pages repeat or miss objects: %v", all)
		}
	})
}

// TestPagingLongFilter: a filter too long to carry in the token binds the
// token by hash; the client must then repeat the filters with next (TAXII
// 2.1 §3.4 asks it to), and a follow-up without them or with others is 400.
func TestPagingLongFilter(t *testing.T) {
	f := newFixture(t)
	ids := []string{idA, idB}
	for i := range 400 { // about 19 KiB of filter, more than a token carries
		ids = append(ids, "indicator--a1a1a1a1-0000-4000-8000-"+strconv.Itoa(100000000000+i))
	}
	filters := "match[id]=" + strings.Join(ids, ",") + "&match[version]=all"
	path := "/api1/collections/{public}/objects/"
	next := firstNext(t, f.get, path+"?limit=2&"+filters)

	tests := []struct {
		name   string
		given  string // query with next
		expect []item // nil: 400
	}{
		{"filters repeated", filters + "&limit=10&next=" + url.QueryEscape(next), items(pick("public", 5, 8, 9))},
		{"filters repeated in another order", "next=" + url.QueryEscape(next) + "&match[version]=all&match[id]=" + strings.Join(reversed(ids), ",") + "&limit=10", items(pick("public", 5, 8, 9))},
		{"only next and limit", "limit=10&next=" + url.QueryEscape(next), nil},
		{"other filters", "match[id]=" + idA + "&match[version]=all&next=" + url.QueryEscape(next), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.get(t, path+"?"+tt.given)
			if tt.expect == nil {
				expectError(t, res, wantError{status: http.StatusBadRequest, code: "bad-parameter", param: "next"})
				return
			}
			expectStatus(t, res, http.StatusOK)
			p := decodePage(t, res, "objects")
			expectItems(t, p.items, tt.expect)
			if p.more {
				t.Error("more after the last page")
			}
		})
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// TestPagingFallbackOutOfOrderVersionsInOneEnvelope: one envelope holds a
// newer version of an object before an older one. Paging by added_after =
// X-TAXII-Date-Added-Last must still list the object once, as its latest
// version (TAXII 2.1 §3.4.1: last is "the latest version of an object").
// This is why version selection applies before added_after (errata #114
// is open; medallion picks "last" among the versions added after
// added_after, which lists the object again with its older version).
func TestPagingFallbackOutOfOrderVersionsInOneEnvelope(t *testing.T) {
	f := newFixture(t)
	x := "indicator--abababab-0000-4000-8000-000000000001"
	res := f.post(t, "/api1/collections/{writable}/objects/", envelope(
		malwareJSON("malware--abababab-0000-4000-8000-000000000009", vM, "m1"),
		indicatorJSON(x, vA1, vA3, "x, newest"),
		indicatorJSON(x, vA1, vA1, "x, oldest"),
		malwareJSON("malware--abababab-0000-4000-8000-000000000008", vM, "m2"),
	))
	expectStatus(t, res, http.StatusAccepted)
	want := []item{{"malware--abababab-0000-4000-8000-000000000009", vM}, {x, vA3}, {"malware--abababab-0000-4000-8000-000000000008", vM}}

	one := decodePage(t, f.get(t, "/api1/collections/{writable}/manifest/"), "objects")
	expectItems(t, one.items, want)

	var got []item
	after := ""
	for range 10 {
		q := "?limit=2"
		if after != "" {
			q += "&added_after=" + after
		}
		r := f.get(t, "/api1/collections/{writable}/manifest/"+q)
		expectStatus(t, r, http.StatusOK)
		p := decodePage(t, r, "objects")
		got = append(got, p.items...)
		if !p.more {
			break
		}
		after = r.header.Get("X-TAXII-Date-Added-Last")
	}
	expectItems(t, got, want)
}
