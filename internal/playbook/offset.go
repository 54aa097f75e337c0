package playbook

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A step's due date is an offset from the moment the playbook is applied,
// written as days, hours and minutes: "30m", "4h", "1d12h". Days are
// allowed because "within 3 days" is how procedures say it, which Go's
// durations cannot. The empty offset means no due date.

// MaxOffset bounds a step's offset: a year is already far past any
// incident's handling.
const MaxOffset = 365 * 24 * time.Hour

var offsetRE = regexp.MustCompile(`^(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?$`)

var errOffset = errors.New("offset must look like 30m, 4h or 1d12h")

// ParseOffset reads an offset. It accepts any amount per unit ("90m") and
// refuses more than MaxOffset; "" and zero mean no due date.
func ParseOffset(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	m := offsetRE.FindStringSubmatch(s)
	if m == nil {
		return 0, errOffset
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 64)
		if err != nil {
			return 0, errOffset
		}
		d += time.Duration(n) * unit
		if d > MaxOffset {
			return 0, errTooFar
		}
	}
	return d, nil
}

var errTooFar = errors.New("offset is more than a year")

// FormatOffset writes d (whole minutes) in the canonical form ParseOffset
// reads back: largest units first, zero parts left out, "" for zero.
func FormatOffset(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	mins := int64(d / time.Minute)
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		name string
	}{{24 * 60, "d"}, {60, "h"}, {1, "m"}} {
		if k := mins / u.n; k > 0 {
			b.WriteString(strconv.FormatInt(k, 10))
			b.WriteString(u.name)
			mins -= k * u.n
		}
	}
	return b.String()
}
