package incident

import (
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/org"
)

// The 2007 matrix (standards.md §1), written out as the text states it:
// object × loss, and social impact alone.
func TestGradingMatrixEveryCombination(t *testing.T) {
	objectLoss := map[[2]string]int{
		{ImportanceEspecially, LossEspeciallySerious}: 1,
		{ImportanceEspecially, LossSerious}:           2,
		{ImportanceEspecially, LossRelatively}:        3,
		{ImportanceEspecially, LossMinor}:             4,
		{ImportanceImportant, LossEspeciallySerious}:  2,
		{ImportanceImportant, LossSerious}:            3,
		{ImportanceImportant, LossRelatively}:         4,
		{ImportanceImportant, LossMinor}:              4,
		{ImportanceGeneral, LossEspeciallySerious}:    3,
		{ImportanceGeneral, LossSerious}:              4,
		{ImportanceGeneral, LossRelatively}:           4,
		{ImportanceGeneral, LossMinor}:                4,
	}
	impact := map[string]int{ImpactEspeciallyMajor: 1, ImpactMajor: 2, ImpactRelatively: 3, ImpactGeneral: 4}
	n := 0
	for _, imp := range Importances {
		for _, loss := range Losses {
			for _, soc := range Impacts {
				n++
				want, wantKind := objectLoss[[2]string{imp, loss}], "object_loss"
				if impact[soc] < want {
					want, wantKind = impact[soc], "social_impact"
				}
				p, err := Propose(Factors{imp, loss, soc}, nil, nil, nil)
				if err != nil {
					t.Fatalf("%s/%s/%s: %v", imp, loss, soc, err)
				}
				if p.Grade != want || p.Rule.Kind != wantKind {
					t.Errorf("%s/%s/%s: grade %d by %s, want %d by %s", imp, loss, soc, p.Grade, p.Rule.Kind, want, wantKind)
				}
			}
		}
	}
	if n != 48 {
		t.Fatalf("%d combinations, want 3×4×4 = 48", n)
	}
}

func TestFactorsRequired(t *testing.T) {
	_, err := Propose(Factors{Importance: "huge"}, nil, nil, nil)
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid || len(ae.Fields) != 3 {
		t.Fatalf("bad factors: %v", err)
	}
}

// An asset valued 5 makes the object 特别重要, 4 makes it 重要; a higher
// answer is never lowered.
func TestAssetValueRaisesImportance(t *testing.T) {
	cases := []struct {
		given  string
		values []int
		want   string
		grade  int
		raised bool
	}{
		{ImportanceGeneral, []int{2, 5}, ImportanceEspecially, 2, true},
		{ImportanceGeneral, []int{4, 3}, ImportanceImportant, 3, true},
		{ImportanceGeneral, []int{3}, ImportanceGeneral, 4, false},
		{ImportanceEspecially, []int{1}, ImportanceEspecially, 2, false},
		{ImportanceImportant, []int{4}, ImportanceImportant, 3, false},
	}
	for _, c := range cases {
		p, err := Propose(Factors{c.given, LossSerious, ImpactGeneral}, nil, nil, c.values)
		if err != nil {
			t.Fatal(err)
		}
		if p.Used.Importance != c.want || p.Grade != c.grade || p.Rule.Raised != c.raised {
			t.Errorf("%s with values %v: importance %s grade %d raised %v, want %s %d %v",
				c.given, c.values, p.Used.Importance, p.Grade, p.Rule.Raised, c.want, c.grade, c.raised)
		}
	}
}

func TestCriterionThresholds(t *testing.T) {
	pi := Criterion{Key: "pi_leaked", Thresholds: [3]int64{100_000_000, 10_000_000, 1_000_000}}
	loss := Criterion{Key: "economic_loss", Thresholds: [3]int64{100_000_000, 20_000_000, 5_000_000}}
	crit := []Criterion{pi, loss}
	low := Factors{ImportanceGeneral, LossMinor, ImpactGeneral}
	cases := []struct {
		figures map[string]int64
		grade   int
		kind    string
		key     string
	}{
		{map[string]int64{"pi_leaked": 999_999}, 4, "object_loss", ""},
		{map[string]int64{"pi_leaked": 1_000_000}, 3, "criterion", "pi_leaked"}, // 以上 includes the number
		{map[string]int64{"pi_leaked": 10_000_000}, 2, "criterion", "pi_leaked"},
		{map[string]int64{"pi_leaked": 2_000_000, "economic_loss": 100_000_000}, 1, "criterion", "economic_loss"},
	}
	for _, c := range cases {
		p, err := Propose(low, c.figures, crit, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Grade != c.grade || p.Rule.Kind != c.kind || p.Rule.Criterion != c.key {
			t.Errorf("%v: %d %s %s, want %d %s %s", c.figures, p.Grade, p.Rule.Kind, p.Rule.Criterion, c.grade, c.kind, c.key)
		}
	}
	// The matrix reaching a more severe grade than a criterion wins and is named.
	p, _ := Propose(Factors{ImportanceEspecially, LossEspeciallySerious, ImpactGeneral}, map[string]int64{"pi_leaked": 1_000_000}, crit, nil)
	if p.Grade != 1 || p.Rule.Kind != "object_loss" {
		t.Errorf("matrix I with criterion III: %+v", p)
	}
	if _, err := Propose(low, map[string]int64{"nope": 1}, crit, nil); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown criterion accepted: %v", err)
	}
}

func TestReportDue(t *testing.T) {
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	windows := map[org.Type]time.Duration{org.TypeCII: time.Hour, org.TypeStateOrgan: 2 * time.Hour, org.TypeOther: 4 * time.Hour}
	for typ, w := range windows {
		for g := 0; g <= 4; g++ {
			got := ReportDue(g, at, typ)
			if g >= 1 && g <= 3 {
				if !got.Equal(at.Add(w)) {
					t.Errorf("%s grade %d: due %v, want %v", typ, g, got, at.Add(w))
				}
			} else if !got.IsZero() {
				t.Errorf("%s grade %d: due %v, want none", typ, g, got)
			}
		}
	}
}
