package auth

import (
	"context"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
)

// Actor is the caller of a service method: who, in which organisation, with
// which roles there, from where.
type Actor struct {
	UserID        int64
	Username      string
	OrgID         int64 // the organisation being worked in
	Roles         []Role
	PlatformAdmin bool
	IP            string
	Locale        string
}

// System is the actor for work the installation does itself or that an
// operator runs from the command line on the server.
func System(orgID int64) *Actor {
	return &Actor{Username: "system", OrgID: orgID, PlatformAdmin: true}
}

// Can reports whether the actor may do p in its current organisation.
func (a *Actor) Can(p Perm) bool {
	if a == nil {
		return false
	}
	if a.PlatformAdmin {
		return true
	}
	for _, r := range a.Roles {
		if RoleCan(r, p) {
			return true
		}
	}
	return false
}

// HasRole reports whether the actor holds r in its current organisation.
func (a *Actor) HasRole(r Role) bool {
	if a == nil {
		return false
	}
	if r == RoleAdmin {
		return a.PlatformAdmin
	}
	for _, have := range a.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// Audit builds the audit record of an action taken by this actor.
func (a *Actor) Audit(action, objectType, objectID string, before, after any) audit.Record {
	return audit.Record{
		OrgID: a.OrgID, ActorID: a.UserID, Actor: a.Username, IP: a.IP,
		Action: action, ObjectType: objectType, ObjectID: objectID,
		Before: before, After: after,
	}
}

type ctxKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx, or nil.
func FromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(ctxKey{}).(*Actor)
	return a
}

// Require returns the actor in ctx if it may do p, else an error that the
// surfaces show as 401 or 403.
func Require(ctx context.Context, p Perm) (*Actor, error) {
	a := FromContext(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if !a.Can(p) {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a, nil
}
