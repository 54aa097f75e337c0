package incident

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Incident metrics (issue 3, point 12): time to detect, respond, contain and
// close, and counts by first-level category, grade and month, over the
// incidents discovered in a period of whole months in the installation's
// time zone. They are read from incident_rollup (migration 0026), which
// triggers keep in step with every incident, so the dashboard costs the
// same at 200 incidents as at 200 000.
//
// Durations start at discovery, except time to detect (occurrence to
// discovery); see milestones.go for when each milestone is reached. An
// incident counts towards a duration once it has reached the milestone:
// time to close is over the incidents closed so far. Means are exact (to the
// second). The median and the 90th percentile are read off the rollup's
// durationHist: its buckets grow by 2^(1/4), and within the bucket the value is
// interpolated linearly, so a figure is within 19% of the exact value, and
// usually far closer.

// The metrics, in display order.
const (
	MetricDetect  = "detect"
	MetricRespond = "respond"
	MetricContain = "contain"
	MetricClose   = "close"
)

// MetricNames lists the durations in display order.
var MetricNames = []string{MetricDetect, MetricRespond, MetricContain, MetricClose}

// Month is a calendar month as yyyymm (202611 is November 2026).
type Month int

// MonthOf is t's month in loc.
func MonthOf(t time.Time, loc *time.Location) Month { return Month(monthOf(t, loc)) }

