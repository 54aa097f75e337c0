package incident

import (
	"context"
	"time"
)

// AlertRef is what an incident needs from an alert to be promoted from it.
// The alert store comes with the log and detection issue; it implements
// AlertSource and the web UI's "report as incident" button uses FromAlert.
type AlertRef struct {
	ID          string
	Title       string
	Description string
	SeenAt      time.Time
	AssetIDs    []int64
}

// AlertSource finds an alert of the caller's organisation by id.
type AlertSource interface {
	Alert(ctx context.Context, id string) (AlertRef, error)
}

// Draft is a new incident's form before anyone saved it.
type Draft struct {
	Title        string
	Description  string
	DiscoveredAt time.Time
	Source       Source
	AssetIDs     []int64
	AlertRef     string
}

// FromAlert prefills an incident from an alert.
func FromAlert(a AlertRef) Draft {
	return Draft{Title: a.Title, Description: a.Description, DiscoveredAt: a.SeenAt, Source: SourceAlert,
		AssetIDs: append([]int64(nil), a.AssetIDs...), AlertRef: a.ID}
}

// Input turns a draft into the input of Create.
func (d Draft) Input() Input {
	return Input{Title: d.Title, Description: d.Description, DiscoveredAt: d.DiscoveredAt, Source: d.Source,
		AssetIDs: d.AssetIDs, AlertRef: d.AlertRef}
}
