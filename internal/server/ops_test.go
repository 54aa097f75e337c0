package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/server"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestHealthAndReadiness(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		c := e.NewClient()
		if res := c.Get("/healthz"); res.StatusCode != http.StatusOK || res.Body != "ok\n" {
			t.Fatalf("healthz: %d %q", res.StatusCode, res.Body)
		}
		if res := c.Get("/readyz"); res.StatusCode != http.StatusOK {
			t.Fatalf("readyz: %d %q", res.StatusCode, res.Body)
		}
		// A database that is gone makes the node unready, while it stays alive.
		db.Close()
		if res := c.Get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("readyz with the database closed: %d %q", res.StatusCode, res.Body)
		}
		if res := c.Get("/healthz"); res.StatusCode != http.StatusOK {
			t.Fatalf("healthz with the database closed: %d", res.StatusCode)
		}
	})
}

// metricValue finds the sample of name whose labels include every pair in
// labels (given as `k="v"`), and returns its value text.
func metricValue(body, name string, labels ...string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(line, l) {
				ok = false
				break
			}
		}
		if ok {
			return line[strings.LastIndex(line, " ")+1:], true
		}
	}
	return "", false
}

func TestMetrics(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("metrics-reader", e.Org, auth.RoleViewer)
		tok := e.Token(u)
		c := e.NewClient()
		for range 3 {
			c.Get("/healthz")
		}
		for _, id := range []int{1, 2} {
			if res := e.API(tok, "GET", fmt.Sprintf("/api/v1/assets/%d", id), "", 0); res.StatusCode != http.StatusNotFound {
				t.Fatalf("asset %d: %d", id, res.StatusCode)
			}
		}
		c.Get("/no/such/page")
		res := c.Get("/metrics")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("metrics: %d", res.StatusCode)
		}
		body := res.Body
		for _, tc := range []struct {
			name   string
			labels []string
			want   string // "" = any value
		}{
			{"bulwark_http_requests_total", []string{`method="GET"`, `route="/healthz"`, `code="200"`}, "3"},
			// Labelled by pattern: the two asset URLs count together.
			{"bulwark_http_requests_total", []string{`route="/api/v1/assets/{id}"`, `code="404"`}, "2"},
			{"bulwark_http_requests_total", []string{`route="unmatched"`, `code="404"`}, "1"},
			{"bulwark_http_request_duration_seconds_count", []string{`route="/healthz"`}, "3"},
			{"bulwark_http_request_duration_seconds_bucket", []string{`route="/api/v1/assets/{id}"`, `le="+Inf"`}, "2"},
			{"go_sql_max_open_connections", []string{`db_name="read"`}, ""},
			{"go_sql_open_connections", []string{`db_name="read"`}, ""},
			{"go_sql_in_use_connections", []string{`db_name="read"`}, ""},
			{"go_sql_idle_connections", []string{`db_name="read"`}, ""},
			{"go_sql_wait_count_total", []string{`db_name="read"`}, ""},
			{"go_sql_wait_duration_seconds_total", []string{`db_name="read"`}, ""},
			{"go_goroutines", nil, ""},
		} {
			got, ok := metricValue(body, tc.name, tc.labels...)
			if !ok {
				t.Errorf("no %s%v in /metrics", tc.name, tc.labels)
				continue
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("%s%v = %s, want %s", tc.name, tc.labels, got, tc.want)
			}
		}
		// SQLite's single writer connection is a pool of its own.
		if _, ok := metricValue(body, "go_sql_max_open_connections", `db_name="write"`); ok != (db.Dialect == store.SQLite) {
			t.Errorf("write pool metrics present: %v on %s", ok, db.Dialect)
		}
		if v, _ := metricValue(body, "go_sql_max_open_connections", `db_name="write"`); db.Dialect == store.SQLite && v != "1" {
			t.Errorf("SQLite write pool max open connections %s, want 1", v)
		}
		// Raw URLs never become labels.
		if regexp.MustCompile(`route="/api/v1/assets/[0-9]`).MatchString(body) || strings.Contains(body, "/no/such/page") {
			t.Errorf("a raw URL became a label")
		}
	})
}

// lockedBuffer collects log output from the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestLogFormats(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	old := slog.Default()
	t.Cleanup(func() { slog.SetDefault(old) })
	u := e.CreateUser("logger", e.Org, auth.RoleViewer)
	tok := e.Token(u)

	t.Run("json", func(t *testing.T) {
		var out lockedBuffer
		slog.SetDefault(server.NewLogger(&out, "json", "info"))
		e.API(tok, "GET", "/api/v1/assets?q=secret-search", "", 0)
		e.NewClient().Get("/healthz") // debug level: not logged at info
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		var found bool
		for _, line := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON line: %q: %v", line, err)
			}
			if rec["msg"] == "http" {
				if rec["route"] == "/healthz" {
					t.Errorf("health check logged at info: %s", line)
				}
				if rec["route"] == "/api/v1/assets" {
					found = true
					if rec["status"] != float64(200) || rec["user"] != "logger" || rec["level"] != "INFO" || rec["method"] != "GET" {
						t.Errorf("request line %s", line)
					}
				}
			}
		}
		if !found {
			t.Fatalf("no request line in %q", out.String())
		}
		if strings.Contains(out.String(), "secret-search") {
			t.Errorf("the query string was logged")
		}
	})

	t.Run("text", func(t *testing.T) {
		var out lockedBuffer
		slog.SetDefault(server.NewLogger(&out, "text", "debug"))
		e.NewClient().Get("/healthz")
		if s := out.String(); !strings.Contains(s, "level=DEBUG msg=http") || !strings.Contains(s, "route=/healthz") || strings.HasPrefix(s, "{") {
			t.Fatalf("text log: %q", s)
		}
	})
}
