package app

import (
	"context"

	"bulwark/internal/auth"
)

func randomPassword() string { return auth.RandomPassword(16) }

// sysCtx is a context acting as the installation itself in orgID.
func sysCtx(ctx context.Context, orgID int64) context.Context {
	return auth.WithActor(ctx, auth.System(orgID))
}

// SystemContext is the context the CLI acts in: an operator at the server's
// console may do anything, as the system, in orgID.
func SystemContext(ctx context.Context, orgID int64) context.Context { return sysCtx(ctx, orgID) }
