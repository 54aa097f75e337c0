package store

// BatchRows is how many rows of params parameters each one multi-row
// statement (INSERT ... VALUES (...), (...)) should carry on d. PostgreSQL
// gains from large batches (each statement is a round trip); SQLite runs
// in-process, and its lookup of numbered parameters ($N) grows with the
// square of their count, so there about 250 parameters is the sweet
// spot: enough to share one parse and one FTS flush among rows, no more.
// (Kept here beside dialect.go, in a file of its own, as an engine
// difference.)
func (d Dialect) BatchRows(params int) int {
	limit := 8000
	if d == SQLite {
		limit = 110
	}
	return max(1, limit/max(1, params))
}