// ParseMonth reads "2026-11".
func ParseMonth(s string) (Month, error) {
	t := strings.TrimSpace(s)
	digits := func(p string) bool { return strings.Trim(p, "0123456789") == "" }
	if len(t) != 7 || t[4] != '-' || !digits(t[:4]) || !digits(t[5:]) {
		return 0, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	year, _ := strconv.Atoi(t[:4])
	mon, _ := strconv.Atoi(t[5:])
	if year < 1970 || mon < 1 || mon > 12 {
		return 0, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	return Month(year*100 + mon), nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", int(m)/100, int(m)%100) }

// Year and Mon split the month.
func (m Month) Year() int { return int(m) / 100 }
func (m Month) Mon() int  { return int(m) % 100 }

// Add is the month n months later (earlier when n < 0).
func (m Month) Add(n int) Month {
	k := m.Year()*12 + m.Mon() - 1 + n
	return Month((k/12)*100 + k%12 + 1)
}

// monthsBetween counts the months from a to b, both included.
func monthsBetween(a, b Month) int { return (b.Year()*12 + b.Mon()) - (a.Year()*12 + a.Mon()) + 1 }

// MaxMetricMonths bounds a period: ten years of months.
const MaxMetricMonths = 120

// MetricsFilter selects the incidents the metrics are over.
type MetricsFilter struct {
	From, To Month  // inclusive; zero From: 11 months before To; zero To: the current month
	Category string // a first-level category code (MP, NA, ...; "" = all)
	Grade    int    // 1-4; 0 = all
}

// Duration is one of the times, in seconds. The figures are nil when no
// incident of the period has reached the milestone.
type Duration struct {
	Metric        string `json:"metric"`
	Count         int64  `json:"count"`
	MeanSeconds   *int64 `json:"mean_seconds"`
	MedianSeconds *int64 `json:"median_seconds"`
	P90Seconds    *int64 `json:"p90_seconds"`
}

// GradeCount is how many incidents have a grade (0: not graded yet).
type GradeCount struct {
	Grade int   `json:"grade"`
	Count int64 `json:"count"`
}

// MonthCount is one month's incidents, by grade (I, II, III, IV, ungraded).
type MonthCount struct {
	Month   string       `json:"month"`
	Total   int64        `json:"total"`
	ByGrade []GradeCount `json:"by_grade"`
}

// CategoryCount is how many incidents fall in a first-level category
// (Code "": not classified yet).
type CategoryCount struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Count  int64  `json:"count"`
}

// Name is the category's name in lang.
func (c CategoryCount) Name(lang string) string {
	if lang == "en" {
		return c.NameEn
	}
	return c.NameZh
}

// Metrics are the figures of one period and filter.
type Metrics struct {
	From       string          `json:"from"`
	To         string          `json:"to"`
	Category   string          `json:"category"`
	Grade      int             `json:"grade"`
	TimeZone   string          `json:"time_zone"`
	Incidents  int64           `json:"incidents"`
	Durations  []Duration      `json:"durations"`
	ByMonth    []MonthCount    `json:"by_month"`
	ByCategory []CategoryCount `json:"by_category"`
	ByGrade    []GradeCount    `json:"by_grade"`
}

// gradeOrder is the order grades are listed in: I first, ungraded last.
var gradeOrder = []int{GradeI, GradeII, GradeIII, GradeIV, 0}

// resolve fills the default period and checks the filter.
func (f *MetricsFilter) resolve(now Month) error {
	var c apperr.Collector
	if f.To == 0 {
		f.To = now
	}
	if f.From == 0 {
		f.From = f.To.Add(-11)
	}
	switch {
	case f.From > f.To:
		c.Add("from", "err.incident_metrics_order")
	case monthsBetween(f.From, f.To) > MaxMetricMonths:
		c.Add("from", "err.incident_metrics_span", MaxMetricMonths)
	}
	if f.Grade != 0 && !ValidGrade(f.Grade) {
		c.Add("grade", "err.invalid_choice")
	}
	if f.Category != "" && !isCategoryClass(f.Category) {
		c.Add("category", "err.incident_metrics_class")
	}
	return c.Err()
}

// Metrics computes the figures for the actor's organisation.
func (s *Service) Metrics(ctx context.Context, f MetricsFilter) (Metrics, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return Metrics{}, err
	}
	loc := s.installationZone()
	f.Category = strings.ToUpper(strings.TrimSpace(f.Category))
	if err := f.resolve(MonthOf(s.Clock.Now(), loc)); err != nil {
		return Metrics{}, err
	}
	q := s.DB.Read()
	classes, err := readMetricClasses(ctx, q)
	if err != nil {
		return Metrics{}, apperr.Wrap(err, "incident metrics")
	}
	if f.Category != "" && !slices.ContainsFunc(classes, func(c CategoryCount) bool { return c.Code == f.Category }) {
		return Metrics{}, apperr.Fields([]apperr.FieldError{{Field: "category", Key: "err.incident_category_unknown"}})
	}
	m := Metrics{From: f.From.String(), To: f.To.String(), Category: f.Category, Grade: f.Grade, TimeZone: loc.String()}
	if m.Durations, err = readMetricDurations(ctx, q, actor.OrgID, f); err != nil {
		return Metrics{}, apperr.Wrap(err, "incident metrics")
	}
	if err := readMetricCounts(ctx, q, actor.OrgID, f, classes, &m); err != nil {
		return Metrics{}, apperr.Wrap(err, "incident metrics")
	}
	return m, nil
}

// readMetricClasses lists the first-level categories in tree order, and the
// "not classified" row last.
func readMetricClasses(ctx context.Context, q store.Querier) ([]CategoryCount, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name_zh, name_en FROM incident_categories
		WHERE org_id = $1 AND parent_code = '' ORDER BY sort_order, code`, treeOrg)
	if err != nil {
		return nil, fmt.Errorf("read incident classes: %w", err)
	}
	defer rows.Close()
	var out []CategoryCount
	for rows.Next() {
		var c CategoryCount
		if err := rows.Scan(&c.Code, &c.NameZh, &c.NameEn); err != nil {
			return nil, fmt.Errorf("read incident classes: %w", err)
		}
		out = append(out, c)
	}
	return append(out, CategoryCount{}), rows.Err()
}

// metricsKey is the (class, grade) row set a filter reads: "*" and -1 stand
// for any.
func metricsKey(f MetricsFilter) (class string, grade int) {
	class, grade = "*", -1
	if f.Category != "" {
		class = f.Category
	}
	if f.Grade != 0 {
		grade = f.Grade
	}
	return class, grade
}

// readMetricDurations sums each metric's durationHist over the period.
func readMetricDurations(ctx context.Context, q store.Querier, orgID int64, f MetricsFilter) ([]Duration, error) {
	class, grade := metricsKey(f)
	rows, err := q.QueryContext(ctx, `SELECT metric, bucket, CAST(SUM(n) AS BIGINT), CAST(SUM(total_s) AS BIGINT) FROM incident_rollup
		WHERE org_id = $1 AND class_code = $2 AND grade = $3 AND metric IN ($4, $5, $6, $7) AND month BETWEEN $8 AND $9
		GROUP BY metric, bucket`, orgID, class, grade, MetricDetect, MetricRespond, MetricContain, MetricClose, int(f.From), int(f.To))
	if err != nil {
		return nil, fmt.Errorf("read durations: %w", err)
	}
	defer rows.Close()
	hists := map[string]*durationHist{}
	for rows.Next() {
		var metric string
		var bucket int
		var n, total int64
		if err := rows.Scan(&metric, &bucket, &n, &total); err != nil {
			return nil, fmt.Errorf("read durations: %w", err)
		}
		h := hists[metric]
		if h == nil {
			h = &durationHist{}
			hists[metric] = h
		}
		h.add(bucket, n, total)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read durations: %w", err)
	}
	out := make([]Duration, 0, len(MetricNames))
	for _, name := range MetricNames {
		d := Duration{Metric: name}
		if h := hists[name]; h != nil {
			d = h.summary(name)
		}
		out = append(out, d)
	}
	return out, nil
}

// readMetricCounts fills the counts by month (and grade), category and grade.
func readMetricCounts(ctx context.Context, q store.Querier, orgID int64, f MetricsFilter, classes []CategoryCount, m *Metrics) error {
	class, grade := metricsKey(f)
	grades := gradeOrder
	if f.Grade != 0 {
		grades = []int{f.Grade}
	}
	args := []any{orgID, class, int(f.From), int(f.To)}
	ph := make([]string, len(grades))
	for k, g := range grades {
		args = append(args, g)
		ph[k] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT month, grade, CAST(SUM(n) AS BIGINT) FROM incident_rollup
		WHERE org_id = $1 AND class_code = $2 AND grade IN (`+strings.Join(ph, ", ")+`) AND metric = 'count'
		AND month BETWEEN $3 AND $4 GROUP BY month, grade`, args...)
	if err != nil {
		return fmt.Errorf("read counts by month: %w", err)
	}
	byMonth := map[Month]map[int]int64{}
	for rows.Next() {
		var month, g int
		var n int64
		if err := rows.Scan(&month, &g, &n); err != nil {
			rows.Close()
			return fmt.Errorf("read counts by month: %w", err)
		}
		if byMonth[Month(month)] == nil {
			byMonth[Month(month)] = map[int]int64{}
		}
		byMonth[Month(month)][g] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read counts by month: %w", err)
	}
	totals := map[int]int64{}
	for mo := f.From; mo <= f.To; mo = mo.Add(1) {
		mc := MonthCount{Month: mo.String(), ByGrade: make([]GradeCount, 0, len(grades))}
		for _, g := range grades {
			n := byMonth[mo][g]
			mc.ByGrade = append(mc.ByGrade, GradeCount{Grade: g, Count: n})
			mc.Total += n
			totals[g] += n
		}
		m.ByMonth = append(m.ByMonth, mc)
		m.Incidents += mc.Total
	}
	for _, g := range grades {
		m.ByGrade = append(m.ByGrade, GradeCount{Grade: g, Count: totals[g]})
	}

	if f.Category != "" {
		for _, c := range classes {
			if c.Code == f.Category {
				classes = []CategoryCount{c}
				break
			}
		}
	}
	args = []any{orgID, grade, int(f.From), int(f.To)}
	ph = make([]string, len(classes))
	for k, c := range classes {
		args = append(args, c.Code)
		ph[k] = fmt.Sprintf("$%d", len(args))
	}
	rows, err = q.QueryContext(ctx, `SELECT class_code, CAST(SUM(n) AS BIGINT) FROM incident_rollup
		WHERE org_id = $1 AND class_code IN (`+strings.Join(ph, ", ")+`) AND grade = $2 AND metric = 'count'
		AND month BETWEEN $3 AND $4 GROUP BY class_code`, args...)
	if err != nil {
		return fmt.Errorf("read counts by category: %w", err)
	}
	defer rows.Close()
	byClass := map[string]int64{}
	for rows.Next() {
		var code string
		var n int64
		if err := rows.Scan(&code, &n); err != nil {
			return fmt.Errorf("read counts by category: %w", err)
		}
		byClass[code] = n
	}
	for _, c := range classes {
		c.Count = byClass[c.Code]
		m.ByCategory = append(m.ByCategory, c)
	}
	return rows.Err()
}

