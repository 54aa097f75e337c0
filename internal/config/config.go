// Package config reads Bulwark's settings from flags and BULWARK_*
// environment variables into one struct that is passed around, never a
// global. A flag given on the command line wins over the environment, which
// wins over the default.
package config

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones without the system database
)

// Config is every setting of the server and the CLI.
type Config struct {
	Addr               string
	Data               string
	DB                 string
	TLSCert            string
	TLSKey             string
	CookieSecure       bool
	TrustProxy         bool
	LogFormat          string
	LogLevel           string
	SessionIdle        time.Duration
	SessionMax         time.Duration
	PasswordMinLength  int
	PasswordMinClasses int
	LoginMaxFailures   int
	LoginLockout       time.Duration
	LoginPerIPMinute   int
	AssetValueMethod   string
	MaxUpload          int64
	DefaultOrg         string
	ShutdownTimeout    time.Duration
	Timezone           string
	BaseURL            string
	Location           *time.Location
}

// Setting describes one setting for --help and the README's table.
type Setting struct {
	Flag, Env, Default, Usage string
}

type binder struct {
	fs       *flag.FlagSet
	settings []Setting
	errs     []string
}

func (b *binder) env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func (b *binder) str(p *string, name, def, usage string) {
	env := envName(name)
	b.settings = append(b.settings, Setting{"--" + name, env, def, usage})
	b.fs.StringVar(p, name, b.env(env, def), usage+" (env "+env+")")
}

func (b *binder) integer(p *int, name string, def int, usage string) {
	env := envName(name)
	b.settings = append(b.settings, Setting{"--" + name, env, strconv.Itoa(def), usage})
	v := def
	if s := b.env(env, ""); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.errs = append(b.errs, fmt.Sprintf("%s=%q: not a whole number", env, s))
		}
		v = n
	}
	b.fs.IntVar(p, name, v, usage+" (env "+env+")")
}

func (b *binder) bytes(p *int64, name string, def int64, usage string) {
	env := envName(name)
	b.settings = append(b.settings, Setting{"--" + name, env, strconv.FormatInt(def, 10), usage})
	v := def
	if s := b.env(env, ""); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.errs = append(b.errs, fmt.Sprintf("%s=%q: not a number of bytes", env, s))
		}
		v = n
	}
	b.fs.Int64Var(p, name, v, usage+" (env "+env+")")
}

func (b *binder) duration(p *time.Duration, name string, def time.Duration, usage string) {
	env := envName(name)
	b.settings = append(b.settings, Setting{"--" + name, env, def.String(), usage})
	v := def
	if s := b.env(env, ""); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.errs = append(b.errs, fmt.Sprintf("%s=%q: not a duration like 30m", env, s))
		}
		v = d
	}
	b.fs.DurationVar(p, name, v, usage+" (env "+env+")")
}

func (b *binder) boolean(p *bool, name string, def bool, usage string) {
	env := envName(name)
	b.settings = append(b.settings, Setting{"--" + name, env, strconv.FormatBool(def), usage})
	v := def
	if s := b.env(env, ""); s != "" {
		x, err := strconv.ParseBool(s)
		if err != nil {
			b.errs = append(b.errs, fmt.Sprintf("%s=%q: not true or false", env, s))
		}
		v = x
	}
	b.fs.BoolVar(p, name, v, usage+" (env "+env+")")
}

