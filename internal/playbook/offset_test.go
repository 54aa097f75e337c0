package playbook_test

import (
	"testing"
	"time"

	"bulwark/internal/playbook"
)

func TestParseOffset(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		text string // canonical form
		bad  bool
	}{
		{in: "", want: 0, text: ""},
		{in: "  ", want: 0, text: ""},
		{in: "0m", want: 0, text: ""},
		{in: "30m", want: 30 * time.Minute, text: "30m"},
		{in: "90m", want: 90 * time.Minute, text: "1h30m"},
		{in: "4h", want: 4 * time.Hour, text: "4h"},
		{in: "1d12h", want: 36 * time.Hour, text: "1d12h"},
		{in: "2d30m", want: 48*time.Hour + 30*time.Minute, text: "2d30m"},
		{in: "48h", want: 48 * time.Hour, text: "2d"},
		{in: "365d", want: playbook.MaxOffset, text: "365d"},
		{in: "366d", bad: true},
		{in: "8761h", bad: true},
		{in: "1h1d", bad: true},
		{in: "1.5h", bad: true},
		{in: "-1h", bad: true},
		{in: "1 h", bad: true},
		{in: "h", bad: true},
		{in: "1s", bad: true},
		{in: "9999999d", bad: true},
		{in: "四小时", bad: true},
	} {
		got, err := playbook.ParseOffset(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("ParseOffset(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseOffset(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		if s := playbook.FormatOffset(got); s != c.text {
			t.Errorf("FormatOffset(%v) = %q, want %q", got, s, c.text)
		}
	}
}

// Every whole-minute offset up to the limit survives FormatOffset and
// ParseOffset (sampled: every minute of the first two days, then hourly).
func TestOffsetRoundTrip(t *testing.T) {
	check := func(d time.Duration) {
		back, err := playbook.ParseOffset(playbook.FormatOffset(d))
		if err != nil || back != d {
			t.Fatalf("%v → %q → %v, %v", d, playbook.FormatOffset(d), back, err)
		}
	}
	for d := time.Duration(0); d <= 48*time.Hour; d += time.Minute {
		check(d)
	}
	for d := 48 * time.Hour; d <= playbook.MaxOffset; d += time.Hour + time.Minute {
		check(d)
	}
}
