package incident

import (
	"context"
	"math/rand/v2"
	"time"

	"bulwark/internal/store"
)

// Summarize is what the metrics report for a set of raw durations (seconds),
// through the same durationHist as the rollup: tests compute the expected
// figures from the incidents themselves with it.
func Summarize(metric string, secs []int64) Duration {
	h := &durationHist{}
	for _, s := range secs {
		s = max(0, s)
		h.add(BucketOf(s), 1, s)
	}
	if h.n == 0 {
		return Duration{Metric: metric}
	}
	return h.summary(metric)
}

// BucketUpper exposes the bucket bounds to the tests.
var BucketUpper = bucketUpper

// Seeded is one incident the benchmark fixture wrote, with the number of
// timeline entries it got.
type Seeded struct {
	Incident
	Entries int
}

// SeedBench writes n generated incidents of org, discovered over the four
// years before now, with entries timeline rows among them (bench_seed_test.go).
func SeedBench(ctx context.Context, db *store.DB, org int64, n, entries int, seed uint64, now time.Time, loc *time.Location) ([]Seeded, error) {
	incs := seedIncidents(org, n, entries, seed, now, loc)
	if err := seedWrite(ctx, db, incs, loc, seed); err != nil {
		return nil, err
	}
	out := make([]Seeded, len(incs))
	for k, i := range incs {
		out[k] = Seeded{Incident: i.Incident, Entries: i.entries}
	}
	return out, nil
}

// SeedTimeline adds n timeline entries to incident id of org.
func SeedTimeline(ctx context.Context, db *store.DB, org, id int64, n int, from time.Time) error {
	r := rand.New(rand.NewPCG(uint64(id), uint64(n)))
	s := seedIncident{Incident: Incident{ID: id, OrgID: org, DiscoveredAt: from, UpdatedAt: from.Add(24 * time.Hour)}, entries: n}
	return db.Tx(ctx, func(tx *store.Tx) error {
		return insertRows(ctx, tx, "incident_timeline", `org_id, incident_id, kind, body, happened_at, author_id, author_name, created_at`,
			8, timelineRows(r, s))
	})
}
