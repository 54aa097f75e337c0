package emergencyplan

import "fmt"

// The version rule: the first approved revision is V1.0; each later
// revision is the next minor version of the latest approved one (V1.0 →
// V1.1 → V1.2), unless its drafters mark it a major change (a new
// structure or scope), which makes it the next major version (V1.2 →
// V2.0). An open revision carries the number it will get: only one
// revision is open at a time, so nothing can take its number first.

// FormatVersion writes a version as the revision record shows it.
func FormatVersion(major, minor int) string { return fmt.Sprintf("V%d.%d", major, minor) }

// NextVersion is the version a revision drafted after the approved version
// (major, minor) gets; (0, 0) means nothing is approved yet.
func NextVersion(major, minor int, majorChange bool) (int, int) {
	switch {
	case major == 0:
		return 1, 0
	case majorChange:
		return major + 1, 0
	}
	return major, minor + 1
}
