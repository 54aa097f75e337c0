package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"bulwark/internal/app"
	"bulwark/internal/org"
)

func runOrg(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 {
		return usagef("want a subcommand: create NAME [--type T], list, set-type ID TYPE")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create", "list", "set-type":
	default:
		return usagef("unknown subcommand %q; want create, list or set-type", sub)
	}
	fs := newFlags("org "+sub, io)
	typ := fs.String("type", string(org.TypeOther), "cii, state_organ or other")
	cfg, rest, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Err)
	if err != nil {
		return err
	}
	defer e.db.Close()
	sys := app.SystemContext(ctx, e.org)
	switch sub {
	case "create":
		if len(rest) != 1 {
			return usagef("want exactly one NAME")
		}
		o, err := e.app.Orgs.Create(sys, rest[0], org.Type(*typ))
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "created organisation %s (id %d, %s)\n", o.Name, o.ID, o.Type)
	case "list":
		orgs, err := e.app.Orgs.List(sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tTYPE")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", o.ID, o.Name, o.Type)
		}
		return tw.Flush()
	case "set-type":
		if len(rest) != 2 {
			return usagef("want ID TYPE")
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return usagef("bad organisation id %q", rest[0])
		}
		o, err := e.app.Orgs.Get(sys, id)
		if err != nil {
			return err
		}
		if _, err := e.app.Orgs.Update(sys, id, o.Name, org.Type(rest[1])); err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "organisation %d is now %s\n", id, rest[1])
	}
	return nil
}
