// Package notify tells people about events: email over SMTP (STARTTLS),
// a generic JSON webhook, and DingTalk, WeCom and Feishu group robots.
// Rules per organisation say which event kinds go to which channel. Publish
// writes one outbox row per matching rule inside the caller's transaction;
// the Dispatcher sends due rows after commit, logs every attempt, retries
// with exponential backoff and finally marks a row failed, where it stays
// visible (UI and API) until someone retries it.
package notify

import (
	"slices"

	"bulwark/internal/auth"
)

// Event is something people should hear about. Link is a path of the UI
// (/incidents/12) or an absolute URL; paths are made absolute with the
// configured base URL when the message is sent.
type Event struct {
	OrgID int64
	Kind  string // one of Kinds, e.g. incident.created
	Title string
	Body  string
	Link  string
	Roles []auth.Role // who should hear (shown with the delivery; email can address them)
}

// Kind is an event kind rules can route, with its catalogue name.
type Kind struct {
	Name string // e.g. incident.created
	Key  string // catalogue key of its label
}

// Kinds lists the event kinds in display order. It is data so that later
// modules add theirs with Register from an init function.
var Kinds = []Kind{
	{"incident.created", "notify.event.incident.created"},
	{"incident.graded_major", "notify.event.incident.graded_major"},
	{"approval.waiting", "notify.event.approval.waiting"},
	{"deadline.near", "notify.event.deadline.near"},
	{"deadline.overdue", "notify.event.deadline.overdue"},
	{"incident.closed", "notify.event.incident.closed"},
}

// KindTest is the kind of a channel's test message; no rule routes it.
const KindTest = "notify.test"

// Register adds an event kind (call from an init function).
func Register(name, key string) {
	if !KnownKind(name) {
		Kinds = append(Kinds, Kind{name, key})
	}
}

// KnownKind reports whether name is a registered event kind.
func KnownKind(name string) bool {
	return slices.ContainsFunc(Kinds, func(k Kind) bool { return k.Name == name })
}

// KindKey returns the catalogue key of an event kind's label.
func KindKey(name string) string {
	if name == KindTest {
		return "notify.event.test"
	}
	for _, k := range Kinds {
		if k.Name == name {
			return k.Key
		}
	}
	return "notify.event.unknown"
}