// bucketUpper[b] is where duration bucket b ends, in seconds (exclusive):
// bucket 0 holds [0, 60 s), bucket b holds [bucketUpper[b-1], bucketUpper[b]),
// the last everything beyond. incident_duration_buckets holds the same
// (TestBucketsMatchTheDatabase).
var bucketUpper = func() []int64 {
	out := make([]int64, 0, 82)
	for b := 0; b <= 80; b++ {
		out = append(out, int64(math.Round(60*math.Pow(2, float64(b)/4))))
	}
	return append(out, math.MaxInt64)
}()

// BucketOf is the bucket of a duration of secs seconds (as the triggers
// compute it).
func BucketOf(secs int64) int {
	for b, u := range bucketUpper {
		if u > secs {
			return b
		}
	}
	return len(bucketUpper) - 1
}

// durationHist is one metric's buckets over a period.
type durationHist struct {
	n, total int64
	counts   map[int]int64
	totals   map[int]int64
}

func (h *durationHist) add(bucket int, n, total int64) {
	if h.counts == nil {
		h.counts, h.totals = map[int]int64{}, map[int]int64{}
	}
	h.n += n
	h.total += total
	h.counts[bucket] += n
	h.totals[bucket] += total
}

func (h *durationHist) summary(metric string) Duration {
	d := Duration{Metric: metric, Count: h.n}
	if h.n <= 0 {
		return Duration{Metric: metric}
	}
	mean := int64(math.Round(float64(h.total) / float64(h.n)))
	p50, p90 := h.quantile(0.5), h.quantile(0.9)
	d.MeanSeconds, d.MedianSeconds, d.P90Seconds = &mean, &p50, &p90
	return d
}

