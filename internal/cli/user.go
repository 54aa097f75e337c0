package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/auth"
)

func runUser(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 {
		return usagef("want a subcommand: create, passwd, disable, enable, list, roles")
	}
	sub, args := args[0], args[1:]
	// Check the subcommand before anything opens (and perhaps creates) a database.
	switch sub {
	case "create", "passwd", "disable", "enable", "list", "roles":
	default:
		return usagef("unknown subcommand %q; want create, passwd, disable, enable, list or roles", sub)
	}
	fs := newFlags("user "+sub, io)
	var roles stringList
	var orgID int64
	var display, email string
	var mustChange bool
	switch sub {
	case "create":
		fs.Var(&roles, "role", "role to grant (repeatable or comma-separated): "+rolesHelp())
		fs.StringVar(&display, "display-name", "", "name shown in the UI")
		fs.StringVar(&email, "email", "", "email address")
		fs.BoolVar(&mustChange, "must-change", false, "require a password change at first login")
		fs.Int64Var(&orgID, "org", 0, "organisation id the roles are held in (default: the first)")
	case "passwd":
		fs.BoolVar(&mustChange, "must-change", false, "require a password change at next login")
	case "roles":
		fs.Var(&roles, "set", "replace the user's roles in --org with these (comma-separated; empty clears)")
		fs.Int64Var(&orgID, "org", 0, "organisation id (default: the first)")
	}
	cfg, rest, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Err)
	if err != nil {
		return err
	}
	defer e.db.Close()
	if orgID == 0 {
		orgID = e.org
	}
	sys := app.SystemContext(ctx, orgID)
	svc := e.app.Accounts
	needName := func() (account.User, error) {
		if len(rest) != 1 {
			return account.User{}, usagef("want exactly one USERNAME")
		}
		return svc.GetByName(sys, rest[0])
	}
	switch sub {
	case "create":
		if len(rest) != 1 {
			return usagef("want exactly one USERNAME")
		}
		pw, err := readPassword(io)
		if err != nil {
			return err
		}
		in := account.NewUser{Username: rest[0], DisplayName: display, Email: email, Password: pw, OrgID: orgID, MustChange: mustChange}
		for _, r := range roles {
			role, ok := auth.ParseRole(r)
			if !ok {
				return usagef("unknown role %q; roles are: %s", r, rolesHelp())
			}
			if role == auth.RoleAdmin {
				in.PlatformAdmin = true
				continue
			}
			in.Roles = append(in.Roles, role)
		}
		u, err := svc.Create(sys, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "created user %s (id %d)\n", u.Username, u.ID)
	case "passwd":
		u, err := needName()
		if err != nil {
			return err
		}
		pw, err := readPassword(io)
		if err != nil {
			return err
		}
		if err := svc.ResetPassword(sys, u.ID, pw, mustChange); err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "password of %s changed\n", u.Username)
	case "disable", "enable":
		u, err := needName()
		if err != nil {
			return err
		}
		if err := svc.SetDisabled(sys, u.ID, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "user %s %sd\n", u.Username, sub)
	case "list":
		users, err := svc.List(sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tDISPLAY NAME\tADMIN\tDISABLED\tROLES (org:role)")
		for _, u := range users {
			var rs []string
			for org, roles := range u.Roles {
				for _, r := range roles {
					rs = append(rs, fmt.Sprintf("%d:%s", org, r))
				}
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%v\t%s\n", u.ID, u.Username, u.DisplayName, u.PlatformAdmin, u.Disabled, strings.Join(rs, " "))
		}
		return tw.Flush()
	case "roles":
		u, err := needName()
		if err != nil {
			return err
		}
		var set []auth.Role
		setGiven := false
		for _, r := range roles {
			role, ok := auth.ParseRole(r)
			if !ok || role == auth.RoleAdmin {
				return usagef("unknown organisation role %q; roles are: %s", r, rolesHelp())
			}
			set = append(set, role)
		}
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "set" {
				setGiven = true
			}
		})
		if setGiven {
			if err := svc.SetRoles(sys, u.ID, orgID, set); err != nil {
				return err
			}
			u, _ = svc.GetByName(sys, u.Username)
		}
		fmt.Fprintf(io.Out, "%s in organisation %d: %v (platform admin: %v)\n", u.Username, orgID, u.Roles[orgID], u.PlatformAdmin)
	}
	return nil
}

func rolesHelp() string {
	var names []string
	for _, r := range auth.AllRoles {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// readPassword reads one line from standard input (for scripts:
// echo "$PW" | bulwark user create alice --role auditor).
func readPassword(io IO) (string, error) {
	fmt.Fprint(io.Err, "password (read from standard input): ")
	line, err := bufio.NewReader(io.In).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("no password on standard input")
	}
	fmt.Fprintln(io.Err)
	return strings.TrimRight(line, "\r\n"), nil
}
