package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// vPatched is vIndicator with raw JSON members inserted after its id, so
// that tests can write bytes json.Marshal never would.
func vPatched(members string) json.RawMessage {
	const id = `"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",`
	return json.RawMessage(strings.Replace(vIndicator, id, id+members+",", 1))
}

// TestValidatorRefusesTextThatIsNotUnicode: bytes that are not UTF-8 and
// escapes of half a surrogate pair, anywhere in an object, make it invalid
// (TAXII 2.1 §1.6.7: I-JSON); a decoder would silently replace them, and
// what the server stored would not be what it serves. The failure names
// the object by its id and says where the text is.
func TestValidatorRefusesTextThatIsNotUnicode(t *testing.T) {
	v := NewValidator()
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	for _, tc := range []struct {
		name    string
		give    json.RawMessage
		wantErr string // "" for a valid object
	}{
		{"a Latin-1 byte in a name", vPatched(`"name":"caf` + "\xe9" + `"`),
			id + `: name: the string holds bytes that are not UTF-8 (at byte 107 of the object)`},
		{"a truncated sequence deep down", vPatched(`"x_acme":{"list":[1,{"k":"` + "\xe2\x82" + `"}]}`),
			id + `: x_acme.list[1].k: the string holds bytes that are not UTF-8`},
		{"an encoded surrogate", vPatched(`"name":"` + "\xed\xa0\x80" + `"`), "name: the string holds bytes that are not UTF-8"},
		{"an overlong encoding", vPatched(`"name":"` + "\xc0\xaf" + `"`), "name: the string holds bytes that are not UTF-8"},
		{"a property name", vPatched(`"x_` + "\xff" + `":1`), id + `: a property name holds bytes that are not UTF-8`},
		{"a nested property name", vPatched(`"x_acme":{"` + "\xff" + `":1}`), id + `: x_acme: a property name holds bytes that are not UTF-8`},
		{"a lone high surrogate escape", vPatched(`"name":"a\ud800b"`), `name: the string holds \uD800, half of a UTF-16 surrogate pair without its other half`},
		{"a lone low surrogate escape", vPatched(`"x_list":["\uDC00"]`), `x_list[0]: the string holds \uDC00, half`},
		{"two high surrogates", vPatched(`"name":"\ud800\ud800\udc00"`), `name: the string holds \uD800`},
		{"an invalid id is named by position", json.RawMessage(strings.Replace(vIndicator, `indicator--8e2e`, "indicator--\xff", 1)),
			`objects[0]: id: the string holds bytes that are not UTF-8`},
		{"a surrogate pair is fine", vPatched(`"name":"\ud83d\ude00 and \u00e9"`), ""},
		{"UTF-8 text is fine", vPatched(`"name":"café 😀 \u2028"`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Check([]json.RawMessage{tc.give})[0]
			if tc.wantErr == "" {
				if r.Err != nil {
					t.Fatalf("unexpected error: %v", r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", r.Err, tc.wantErr)
			}
		})
	}
}

// FuzzScanObject checks the scan against encoding/json: it accepts exactly
// the JSON objects, finds the indexed properties where a decoder does, and
// lets no text that is not Unicode through.
func FuzzScanObject(f *testing.F) {
	for _, s := range []string{
		vIndicator,
		string(vPatched(`"x_list":[1,-2.5e+3,true,false,null,{"a":[]},[[{}]]]`)),
		string(vPatched(`"name":"caf` + "\xe9" + `"`)),
		`{"id":"a\ud800","type":"\u0069ndicator"}`,
		`{"i\u0064":"x--1","id":"y"}`,
		`{"a":{"b":1,"c":[{"b":1,"b":2}]}}`,
		`{"id" : 1 , "type" : [ "a" ] } `,
		`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":"\x"}`, `{"a":tru}`, `{"a":1}x`, `[]`, `{`, `{"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		scan, err := scanObject(raw, Limits{})
		top, problem := scan.top, scan.problem
		// Tight limits add problems, never remove one, and change neither
		// what is JSON nor where the indexed properties are.
		tight := Limits{MaxDepth: 3, MaxElements: 3, MaxStringBytes: 8, MaxValues: 12}
		scan2, err2 := scanObject(raw, tight)
		top2, problem2 := scan2.top, scan2.problem
		if err2 != err || (err == nil && top2 != top) {
			t.Fatalf("scanObject(%q) with limits = %v %v, without = %v %v", raw, top2, err2, top, err)
		}
		if problem != nil && problem2 == nil {
			t.Fatalf("scanObject(%q) with limits finds no problem, without it finds %v", raw, problem)
		}
		var m map[string]any
		jsonErr := json.Unmarshal(raw, &m)
		isObject := jsonErr == nil && m != nil
		if err != nil {
			if isObject && json.Valid(raw) {
				t.Fatalf("scanObject(%q) = %v, but it is a JSON object", raw, err)
			}
			return
		}
		if !isObject || !json.Valid(raw) {
			t.Fatalf("scanObject(%q) accepted what encoding/json refuses: %v", raw, jsonErr)
		}
		if problem == nil {
			if !utf8.Valid(raw) {
				t.Fatalf("scanObject(%q) let bytes that are not UTF-8 through", raw)
			}
			if fuzzRepeatsName(raw) {
				t.Fatalf("scanObject(%q) let a repeated name through", raw)
			}
			var tree any
			_ = json.Unmarshal(raw, &tree)
			var size fuzzMeasure
			size.walk(tree, 1)
			if size.values != scan.values {
				t.Fatalf("scanObject(%q) counts %d values, encoding/json decodes %d", raw, scan.values, size.values)
			}
			within := size.depth <= tight.MaxDepth && size.elements <= tight.MaxElements && size.stringBytes <= tight.MaxStringBytes && size.values <= tight.MaxValues
			if within != (problem2 == nil) {
				t.Fatalf("scanObject(%q) with limits %+v: problem %v, but the object measures %+v", raw, tight, problem2, size)
			}
			for i, name := range topNames {
				v, ok := m[name]
				if ok != top[i].present {
					t.Fatalf("scanObject(%q): %s present %v, want %v", raw, name, top[i].present, ok)
				}
				if s, isString := v.(string); isString {
					if got, ok := top[i].text(raw); !ok || got != s {
						t.Fatalf("scanObject(%q): %s = %q, want %q", raw, name, got, s)
					}
				} else if _, ok := top[i].text(raw); ok {
					t.Fatalf("scanObject(%q): %s is a string, encoding/json says %v", raw, name, v)
				}
			}
		} else if problem.Message == "" {
			t.Fatalf("scanObject(%q): a problem without a message", raw)
		}
	})
}

// fuzzRepeatsName reports whether a JSON object of valid JSON repeats a
// name, by encoding/json's tokens.
func fuzzRepeatsName(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		object bool
		names  map[string]bool
		key    bool // the next token of an object is a name
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if len(stack) > 0 {
			l := stack[len(stack)-1]
			if l.object && l.key {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:len(stack)-1]
					if len(stack) > 0 {
						stack[len(stack)-1].key = true
					}
					continue
				}
				name := tok.(string)
				if l.names[name] {
					return true
				}
				l.names[name] = true
				l.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{object: true, names: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}

// TestValidatorRefusesDuplicateNames: a JSON object, at any depth, that
// repeats a member name makes the object invalid (I-JSON, RFC 7493 §2.3):
// the server would index one value and serve both. The failure names the
// name and its path; names are compared as decoded, escapes included.
func TestValidatorRefusesDuplicateNames(t *testing.T) {
	v := NewValidator()
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	many := func(n int, last string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		return b.String() + `"` + last + `":0`
	}
	for _, tc := range []struct {
		name    string
		give    json.RawMessage
		wantErr string // "" for a valid object
	}{
		{"a second id", json.RawMessage(strings.Replace(vIndicator, `"type"`, `"id":"indicator--00000000-0000-4000-8000-000000000000","type"`, 1)),
			id + `: id: the name "id" appears more than once in the same JSON object`},
		{"a second name", vPatched(`"name":"a","name":"b"`), id + `: name: the name "name" appears more than once`},
		{"written with an escape", vPatched(`"name":"a","n\u0061me":"b"`), `name: the name "name" appears more than once`},
		{"in an extension", vPatched(`"extensions":{"x-acme-ext":{"a":1,"b":2,"a":3}}`), `extensions.x-acme-ext.a: the name "a" appears`},
		{"in a list of objects", vPatched(`"external_references":[{"source_name":"a"},{"source_name":"b","url":"https://a.example","source_name":"c"}]`),
			`external_references[1].source_name: the name "source_name" appears`},
		{"deep down", vPatched(`"x_acme":[[[{"a":{"b":{"c":1,"c":1}}}]]]`), `x_acme[0][0][0].a.b.c: the name "c" appears`},
		{"in a large object", vPatched(`"x_acme":{` + many(100, "k42") + `}`), `x_acme.k42: the name "k42" appears`},
		{"in the object itself, after many", vPatched(many(40, "k3")), `k3: the name "k3" appears`},
		{"the same names in sibling objects are fine", vPatched(`"x_acme":[{"a":1,"b":2},{"a":1,"b":2,"x":{"a":1}}]`), ""},
		{"many distinct names are fine", vPatched(`"x_acme":{` + many(100, "last") + `}`), ""},
		{"names differing in case are fine", vPatched(`"x_acme":{"a":1,"A":2}`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.Check([]json.RawMessage{tc.give})[0]
			if tc.wantErr == "" {
				if r.Err != nil {
					t.Fatalf("unexpected error: %v", r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", r.Err, tc.wantErr)
			}
		})
	}
}

// fuzzMeasure measures a decoded object as Limits count.
type fuzzMeasure struct{ depth, elements, stringBytes, values int }

func (m *fuzzMeasure) walk(v any, depth int) {
	m.values++
	switch v := v.(type) {
	case map[string]any:
		m.depth = max(m.depth, depth)
		m.elements = max(m.elements, len(v))
		for k, x := range v {
			m.stringBytes = max(m.stringBytes, len(k))
			m.walk(x, depth+1)
		}
	case []any:
		m.depth = max(m.depth, depth)
		m.elements = max(m.elements, len(v))
		for _, x := range v {
			m.walk(x, depth+1)
		}
	case string:
		m.stringBytes = max(m.stringBytes, len(v))
	}
}

// TestValidatorLimits: an object beyond the validator's limits is a
// failure naming the limit, found before the object is decoded; one at the
// limits is valid. The limits are the validator's settings.
func TestValidatorLimits(t *testing.T) {
	list := func(name string, n int, elem string) string {
		return `"` + name + `":[` + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + `]`
	}
	split := func(lists, n int) string {
		var parts []string
		for i := range lists {
			parts = append(parts, list(fmt.Sprintf("x_%d", i), n, "1"))
		}
		return strings.Join(parts, ",")
	}
	nest := func(n int) string { return `"x_deep":` + strings.Repeat("[", n) + strings.Repeat("]", n) }
	members := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":0`, i)
		}
		return `"x_dict":{` + b.String() + `}`
	}
	const id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	small := Limits{MaxDepth: 4, MaxElements: 5, MaxValues: 40}
	for _, tc := range []struct {
		name    string
		limits  Limits // the zero value: DefaultLimits
		give    json.RawMessage
		wantErr string // "" for a valid object
	}{
		{"the attack of issue 9: 4.7 million numbers", Limits{}, vPatched(list("x_list", 4_700_000, "1")),
			id + ": x_list: a list of more than 100000 elements exceeds the limit of 100000 elements per list"},
		{"a list at the limit", Limits{}, vPatched(list("x_list", 100_000, "1")), ""},
		{"a list of objects beyond it", Limits{}, vPatched(list("x_list", 100_001, "{}")), "x_list: a list of more than 100000 elements"},
		{"a JSON object beyond it", Limits{}, vPatched(members(100_001)), "x_dict: a JSON object of more than 100000 members exceeds the limit of 100000 members per object"},
		{"nesting at the limit", Limits{}, vPatched(nest(63)), ""},
		{"nesting beyond it", Limits{}, vPatched(nest(64)), "x_deep" + strings.Repeat("[0]", 63) + ": nesting exceeds the limit of 64 levels of lists and objects"},
		{"nesting far beyond it", Limits{}, vPatched(nest(1_000_000)), "nesting exceeds the limit of 64 levels"},
		{"a string at the limit", Limits{}, vPatched(`"name":"` + strings.Repeat("é", 1<<19) + `"`), ""},
		{"a string beyond it", Limits{}, vPatched(`"name":"` + strings.Repeat("a", 1<<20) + `é"`), id + ": name: the string exceeds the limit of 1048576 bytes per string"},
		{"escapes count as what they stand for", Limits{}, vPatched(`"name":"` + strings.Repeat(`\u00e9`, 1<<19) + `x"`), "name: the string exceeds the limit"},
		{"a name beyond it", Limits{}, vPatched(`"x_` + strings.Repeat("a", 1<<20) + `":1`), id + ": a property name exceeds the limit of 1048576 bytes per string"},
		{"values beyond the limit, in lists within theirs", Limits{}, vPatched(list("x_a", 90_000, "1") + "," + list("x_b", 90_000, "1") + "," + list("x_c", 90_000, "1")),
			id + ": the object holds more than 150000 JSON values (strings, numbers, lists, objects...), the limit for one object"},
		{"the issue's attack split in lists of 100,000", Limits{}, vPatched(split(47, 100_000)),
			"the object holds more than 150000 JSON values"},
		{"a small depth", small, vPatched(`"x_a":[[[[1]]]]`), "x_a[0][0][0]: nesting exceeds the limit of 4 levels"},
		{"small lists", small, vPatched(list("x_a", 6, "1")), "x_a: a list of more than 5 elements exceeds the limit of 5 elements per list"},
		{"the object's own members", small, vPatched(`"x_a":1`), "a JSON object of more than 5 members exceeds the limit of 5 members per object"},
		{"small strings", Limits{MaxStringBytes: 50}, vPatched(`"x_a":"` + strings.Repeat("a", 51) + `"`), "x_a: the string exceeds the limit of 50 bytes per string"},
		{"few values", Limits{MaxValues: 5}, json.RawMessage(vIndicator), "the object holds more than 5 JSON values"},
		{"no limits", Limits{MaxDepth: -1}, vPatched(nest(200) + "," + list("x_a", 300_000, "1")), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && len(tc.give) > 4<<20 {
				t.Skipf("a %d MB object; skipped with -short", len(tc.give)>>20)
			}
			v := NewValidator()
			if tc.limits != (Limits{}) {
				v.Limits = tc.limits
			}
			r := v.Check([]json.RawMessage{tc.give})[0]
			if tc.wantErr == "" {
				if r.Err != nil {
					t.Fatalf("unexpected error: %.300v", r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
				t.Fatalf("error = %.300v, want %q", r.Err, tc.wantErr)
			}
		})
	}
}

// TestValueBudget: the budget admits in order, so that a large object is
// not starved by small ones, and admits an object larger than itself
// alone.
func TestValueBudget(t *testing.T) {
	b := newValueBudget(10)
	b.acquire(8)
	order := make(chan int, 3)
	var wg sync.WaitGroup
	for i, n := range []int{5, 1, 100} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.acquire(n)
			order <- i
			b.release(n)
		}()
		// Let each waiter queue before the next.
		for deadline := time.Now().Add(time.Second); ; {
			b.mu.Lock()
			queued := len(b.waiting)
			b.mu.Unlock()
			if queued == i+1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	select {
	case i := <-order:
		t.Fatalf("waiter %d was admitted while 8 of 10 values were taken and a waiter before it needs 5", i)
	case <-time.After(20 * time.Millisecond):
	}
	b.release(8)
	wg.Wait()
	close(order)
	var got []int
	for i := range order {
		got = append(got, i)
	}
	// 0 and 1 are admitted by the same release, 2 only when they leave.
	if len(got) != 3 || got[2] != 2 {
		t.Errorf("admitted in order %v, want 0 and 1, then 2", got)
	}
	if b.free != 10 || len(b.waiting) != 0 {
		t.Errorf("after all releases: %d free, %d waiting", b.free, len(b.waiting))
	}
	var none *valueBudget
	none.acquire(1 << 30) // no budget: never waits
	none.release(1 << 30)
}

// TestValidatorValuesAtOnce: a validator whose budget is smaller than the
// objects checks them all, one at a time, with the same results.
func TestValidatorValuesAtOnce(t *testing.T) {
	var objects []json.RawMessage
	for i := range 64 {
		objects = append(objects, vPatched(fmt.Sprintf(`"x_n":%d,"x_list":[1,2,3]`, i)))
	}
	objects = append(objects, json.RawMessage(`{"type":"indicator"}`))
	want := NewValidator().Check(objects)
	v := NewValidator()
	v.Workers, v.MaxValuesAtOnce = 4, 5
	got := v.Check(objects)
	for i := range want {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Errorf("object %d: %v, want %v", i, got[i], want[i])
		}
	}
}
