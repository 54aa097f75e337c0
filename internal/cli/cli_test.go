package cli_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/auth"
	"bulwark/internal/cli"
	"bulwark/internal/clock"
	"bulwark/internal/config"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// sourceDir is the package folder (the tests run elsewhere, see TestMain).
var sourceDir string

func TestMain(m *testing.M) {
	// Cheap hashing: the cost parameters are not what these tests test.
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	// A developer's BULWARK_DB must not point the tests at a real database.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "BULWARK_") && !strings.HasPrefix(name, "BULWARK_TEST_") {
			os.Unsetenv(name)
		}
	}
	var err error
	if sourceDir, err = os.Getwd(); err != nil {
		panic(err)
	}
	// A command that falls back to the default ./data must not write into
	// the source tree.
	dir, err := os.MkdirTemp("", "bulwark-cli-test")
	if err != nil {
		panic(err)
	}
	if err := os.Chdir(dir); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one command did.
type result struct {
	code     int
	out, err string
}

// run executes the CLI with stdin and returns its exit code and output.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return result{code, out.String(), errOut.String()}
}

// must runs a command that has to succeed.
func must(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := run(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("bulwark %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

// engines runs fn with the DSN of a fresh, empty database on each engine.
func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) { fn(t, storetest.DSN(t, engine)) })
	}
}

// openApp opens the database the CLI works on, as the server would.
func openApp(t *testing.T, dsn string) *app.App {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return app.New(db, clock.System{}, app.DefaultOptions())
}

var oneTimePassword = regexp.MustCompile(`One-time password: (\S+)`)

func TestFirstRunPrintsTheAdminPasswordOnce(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		first := must(t, "", "migrate", "--db", dsn)
		m := oneTimePassword.FindStringSubmatch(first.out)
		if m == nil || !strings.Contains(first.out, "Username: admin") || !strings.Contains(first.out, "must be changed at first login") {
			t.Fatalf("first run printed:\n%s", first.out)
		}
		a := openApp(t, dsn)
		u, err := a.Accounts.Login(context.Background(), "admin", m[1], "127.0.0.1")
		if err != nil || !u.MustChangePassword || !u.PlatformAdmin {
			t.Fatalf("log in with the printed password: %+v %v", u, err)
		}
		second := must(t, "", "migrate", "--db", dsn)
		if strings.Contains(second.out+second.err, "password") || strings.Contains(second.out, "migration applied") {
			t.Fatalf("second start printed:\n%s%s", second.out, second.err)
		}
	})
}

// TestDBSelectsTheEngine: BULWARK_DB or --db picks the database, --db wins.
func TestDBSelectsTheEngine(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		want := "database sqlite " + dsn
		if store.IsPostgres(dsn) {
			want = "database postgres postgres://"
		}
		t.Setenv("BULWARK_DB", dsn)
		if r := must(t, "", "migrate"); !strings.Contains(r.out, want) {
			t.Fatalf("with BULWARK_DB: %s", r.out)
		}
		os.Unsetenv("BULWARK_DB")
		if r := must(t, "", "migrate", "--db", dsn); !strings.Contains(r.out, want) {
			t.Fatalf("with --db: %s", r.out)
		}
		t.Setenv("BULWARK_DB", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
		if r := must(t, "", "migrate", "--db", dsn); !strings.Contains(r.out, want) {
			t.Fatalf("--db did not win over BULWARK_DB: %s", r.out)
		}
	})
}

func TestServeHelpListsEverySetting(t *testing.T) {
	r := run(t, "", "serve", "--help")
	if r.code != 0 {
		t.Fatalf("serve --help: exit %d", r.code)
	}
	_, _, settings := config.Bind(flag.NewFlagSet("x", flag.ContinueOnError), config.ScopeServer)
	if len(settings) < 10 {
		t.Fatalf("only %d settings", len(settings))
	}
	for _, s := range settings {
		name := strings.TrimPrefix(s.Flag, "--")
		// The flag package prints "-name"; both spellings are accepted.
		if !regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(name) + `\b`).MatchString(r.err) {
			t.Errorf("serve --help does not list %s", s.Flag)
		}
		if !strings.Contains(r.err, "(env "+s.Env+")") {
			t.Errorf("serve --help does not name %s for %s", s.Env, s.Flag)
		}
	}
	for _, must := range []string{"-addr", "-data", "-db", "-tls-cert", "BULWARK_DB"} {
		if !strings.Contains(r.err, must) {
			t.Errorf("serve --help lacks %s", must)
		}
	}
}

func TestConfigPrintsTheSettingsTable(t *testing.T) {
	r := must(t, "", "config")
	if !strings.HasPrefix(r.out, "| flag | environment | default | meaning |") {
		t.Fatalf("config printed:\n%s", r.out)
	}
	for _, row := range []string{"| `--addr` | `BULWARK_ADDR` | `127.0.0.1:8080` |", "| `--db` | `BULWARK_DB` |", "| `--tls-key` | `BULWARK_TLS_KEY` |"} {
		if !strings.Contains(r.out, row) {
			t.Errorf("no row %q", row)
		}
	}
}

// TestOperationsGuideListsTheSettings keeps docs/operations.md and the
// README in step with the settings: their tables must be exactly what
// `bulwark config` prints.
func TestOperationsGuideListsTheSettings(t *testing.T) {
	table := must(t, "", "config").out
	for _, doc := range []string{filepath.Join("docs", "operations.md"), "README.md"} {
		text, err := os.ReadFile(filepath.Join(sourceDir, "..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), table) {
			t.Errorf("%s's settings table is out of date; replace it with the output of `bulwark config`:\n%s", doc, table)
		}
	}
}

func TestUsageAndUnknownCommands(t *testing.T) {
	if r := run(t, "", "help"); r.code != 0 || !strings.Contains(r.out, "serve") || !strings.Contains(r.out, "backup") {
		t.Fatalf("help: %d %s", r.code, r.out)
	}
	if r := run(t, "", "frobnicate"); r.code != 2 || !strings.Contains(r.err, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %s", r.code, r.err)
	}
	for _, cmd := range []string{"user", "org"} {
		if r := run(t, "", cmd); r.code != 2 || !strings.Contains(r.err, "want a subcommand") {
			t.Errorf("%s without a subcommand: %d %s", cmd, r.code, r.err)
		}
	}
	if r := run(t, "", "migrate", "--no-such-flag"); r.code != 2 || !strings.Contains(r.err, "no-such-flag") {
		t.Fatalf("unknown flag: exit %d", r.code)
	}
	// Give the CLI its time: a command must not hang on a dead database.
	start := time.Now()
	if r := run(t, "", "migrate", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"); r.code != 1 || !strings.Contains(r.err, "postgres") {
		t.Fatalf("unreachable database: %d %s", r.code, r.err)
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("unreachable database took %s", time.Since(start))
	}
}
