package cli

import (
	"context"
	"fmt"
	"time"

	"bulwark/internal/audit"
	"bulwark/internal/store"
)

// errChainBroken makes audit verify exit non-zero.
type errChainBroken struct{ res audit.VerifyResult }

func (e errChainBroken) Error() string {
	return fmt.Sprintf("audit trail BROKEN at record %d: %s (%d records read)", e.res.BadSeq, e.res.Problem, e.res.Checked)
}

func runAudit(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 || args[0] != "verify" {
		return usagef("usage: bulwark audit verify")
	}
	fs := newFlags("audit verify", io)
	cfg, _, err := parseDB(fs, args[1:])
	if err != nil {
		return err
	}
	// Verify opens the database without migrating or bootstrapping: it must
	// not write to the trail it is checking.
	if err := existingDB(cfg.DB); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if !res.OK {
		return errChainBroken{res}
	}
	fmt.Fprintf(io.Out, "audit trail intact: %d records verified in %s; head %s\n", res.Checked, time.Since(start).Round(time.Millisecond), res.LastHash)
	return nil
}
