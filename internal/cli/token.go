package cli

import (
	"context"
	"fmt"
	"time"

	"bulwark/internal/app"
)

func runToken(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: bulwark token create USER [--name N] [--expires DURATION]")
	}
	fs := newFlags("token create", io)
	name := fs.String("name", "cli", "a name to recognise the token by")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: no expiry)")
	cfg, rest, err := parseDB(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("want exactly one USER")
	}
	e, err := open(ctx, cfg, io.Err)
	if err != nil {
		return err
	}
	defer e.db.Close()
	sys := app.SystemContext(ctx, e.org)
	u, err := e.app.Accounts.GetByName(sys, rest[0])
	if err != nil {
		return err
	}
	t, secret, err := e.app.Accounts.CreateToken(sys, u.ID, *name, *expires)
	if err != nil {
		return err
	}
	// The secret goes to standard output alone so scripts can capture it.
	fmt.Fprintln(io.Out, secret)
	exp := "never"
	if !t.ExpiresAt.IsZero() {
		exp = t.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(io.Err, "token %d (%s) for %s, expires %s; it is shown only this once\n", t.ID, t.Name, u.Username, exp)
	return nil
}
