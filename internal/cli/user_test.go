package cli_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
)

func TestUserCommands(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		login := func(name, pw string) error {
			_, err := a.Accounts.Login(ctx, name, pw, "127.0.0.1")
			return err
		}

		r := must(t, "Strong-Password-1\n", "user", "create", "alice", "--role", "security_manager", "--display-name", "Alice", "--db", dsn)
		if !strings.Contains(r.out, "created user alice") || strings.Contains(r.out, "Strong-Password-1") {
			t.Fatalf("create: %s", r.out)
		}
		if err := login("alice", "Strong-Password-1"); err != nil {
			t.Fatalf("alice cannot log in: %v", err)
		}

		for _, tc := range []struct {
			name  string
			stdin string
			args  []string
			code  int
			want  string // in standard error
		}{
			{"bad role", "Strong-Password-1\n", []string{"user", "create", "bob", "--role", "wizard"}, 2, `unknown role "wizard"; roles are: admin, leadership`},
			{"weak password", "short\n", []string{"user", "create", "carol", "--role", "viewer"}, 1, "password: "},
			{"password is the username", "Carol-Carol-1\n", []string{"user", "create", "Carol-Carol-1"}, 1, "password: "},
			{"bad username", "Strong-Password-1\n", []string{"user", "create", "x"}, 1, "username: "},
			{"duplicate", "Strong-Password-1\n", []string{"user", "create", "alice"}, 1, "username: "},
			{"no password", "", []string{"user", "create", "dave"}, 2, "no password on standard input"},
			{"two names", "Strong-Password-1\n", []string{"user", "create", "dave", "erin"}, 2, "exactly one USERNAME"},
			{"unknown user", "Strong-Password-1\n", []string{"user", "passwd", "nobody"}, 1, "bulwark user:"},
			{"flag before the subcommand", "", []string{"user"}, 2, `unknown subcommand "--db"`},
			{"bad subcommand", "", []string{"user", "frob"}, 2, `unknown subcommand "frob"`},
			{"roles: admin is not an organisation role", "", []string{"user", "roles", "alice", "--set", "admin"}, 2, "unknown organisation role"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := run(t, tc.stdin, append(tc.args, "--db", dsn)...)
				if r.code != tc.code || !strings.Contains(r.err, tc.want) {
					t.Fatalf("exit %d (want %d), stderr:\n%s\nwant it to contain %q", r.code, tc.code, r.err, tc.want)
				}
			})
		}
		if _, err := a.Accounts.GetByName(auth.WithActor(ctx, auth.System(1)), "carol"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("carol was created despite the weak password: %v", err)
		}

		// A weak password names the rule in English.
		if r := run(t, "short\n", "user", "create", "carol", "--db", dsn); !strings.Contains(r.err, "12") {
			t.Errorf("weak password message does not say the minimum: %s", r.err)
		}

		must(t, "Another-Password-2\n", "user", "passwd", "alice", "--must-change", "--db", dsn)
		if err := login("alice", "Strong-Password-1"); err == nil {
			t.Fatal("old password still works")
		}
		u, err := a.Accounts.Login(ctx, "alice", "Another-Password-2", "127.0.0.1")
		if err != nil || !u.MustChangePassword {
			t.Fatalf("after passwd: must change %v, %v", u.MustChangePassword, err)
		}

		if r := must(t, "", "user", "disable", "alice", "--db", dsn); !strings.Contains(r.out, "user alice disabled") {
			t.Fatalf("disable: %s", r.out)
		}
		if err := login("alice", "Another-Password-2"); err == nil {
			t.Fatal("a disabled user logged in")
		}
		must(t, "", "user", "enable", "alice", "--db", dsn)
		if err := login("alice", "Another-Password-2"); err != nil {
			t.Fatalf("enabled user cannot log in: %v", err)
		}

		r = must(t, "", "user", "roles", "alice", "--set", "auditor,viewer", "--db", dsn)
		if !strings.Contains(r.out, "[auditor viewer]") {
			t.Fatalf("roles --set: %s", r.out)
		}
		got, err := a.Accounts.GetByName(auth.WithActor(ctx, auth.System(1)), "alice")
		if err != nil {
			t.Fatal(err)
		}
		var roles []auth.Role
		for _, rs := range got.Roles {
			roles = append(roles, rs...)
		}
		slices.Sort(roles)
		if !slices.Equal(roles, []auth.Role{auth.RoleAuditor, auth.RoleViewer}) {
			t.Fatalf("roles after --set: %v", got.Roles)
		}
		// Without --set, roles only shows them.
		if r := must(t, "", "user", "roles", "alice", "--db", dsn); !strings.Contains(r.out, "[auditor viewer]") {
			t.Fatalf("roles: %s", r.out)
		}

		r = must(t, "", "user", "list", "--db", dsn)
		lines := strings.Split(strings.TrimSpace(r.out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
			t.Fatalf("user list:\n%s", r.out)
		}
		var aliceLine string
		for _, l := range lines {
			if strings.Contains(l, "alice") {
				aliceLine = l
			}
		}
		if !strings.Contains(aliceLine, "Alice") || !strings.Contains(aliceLine, ":auditor") || !strings.Contains(aliceLine, ":viewer") ||
			!strings.Contains(r.out, "admin") {
			t.Fatalf("user list:\n%s", r.out)
		}
	})
}