func envName(flagName string) string {
	return "BULWARK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Scope says which settings a command takes.
type Scope int

const (
	ScopeDB     Scope = iota // --data and --db only (CLI commands)
	ScopeServer              // every setting
)

// Bind registers the settings of scope on fs and returns the struct they
// fill; call Finish after fs.Parse.
func Bind(fs *flag.FlagSet, scope Scope) (*Config, func() error, []Setting) {
	c := &Config{}
	b := &binder{fs: fs}
	b.str(&c.Data, "data", "./data", "folder for the SQLite database, uploads and backups")
	b.str(&c.DB, "db", "", "database: a PostgreSQL URL (postgres://...) or a SQLite file; default DATA/bulwark.db")
	b.integer(&c.PasswordMinLength, "password-min-length", 12, "minimum password length in characters")
	b.integer(&c.PasswordMinClasses, "password-min-classes", 1, "minimum kinds of character (lower, upper, digit, other) in a password")
	b.str(&c.AssetValueMethod, "asset-value-method", "formula", "how C/I/A ratings combine into asset value: formula (GB/T 20984 log2) or max")
	b.str(&c.DefaultOrg, "default-org", "本单位", "name of the organisation created on first run")
	b.str(&c.LogFormat, "log-format", "text", "log format: text or json")
	b.str(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	b.str(&c.Timezone, "timezone", "Asia/Shanghai", "time zone for dates shown in the UI and in exports")
	if scope == ScopeServer {
		b.str(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
		b.str(&c.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
		b.str(&c.TLSKey, "tls-key", "", "TLS private key file (PEM)")
		b.boolean(&c.CookieSecure, "cookie-secure", false, "mark cookies Secure even without TLS (behind an HTTPS proxy)")
		b.boolean(&c.TrustProxy, "trust-proxy", false, "take the client address from X-Forwarded-For (only behind your own proxy)")
		b.duration(&c.SessionIdle, "session-idle", 30*time.Minute, "a session unused this long ends")
		b.duration(&c.SessionMax, "session-max", 12*time.Hour, "a session ends this long after login")
		b.integer(&c.LoginMaxFailures, "login-max-failures", 5, "failed logins in a row before the account is locked")
		b.duration(&c.LoginLockout, "login-lockout", 15*time.Minute, "how long a locked account stays locked")
		b.integer(&c.LoginPerIPMinute, "login-per-ip-minute", 20, "login attempts allowed per client IP per minute")
		b.bytes(&c.MaxUpload, "max-upload", 32<<20, "largest upload accepted, in bytes")
		b.duration(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long SIGTERM waits for requests in flight")
		b.str(&c.BaseURL, "base-url", "", "address people open Bulwark at (https://bulwark.example.cn), for links in notifications; default http(s)://ADDR")
	}
	finish := func() error {
		if len(b.errs) > 0 {
			return fmt.Errorf("configuration: %s", strings.Join(b.errs, "; "))
		}
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return fmt.Errorf("configuration: --timezone %q: %w", c.Timezone, err)
		}
		c.Location = loc
		if c.DB == "" {
			c.DB = filepath.Join(c.Data, "bulwark.db")
		}
		if (c.TLSCert == "") != (c.TLSKey == "") {
			return fmt.Errorf("configuration: --tls-cert and --tls-key go together")
		}
		switch c.LogFormat {
		case "text", "json":
		default:
			return fmt.Errorf("configuration: --log-format %q: want text or json", c.LogFormat)
		}
		if c.BaseURL != "" {
			u, err := url.Parse(c.BaseURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("configuration: --base-url %q: want an absolute http(s) address", c.BaseURL)
			}
		}
		if c.PasswordMinLength < 8 {
			return fmt.Errorf("configuration: --password-min-length %d: at least 8", c.PasswordMinLength)
		}
		return nil
	}
	return c, finish, b.settings
}

// PrintSettings writes the settings as a Markdown table (for the README).
func PrintSettings(w io.Writer, settings []Setting) {
	fmt.Fprintln(w, "| flag | environment | default | meaning |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, s := range settings {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "(none)"
		}
		fmt.Fprintf(w, "| `%s` | `%s` | %s | %s |\n", s.Flag, s.Env, def, s.Usage)
	}
}

// Defaults returns the server configuration with every default (and any
// BULWARK_* variables set in the environment), for tests and tools.
func Defaults() *Config {
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	c, finish, _ := Bind(fs, ScopeServer)
	_ = fs.Parse(nil)
	if err := finish(); err != nil {
		panic(err)
	}
	return c
}

// PublicURL is where people reach this server: --base-url, else derived
// from --addr (and TLS).
func (c *Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + c.Addr
}
