package incident

import (
	"context"

	"bulwark/internal/store"
)

// CloseCheck is asked, inside the transaction of an ordinary transition
// from summary to closed, whether the incident may close; it refuses with
// an error (an apperr Conflict naming what is missing). The post-incident
// review registers one: closing needs the review recorded (事故总结) and
// its corrective actions approved. Leadership's Exception does not ask:
// its reasoned decision is the exception.
type CloseCheck func(ctx context.Context, tx *store.Tx, inc Incident, round int) error

// OnClose registers c. Modules call it once while the application is
// wired, before any request runs.
func (l *Lifecycle) OnClose(c CloseCheck) { l.closeChecks = append(l.closeChecks, c) }

// checkClose runs the registered checks when the move goes to closed.
func (l *Lifecycle) checkClose(ctx context.Context, tx *store.Tx, inc Incident, to Phase, round int) error {
	if to != PhaseClosed {
		return nil
	}
	for _, c := range l.closeChecks {
		if err := c(ctx, tx, inc, round); err != nil {
			return err
		}
	}
	return nil
}
