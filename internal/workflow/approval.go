// Package workflow holds approvals: a step of some object's life (an
// incident's containment plan, a risk's acceptance, ...) that waits for a
// decision by a holder of one of the roles it names. It records who decided
// what and why, refuses the wrong role, never lets the author decide their
// own request, and tells the owning module through hooks run in the same
// transaction as the decision, so the owner's state and the decision commit
// or fail together.
package workflow

import (
	"slices"
	"strings"
	"sync"
	"time"

	"bulwark/internal/auth"
)

// Status of an approval.
const (
	StatusPending   = "pending"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusWithdrawn = "withdrawn"
)

// Approval is one decision step on an object.
type Approval struct {
	ID            int64       `json:"id"`
	OrgID         int64       `json:"org_id"`
	ObjectType    string      `json:"object_type"`
	ObjectID      string      `json:"object_id"`
	Step          string      `json:"step"`
	Title         string      `json:"title"`
	Roles         []auth.Role `json:"roles"`
	AuthorID      int64       `json:"author_id"`
	AuthorName    string      `json:"author_name"`
	Status        string      `json:"status"`
	DecidedBy     int64       `json:"decided_by"`
	DecidedByName string      `json:"decided_by_name"`
	Reason        string      `json:"reason"`
	CreatedAt     time.Time   `json:"created_at"`
	DecidedAt     time.Time   `json:"decided_at"`
}

// Request asks for a decision on an object. Roles lists who may decide: any
// one holder of any of them in the object's organisation.
type Request struct {
	ObjectType string
	ObjectID   string
	Step       string // what is being decided, e.g. "containment_plan"
	Title      string // shown in the inbox
	Roles      []auth.Role
}

// MayDecide reports whether actor may decide a: it is pending, the actor
// did not author it, and holds one of its roles (a platform admin holds
// them all, but is still refused on their own request).
func (a Approval) MayDecide(actor *auth.Actor) bool {
	if actor == nil || a.Status != StatusPending || a.AuthorID == actor.UserID || !actor.Can(auth.PermApprovalDecide) {
		return false
	}
	return actor.PlatformAdmin || slices.ContainsFunc(a.Roles, actor.HasRole)
}

// MayWithdraw reports whether actor may withdraw a: only its author, while
// it is pending.
func (a Approval) MayWithdraw(actor *auth.Actor) bool {
	return actor != nil && a.Status == StatusPending && a.AuthorID == actor.UserID && actor.Can(auth.PermApprovalRequest)
}

// Roles are stored as ",a,b," so one role matches LIKE '%,a,%'.
func joinRoles(rs []auth.Role) string {
	var b strings.Builder
	b.WriteByte(',')
	for _, r := range rs {
		b.WriteString(string(r))
		b.WriteByte(',')
	}
	return b.String()
}

func splitRoles(s string) []auth.Role {
	var out []auth.Role
	for p := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if p != "" {
			out = append(out, auth.Role(p))
		}
	}
	return out
}

// links maps an object type to the UI path of one of its objects, so the
// inbox can link each approval to what it is about. Modules register theirs
// at start (incident: "/incidents/"+id).
var (
	linksMu sync.RWMutex
	links   = map[string]func(id string) string{}
)

// RegisterLink says where objects of objectType are shown in the UI.
func RegisterLink(objectType string, f func(id string) string) {
	linksMu.Lock()
	defer linksMu.Unlock()
	links[objectType] = f
}

// LinkedTypes lists the object types that registered a link, sorted (the
// catalogue test checks each has a name for the inbox).
func LinkedTypes() []string {
	linksMu.RLock()
	defer linksMu.RUnlock()
	out := make([]string, 0, len(links))
	for t := range links {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Link is the UI path of an approval's object, or "" when its module has
// registered none.
func Link(objectType, objectID string) string {
	linksMu.RLock()
	f := links[objectType]
	linksMu.RUnlock()
	if f == nil {
		return ""
	}
	return f(objectID)
}
