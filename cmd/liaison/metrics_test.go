package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMetrics: after real requests, /metrics (open on loopback) holds the
// server's counters by route template, the objects served and ingested by
// collection, authentication failures by reason, per-collection gauges,
// the database's and Go's metrics and the build; no label value names a
// user, an object or a raw path.
func TestMetrics(t *testing.T) {
	m := MustRunMain(t, "--demo")
	var coll struct {
		Collections []struct{ ID, Alias string }
	}
	getJSONAs(t, m.URL+"/cooperation/collections/", "Bearer "+m.Demo.APIKey, &coll)
	ids := map[string]string{}
	for _, c := range coll.Collections {
		ids[c.Alias] = c.ID
	}
	feed, inbox := ids["operation-feed"], ids["partner-inbox"]
	var page struct{ Objects []any }
	getJSON(t, m.URL+"/cooperation/collections/operation-feed/objects/?limit=40", &page)
	getJSON(t, m.URL+"/cooperation/collections/"+feed+"/objects/?limit=2", &page)
	post, _ := http.NewRequest("POST", m.URL+"/cooperation/collections/"+inbox+"/objects/",
		strings.NewReader(`{"objects":[`+indicatorJSONForTest("indicator--6d6e6f70-0000-4000-8000-0000000000bb")+`,{"type":"indicator"}]}`))
	post.Header.Set("Accept", "application/taxii+json;version=2.1")
	post.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	post.Header.Set("Authorization", "Bearer "+m.Demo.APIKey)
	if res, err := http.DefaultClient.Do(post); err != nil || res.StatusCode != 202 {
		t.Fatalf("POST: %v %v", res, err)
	}
	bad, _ := http.NewRequest("GET", m.URL+"/taxii2/", nil)
	bad.SetBasicAuth("demo", "not the password")
	http.DefaultClient.Do(bad)

	res, err := http.Get(m.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	text := string(body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", res.StatusCode, text)
	}
	value := func(series string) float64 {
		t.Helper()
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
		mm := re.FindStringSubmatch(text)
		if mm == nil {
			t.Errorf("no %s in /metrics", series)
			return -1
		}
		v, _ := strconv.ParseFloat(mm[1], 64)
		return v
	}
	for series, want := range map[string]float64{
		`liaison_http_requests_total{code="2xx",method="GET",route="/:root/collections/:coll/objects/"}`:                                     2,
		`liaison_objects_served_total{collection="` + feed + `"}`:                                                                            30, // anonymous: the feed's 28 TLP:CLEAR objects, then 2
		`liaison_objects_ingested_total{collection="` + inbox + `",outcome="success"}`:                                                       1,
		`liaison_objects_ingested_total{collection="` + inbox + `",outcome="failure"}`:                                                       1,
		`liaison_auth_failures_total{reason="password"}`:                                                                                     1,
		`liaison_validation_failures_total{class="indexing"}`:                                                                                1,
		`liaison_collection_objects{api_root="cooperation",collection="` + feed + `"}`:                                                       291,
		`liaison_build_info{commit="` + buildInfo().Commit + `",goversion="` + buildInfo().GoVersion + `",version="` + buildVersion() + `"}`: 1,
	} {
		if got := value(series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, name := range []string{"liaison_http_request_duration_seconds_bucket", "liaison_collection_last_added_timestamp_seconds",
		"liaison_db_file_size_bytes", "liaison_db_write_transactions_total", "liaison_db_free_pages", "go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(text, "\n"+name) {
			t.Errorf("no %s in /metrics", name)
		}
	}
	// Bounded cardinality: label values are route templates, methods,
	// classes, reasons and collection ids only.
	for _, leak := range []string{`"demo"`, "indicator--", `"/cooperation/`, "lsn_"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics holds %s in a label", leak)
		}
	}
}

// TestMetricsListen: with --metrics-listen, /metrics (and with --pprof the
// profiler) are served on that address and not on the TAXII one; --pprof
// alone is refused.
func TestMetricsListen(t *testing.T) {
	m := MustRunMain(t, "--metrics-listen", "127.0.0.1:0", "--pprof")
	for path, want := range map[string]int{m.MetricsURL + "/metrics": 200, m.MetricsURL + "/debug/pprof/": 200, m.URL + "/metrics": 401} {
		res, err := http.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	if code, _, stderr := cmdline(t, "", "serve", "--pprof", "--db", t.TempDir()+"/x.db"); code != 2 || !strings.Contains(stderr, "--metrics-listen") {
		t.Errorf("--pprof without --metrics-listen = %d %s", code, stderr)
	}
}

// TestObjectLimitsAreSettings: the bounds on posted objects come from the
// configuration.
func TestObjectLimitsAreSettings(t *testing.T) {
	m := MustRunMain(t, "--demo", "--object-max-depth", "3")
	deep := strings.Replace(indicatorJSONForTest("indicator--6d6e6f70-0000-4000-8000-0000000000e1"), `"pattern_type"`, `"x_deep":[[[1]]],"pattern_type"`, 1)
	flat := indicatorJSONForTest("indicator--6d6e6f70-0000-4000-8000-0000000000e2")
	req, _ := http.NewRequest("POST", m.URL+"/cooperation/collections/partner-inbox/objects/", strings.NewReader(`{"objects":[`+deep+`,`+flat+`]}`))
	req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	req.Header.Set("Authorization", "Bearer "+m.Demo.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 202 || !strings.Contains(string(body), `"failure_count":1`) || !strings.Contains(string(body), "levels") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}
