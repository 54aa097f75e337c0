package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/config"
	"bulwark/internal/i18n"
)

// runImport imports a spreadsheet as the system, in the default
// organisation or --org. It prints the plan (every row that is not
// unchanged) and exits non-zero when a row is in error, unless
// --valid-only says to import the valid rows and skip the rest.
func runImport(ctx context.Context, args []string, io IO) error {
	if len(args) > 0 && args[0] == "playbooks" {
		return runImportPlaybooks(ctx, args[1:], io)
	}
	if len(args) == 0 || args[0] != "assets" {
		return usagef("want: import assets FILE [--dry-run] [--valid-only] [--org N], or import playbooks FILE [--dry-run] [--org N]")
	}
	fs := newFlags("import assets", io)
	dryRun := fs.Bool("dry-run", false, "show what would change, change nothing")
	validOnly := fs.Bool("valid-only", false, "import the valid rows even when others have errors")
	orgID := fs.Int64("org", 0, "organisation id (default: the default organisation)")
	cfg, rest, err := parseDB(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("want exactly one FILE")
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return fmt.Errorf("read %s: %w", rest[0], err)
	}
	e, sys, err := openInOrg(ctx, cfg, *orgID, io)
	if err != nil {
		return err
	}
	defer e.db.Close()
	res, err := e.app.Assets.Import(sys, data, asset.ImportOptions{DryRun: *dryRun, ValidOnly: *validOnly, Filename: filepath.Base(rest[0])})
	if res != nil {
		printPlan(io, res)
	}
	if err != nil {
		if res != nil {
			// The rows' problems are printed above already.
			return fmt.Errorf("%d rows have errors; nothing was imported (fix them, or use --valid-only)", res.Counts.Error)
		}
		return err
	}
	if res.Counts.Error > 0 && !*validOnly {
		return fmt.Errorf("%d rows have errors; nothing would be imported (fix them, or use --valid-only)", res.Counts.Error)
	}
	return nil
}

// printPlan writes the counts, warnings, errors and the rows that change,
// in English (the console's language, as elsewhere in the CLI).
func printPlan(io IO, res *asset.ImportResult) {
	c := res.Counts
	verb := "would be"
	if res.Applied {
		verb = "were"
	}
	fmt.Fprintf(io.Out, "%s (%s, sha256 %s): %d rows\n", res.Filename, res.Format, res.SHA256, c.Rows)
	if len(res.Unknown) > 0 {
		fmt.Fprintf(io.Out, "warning: columns not recognised, ignored: %s\n", strings.Join(res.Unknown, ", "))
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	changed := false
	for _, r := range res.Rows {
		if r.Action == asset.ImportUnchanged {
			continue
		}
		if !changed {
			fmt.Fprintln(tw, "ROW\tACTION\tNUMBER\tNAME\tDETAILS")
			changed = true
		}
		var details []string
		for _, f := range r.Errors {
			details = append(details, fmt.Sprintf("%s: %s", f.Field, i18n.Field("en", f)))
		}
		if len(r.Changes) > 0 {
			details = append(details, "changes "+strings.Join(r.Changes, ", "))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.Row, r.Action, r.Number, r.Name, strings.Join(details, "; "))
	}
	_ = tw.Flush()
	fmt.Fprintf(io.Out, "%d created, %d updated, %d unchanged %s; %d rows with errors", c.Create, c.Update, c.Unchanged, verb, c.Error)
	if c.Error > 0 && res.ValidOnly {
		fmt.Fprint(io.Out, " (skipped)")
	}
	fmt.Fprintln(io.Out)
}

// openInOrg opens the database and returns the system actor's context in
// the organisation orgID (0: the default one) for an import, refusing an
// organisation that does not exist.
func openInOrg(ctx context.Context, cfg *config.Config, orgID int64, io IO) (*env, context.Context, error) {
	e, err := open(ctx, cfg, io.Err)
	if err != nil {
		return nil, nil, err
	}
	org := e.org
	if orgID != 0 {
		org = orgID
	}
	sys := app.SystemContext(ctx, org)
	if _, err := e.app.Orgs.Get(sys, org); apperr.Is(err, apperr.NotFound) {
		e.db.Close()
		return nil, nil, usagef("no organisation %d (see bulwark org list)", org)
	} else if err != nil {
		e.db.Close()
		return nil, nil, err
	}
	return e, sys, nil
}
