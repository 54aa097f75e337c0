package app_test

import (
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/clock"
	"bulwark/internal/i18n"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/workflow"
)

// Every module that puts approvals or tasks on its objects registers where
// they live; the inbox and the task list then name the kind of object from
// the catalogue, so each registered type needs its name there.
func TestEveryLinkedObjectTypeHasAName(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	app.New(db, clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)), app.DefaultOptions())
	types := workflow.LinkedTypes()
	if len(types) < 5 {
		t.Fatalf("only %v registered a link", types)
	}
	for _, typ := range types {
		if !i18n.Has("approval.object." + typ) {
			t.Errorf("object type %s has no approval.object.%s in the catalogue", typ, typ)
		}
	}
}
