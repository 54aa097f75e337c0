package asset

import (
	"fmt"
	"math"
)

// ValueMethod is how C, I and A combine into the asset value (GB/T 20984).
type ValueMethod string

const (
	// ValueFormula is round(log2((2^C + 2^I + 2^A) / 3)), the practice of the
	// 2007 edition and the default.
	ValueFormula ValueMethod = "formula"
	// ValueMax takes the highest of the three ratings.
	ValueMax ValueMethod = "max"
)

// ParseValueMethod checks a configured method name.
func ParseValueMethod(s string) (ValueMethod, error) {
	switch ValueMethod(s) {
	case ValueFormula, ValueMax:
		return ValueMethod(s), nil
	}
	return "", fmt.Errorf("asset value method %q: want formula or max", s)
}

// Compute returns the asset value 1-5 from ratings 1-5.
func (m ValueMethod) Compute(c, i, a int) int {
	if m == ValueMax {
		return max(c, i, a)
	}
	v := math.Log2((math.Exp2(float64(c)) + math.Exp2(float64(i)) + math.Exp2(float64(a))) / 3)
	return min(5, max(1, int(math.Round(v))))
}

// LevelKey is the catalogue key of a value's level name: 5 很高, 4 高, 3 中等,
// 2 低, 1 很低.
func LevelKey(v int) string { return fmt.Sprintf("asset.level.%d", v) }
