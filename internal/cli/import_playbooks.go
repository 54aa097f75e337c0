package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"bulwark/internal/i18n"
	"bulwark/internal/playbook"
)

// runImportPlaybooks imports a playbook YAML file as the system, in the
// default organisation or --org: all or nothing, as in the UI. It prints
// what happens to each playbook, or every problem (playbook, phase, step,
// field) and exits non-zero.
func runImportPlaybooks(ctx context.Context, args []string, io IO) error {
	fs := newFlags("import playbooks", io)
	dryRun := fs.Bool("dry-run", false, "show what would change, change nothing")
	orgID := fs.Int64("org", 0, "organisation id (default: the default organisation)")
	cfg, rest, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("want exactly one FILE")
	}
	info, err := os.Stat(rest[0])
	if err != nil {
		return fmt.Errorf("read %s: %w", rest[0], err)
	}
	if info.Size() > playbook.MaxFileSize {
		return fmt.Errorf("%s is larger than %d KB", rest[0], playbook.MaxFileSize>>10)
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
	res, err := e.app.Playbooks.Import(sys, data, filepath.Base(rest[0]), *dryRun)
	if res == nil {
		return err
	}
	verb := "would be"
	if res.Applied {
		verb = "were"
	}
	for _, it := range res.Items {
		fmt.Fprintf(io.Out, "%-10s %s (%s, %d steps)\n", it.Action, it.Key, it.NameZh, it.Steps)
	}
	for _, is := range res.Issues {
		fmt.Fprintf(io.Out, "error      %s: %s\n", is.Path(), i18n.Field("en", is.FieldError()))
	}
	if err != nil {
		return fmt.Errorf("%d problems; nothing was imported", len(res.Issues))
	}
	fmt.Fprintf(io.Out, "%d playbooks created or replaced %s\n", res.Changes(), verb)
	return nil
}
