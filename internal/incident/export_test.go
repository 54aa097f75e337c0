package incident

// Summarize is what the metrics report for a set of raw durations (seconds),
// through the same histogram as the rollup: tests compute the expected
// figures from the incidents themselves with it.
func Summarize(metric string, secs []int64) Duration {
	h := &histogram{}
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