func TestTokenCreate(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		must(t, "Strong-Password-1\n", "user", "create", "robot", "--role", "system_admin", "--db", dsn)
		r := must(t, "", "token", "create", "robot", "--name", "ci", "--expires", "24h", "--db", dsn)
		token := strings.TrimSpace(r.out)
		if strings.Count(r.out, "\n") != 1 || !strings.HasPrefix(token, "bwk_") {
			t.Fatalf("stdout must hold the token alone, got %q", r.out)
		}
		if !strings.Contains(r.err, "(ci) for robot") || !strings.Contains(r.err, "shown only this once") || strings.Contains(r.err, token) {
			t.Fatalf("stderr: %s", r.err)
		}
		a := openApp(t, dsn)
		actor, u, err := a.Accounts.AuthenticateToken(context.Background(), token, 0, "127.0.0.1")
		if err != nil || u.Username != "robot" || !actor.Can(auth.PermAssetWrite) {
			t.Fatalf("token authenticates as %q (%v)", u.Username, err)
		}

		// No expiry by default; a second token is a different secret.
		r2 := must(t, "", "token", "create", "robot", "--db", dsn)
		if strings.TrimSpace(r2.out) == token || !strings.Contains(r2.err, "expires never") {
			t.Fatalf("second token: %q %s", r2.out, r2.err)
		}
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"token", "create", "ghost"}, 1, "bulwark token:"},
			{[]string{"token", "create", "robot", "--expires", "-1h"}, 1, "expires: "},
			{[]string{"token", "create", "robot", "--expires", "soon"}, 2, "invalid value"},
			{[]string{"token", "create"}, 2, "exactly one USER"},
			{[]string{"token", "list"}, 2, "usage: bulwark token create"},
		} {
			if r := run(t, "", append(tc.args, "--db", dsn)...); r.code != tc.code || !strings.Contains(r.err, tc.want) || r.out != "" {
				t.Errorf("%v: exit %d out %q err %s", tc.args, r.code, r.out, r.err)
			}
		}
	})
}

func TestOrgCommands(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		r := must(t, "", "org", "create", "客户B", "--type", "cii", "--db", dsn)
		if !strings.Contains(r.out, "created organisation 客户B (id 2, cii)") {
			t.Fatalf("create: %s", r.out)
		}
		must(t, "", "org", "set-type", "2", "state_organ", "--db", dsn)
		r = must(t, "", "org", "list", "--db", dsn)
		if !strings.Contains(r.out, "本单位") || !regexp.MustCompile(`2\s+客户B\s+state_organ`).MatchString(r.out) {
			t.Fatalf("list:\n%s", r.out)
		}
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"org", "create", "客户B"}, 1, "name: "},
			{[]string{"org", "create", "客户C", "--type", "bank"}, 1, "type: "},
			{[]string{"org", "set-type", "2", "bank"}, 1, "type: "},
			{[]string{"org", "set-type", "x", "cii"}, 2, `bad organisation id "x"`},
			{[]string{"org", "set-type", "99", "cii"}, 1, "bulwark org:"},
			{[]string{"org", "create"}, 2, "exactly one NAME"},
			{[]string{"org"}, 2, `unknown subcommand "--db"`},
		} {
			if r := run(t, "", append(tc.args, "--db", dsn)...); r.code != tc.code || !strings.Contains(r.err, tc.want) {
				t.Errorf("%v: exit %d, stderr %s", tc.args, r.code, r.err)
			}
		}
	})
}
