package incident_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Migration 0020 backfills, for incidents recorded before it, the deadline
// rows the services now write (same times and near windows as
// deadline.DefaultWindows) and a "time only" record of each first report
// already marked. The test lets the services write them, removes them,
// runs the migration's INSERT statements again and compares.
func TestMigrationBackfillMatchesTheServices(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		x.create("门户首页被篡改", incident.GradeIII) // open, first report due
		reported := x.create("数据泄露", incident.GradeII)
		closed := x.create("扫描探测", incident.GradeIII)
		x.e.Clock.Advance(20 * time.Minute)
		_, err := x.e.App.Incidents.MarkReported(x.resp, reported.ID, x.e.Clock.Now().Add(-10*time.Minute))
		x.must(err)
		_, err = x.e.App.Lifecycle.Exception(x.leader, closed.ID, incident.PhaseClosed, "误报")
		x.must(err)

		type row struct{ start, due, near, met int64 }
		read := func() map[string]row {
			rows, err := db.Read().Query(`SELECT object_id, kind, start_at, due_at, near_at, met_at FROM deadlines ORDER BY id`)
			x.must(err)
			defer rows.Close()
			out := map[string]row{}
			for rows.Next() {
				var id, kind string
				var r row
				x.must(rows.Scan(&id, &kind, &r.start, &r.due, &r.near, &r.met))
				out[id+" "+kind] = r
			}
			return out
		}
		before := read()
		delete(before, fmt.Sprint(closed.ID)+" report.first") // a closed incident's first report is left out
		var records int
		x.must(db.Read().QueryRow(`SELECT COUNT(*) FROM incident_reports WHERE via = 'shortcut'`).Scan(&records))
		if _, err := db.Write().Exec(`DELETE FROM deadlines`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write().Exec(`DELETE FROM incident_reports`); err != nil {
			t.Fatal(err)
		}
		sql, err := os.ReadFile("../store/migrations/0020_regulator_reports.sql")
		x.must(err)
		var lines []string
		for _, l := range strings.Split(string(sql), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), "--") {
				lines = append(lines, l)
			}
		}
		for _, stmt := range strings.Split(strings.Join(lines, "\n"), ";") {
			if s := strings.TrimSpace(stmt); strings.HasPrefix(s, "INSERT") {
				if _, err := db.Write().Exec(s); err != nil {
					t.Fatalf("%v\n%s", err, s)
				}
			}
		}
		after := read()
		if len(after) != len(before) || len(before) != 3 {
			t.Errorf("backfilled %d deadlines, the services wrote %d (3 expected): %v / %v", len(after), len(before), after, before)
		}
		for k, want := range before {
			if after[k] != want {
				t.Errorf("%s: backfilled %+v, services %+v", k, after[k], want)
			}
		}
		var again int
		x.must(db.Read().QueryRow(`SELECT COUNT(*) FROM incident_reports WHERE via = 'shortcut' AND kind = 'first' AND seq = 1`).Scan(&again))
		if records != 1 || again != 1 {
			t.Errorf("first reports marked: %d by the service, %d backfilled", records, again)
		}
	})
}
