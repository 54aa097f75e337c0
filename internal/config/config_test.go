package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulwark/internal/config"
)

// clearEnv hides any BULWARK_* variable of the developer's shell.
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "BULWARK_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

func parse(t *testing.T, scope config.Scope, args ...string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c, finish, _ := config.Bind(fs, scope)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, finish()
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c, err := parse(t, config.ScopeServer)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != filepath.Join("data", "bulwark.db") || c.LogFormat != "text" || c.TLSCert != "" {
		t.Fatalf("defaults: addr %q db %q log %q tls %q", c.Addr, c.DB, c.LogFormat, c.TLSCert)
	}
}

// TestPrecedence: a flag beats the environment, which beats the default.
func TestPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		wantDB string
		addr   string
	}{
		{"default db under --data", nil, []string{"--data", "/srv/bw"}, "/srv/bw/bulwark.db", "127.0.0.1:8080"},
		{"BULWARK_DATA", map[string]string{"BULWARK_DATA": "/var/lib/bw"}, nil, "/var/lib/bw/bulwark.db", "127.0.0.1:8080"},
		{"BULWARK_DB postgres", map[string]string{"BULWARK_DB": "postgres://u@db/bw"}, nil, "postgres://u@db/bw", "127.0.0.1:8080"},
		{"--db beats BULWARK_DB", map[string]string{"BULWARK_DB": "postgres://u@db/bw"}, []string{"--db", "/tmp/x.db"}, "/tmp/x.db", "127.0.0.1:8080"},
		{"BULWARK_ADDR and --addr", map[string]string{"BULWARK_ADDR": "0.0.0.0:9000"}, []string{"--addr", ":9443"}, "data/bulwark.db", ":9443"},
		{"BULWARK_ADDR", map[string]string{"BULWARK_ADDR": "0.0.0.0:9000"}, nil, "data/bulwark.db", "0.0.0.0:9000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := parse(t, config.ScopeServer, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.DB != tc.wantDB || c.Addr != tc.addr {
				t.Fatalf("db %q addr %q, want %q %q", c.DB, c.Addr, tc.wantDB, tc.addr)
			}
		})
	}
}

func TestInvalidSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad duration in env", map[string]string{"BULWARK_SESSION_IDLE": "soon"}, nil, "BULWARK_SESSION_IDLE"},
		{"bad number in env", map[string]string{"BULWARK_LOGIN_MAX_FAILURES": "many"}, nil, "BULWARK_LOGIN_MAX_FAILURES"},
		{"cert without key", nil, []string{"--tls-cert", "c.pem"}, "--tls-key"},
		{"log format", nil, []string{"--log-format", "xml"}, "--log-format"},
		{"time zone", nil, []string{"--timezone", "Mars/Olympus"}, "--timezone"},
		{"short passwords", nil, []string{"--password-min-length", "6"}, "--password-min-length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := parse(t, config.ScopeServer, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
}

// TestEverySettingHasAnEnvVar: the settings table names a BULWARK_ variable
// for every flag, and the database commands take --data and --db too.
func TestEverySettingHasAnEnvVar(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	_, _, settings := config.Bind(fs, config.ScopeServer)
	seen := map[string]bool{}
	for _, s := range settings {
		name := strings.TrimPrefix(s.Flag, "--")
		if fs.Lookup(name) == nil {
			t.Errorf("setting %s is not a flag", s.Flag)
		}
		want := "BULWARK_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if s.Env != want || s.Usage == "" {
			t.Errorf("setting %s: env %q usage %q", s.Flag, s.Env, s.Usage)
		}
		seen[name] = true
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !seen[f.Name] {
			t.Errorf("flag --%s missing from the settings table", f.Name)
		}
	})
	for _, must := range []string{"addr", "data", "db", "tls-cert", "tls-key", "log-format", "shutdown-timeout"} {
		if !seen[must] {
			t.Errorf("no --%s setting", must)
		}
	}
	db := flag.NewFlagSet("db", flag.ContinueOnError)
	config.Bind(db, config.ScopeDB)
	for _, must := range []string{"data", "db"} {
		if db.Lookup(must) == nil {
			t.Errorf("database commands lack --%s", must)
		}
	}
}
