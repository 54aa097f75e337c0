package store

import "time"

// Times are stored as BIGINT Unix microseconds (UTC) on both engines: one
// representation that sorts, compares and hashes the same everywhere, where
// SQLite and PostgreSQL disagree on timestamp types.

// Micros converts t for storage; the zero time is stored as 0.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros converts a stored value back; 0 gives the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// NullMicros converts an optional time for storage (nil for zero).
func NullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}
