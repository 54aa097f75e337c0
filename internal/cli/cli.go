// Package cli implements bulwark's subcommands. Each command parses its
// flags, opens the database and calls the same services as the web server,
// acting as the system (an operator at the server's console).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/config"
	"bulwark/internal/i18n"
	"bulwark/internal/server"
	"bulwark/internal/store"
)

// IO is where a command reads and writes.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

type command struct {
	summary string
	run     func(ctx context.Context, args []string, io IO) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":   {"run the web server (migrates the database first)", runServe},
		"migrate": {"apply database migrations and exit", runMigrate},
		"user":    {"manage users: create, passwd, disable, enable, list, roles", runUser},
		"token":   {"create an API token: token create USER [--name N] [--expires 720h]", runToken},
		"org":     {"manage organisations: create, list, set-type", runOrg},
		"audit":   {"check the audit trail: audit verify", runAudit},
		"backup":  {"write a consistent copy of the SQLite database: backup FILE", runBackup},
		"restore": {"replace the SQLite database with a backup: restore FILE (server stopped)", runRestore},
		"config":  {"print the settings table (Markdown)", runConfig},
		"import":  {"import a spreadsheet: import assets FILE [--dry-run] [--valid-only] [--org N]; playbooks: import playbooks FILE [--dry-run] [--org N]", runImport},
	}
}

// Run executes args and returns the process exit code.
func Run(ctx context.Context, args []string, io IO) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(io.Out)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(io.Err, "bulwark: unknown command %q\n\n", args[0])
		usage(io.Err)
		return 2
	}
	if err := cmd.run(ctx, args[1:], io); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(io.Err, "bulwark %s: %s\n", args[0], ue.msg)
			return 2
		}
		fmt.Fprintf(io.Err, "bulwark %s: %s\n", args[0], describe(err))
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// describe makes an error readable at the console: field errors in English
// with the field names.
func describe(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err.Error()
	}
	msg := i18n.T("en", ae.Key, ae.Args...)
	for _, f := range ae.Fields {
		msg += fmt.Sprintf("\n  %s: %s", f.Field, i18n.Field("en", f))
	}
	if ae.Code == apperr.Internal && ae.Err != nil {
		msg += ": " + ae.Err.Error()
	}
	return msg
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Bulwark: information security management platform.")
	fmt.Fprintln(w, "\nUsage: bulwark COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'bulwark COMMAND --help' for a command's flags.")
}

// env is an opened database with the application on it.
type env struct {
	cfg *config.Config
	db  *store.DB
	app *app.App
	org int64 // the default organisation
}

// newFlags makes a flag set that prints its usage to io.Err.
func newFlags(name string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet("bulwark "+name, flag.ContinueOnError)
	fs.SetOutput(io.Err)
	return fs
}

// open connects, migrates and bootstraps. The one-time admin password, when
// one is created, is printed to out.
func open(ctx context.Context, cfg *config.Config, out io.Writer) (*env, error) {
	slog.SetDefault(server.NewLogger(out, cfg.LogFormat, cfg.LogLevel))
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	method, err := asset.ParseValueMethod(cfg.AssetValueMethod)
	if err != nil {
		db.Close()
		return nil, err
	}
	opt := app.DefaultOptions()
	opt.ValueMethod = method
	opt.DefaultOrg = cfg.DefaultOrg
	opt.Location = cfg.Location
	opt.Account.Policy = auth.PasswordPolicy{MinLength: cfg.PasswordMinLength, MinClasses: cfg.PasswordMinClasses}
	if cfg.SessionIdle > 0 {
		opt.Account.IdleTimeout = cfg.SessionIdle
	}
	if cfg.SessionMax > 0 {
		opt.Account.AbsoluteTimeout = cfg.SessionMax
	}
	if cfg.LoginMaxFailures > 0 {
		opt.Account.MaxFailures = cfg.LoginMaxFailures
	}
	if cfg.LoginLockout > 0 {
		opt.Account.LockoutFor = cfg.LoginLockout
	}
	if cfg.LoginPerIPMinute > 0 {
		opt.Account.IPAttempts = cfg.LoginPerIPMinute
	}
	a := app.New(db, clock.System{}, opt)
	orgID, pw, err := a.Bootstrap(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Incidents recorded before the metrics migration, or under another
	// time zone setting, get their derived columns (cheap when none do).
	if _, err := a.Incidents.CatchUp(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if pw != "" {
		fmt.Fprintf(out, "\n  First run: created the platform administrator.\n  Username: admin\n  One-time password: %s\n  (shown once; it must be changed at first login)\n\n", pw)
	}
	return &env{cfg: cfg, db: db, app: a, org: orgID}, nil
}

// existingDB refuses a SQLite path with no database behind it, for commands
// that read a database and must not create an empty one (verify, backup).
func existingDB(dsn string) error {
	if store.IsPostgres(dsn) {
		return nil
	}
	if _, err := os.Stat(strings.TrimPrefix(dsn, "sqlite://")); err != nil {
		return fmt.Errorf("no database at %s (give --db or --data): %w", dsn, err)
	}
	return nil
}

// parseDB parses the flags shared by database commands and returns the rest.
func parseDB(fs *flag.FlagSet, args []string) (*config.Config, []string, error) {
	cfg, finish, _ := config.Bind(fs, config.ScopeDB)
	if err := parseInterspersed(fs, args); err != nil {
		return nil, nil, err
	}
	if err := finish(); err != nil {
		return nil, nil, err
	}
	return cfg, fs.Args(), nil
}

// parseInterspersed lets flags follow positional arguments
// (bulwark user create alice --role auditor).
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return flagError(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return flagError(fs.Parse(append([]string{"--"}, positional...)))
}

// flagError makes a bad flag a usage error (exit 2); the flag package has
// already printed the flags to standard error. --help stays flag.ErrHelp.
func flagError(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err.Error()}
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}