// quantile estimates the q-quantile: it finds the bucket holding the
// q·n-th value and interpolates linearly inside it. The last bucket has no
// upper end; there the bucket's mean stands in.
func (h *durationHist) quantile(q float64) int64 {
	target := q * float64(h.n)
	var cum int64
	for b := range bucketUpper {
		c := h.counts[b]
		if c <= 0 {
			continue
		}
		if float64(cum+c) >= target {
			if b == len(bucketUpper)-1 {
				return int64(math.Round(float64(h.totals[b]) / float64(c)))
			}
			lo := int64(0)
			if b > 0 {
				lo = bucketUpper[b-1]
			}
			hi := bucketUpper[b]
			frac := (target - float64(cum)) / float64(c)
			return lo + int64(math.Round(frac*float64(hi-lo)))
		}
		cum += c
	}
	return 0
}

// MetricsFilterFromQuery reads the filter from URL parameters (UI and API
// alike): from and to as YYYY-MM, category, grade. A month that does not
// parse is a field error, and its part of the filter stays at the default.
func MetricsFilterFromQuery(q url.Values) (MetricsFilter, error) {
	f := MetricsFilter{Category: strings.ToUpper(strings.TrimSpace(q.Get("category")))}
	var c apperr.Collector
	for _, p := range []struct {
		name string
		dst  *Month
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := strings.TrimSpace(q.Get(p.name)); s != "" {
			m, err := ParseMonth(s)
			if err != nil {
				c.Add(p.name, "err.incident_metrics_month")
				continue
			}
			*p.dst = m
		}
	}
	if s := strings.TrimSpace(q.Get("grade")); s != "" {
		g, err := strconv.Atoi(s)
		if err != nil || !ValidGrade(g) {
			c.Add("grade", "err.invalid_choice")
		} else {
			f.Grade = g
		}
	}
	return f, c.Err()
}
