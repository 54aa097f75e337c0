package incident_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/org"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The tree is served exactly as standards.md §1 lists it.
func TestCategoryTree(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		v := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		tree, err := e.App.Incidents.Categories(e.Actor(v, e.Org), false)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			code, zh string
			n        int
		}{{"MP", "恶意程序事件", 10}, {"NA", "网络攻击事件", 21}, {"DS", "数据安全事件", 12}, {"IC", "信息内容安全事件", 8},
			{"DE", "设备设施故障事件", 5}, {"RO", "违规操作事件", 8}, {"SHE", "安全隐患事件", 3}, {"AB", "异常行为事件", 3},
			{"FOC", "不可抗力事件", 5}, {"OTH", "其他事件", 0}}
		if len(tree) != len(want) {
			t.Fatalf("%d classes, want 10", len(tree))
		}
		for k, w := range want {
			c := tree[k]
			if c.Code != w.code || c.NameZh != w.zh || len(c.Children) != w.n || c.NameEn == "" || c.AnnexBCode != "" {
				t.Errorf("class %d: %s %s with %d children, want %s %s with %d", k+1, c.Code, c.NameZh, len(c.Children), w.code, w.zh, w.n)
			}
			for j, s := range c.Children {
				if !strings.HasSuffix(s.NameZh, "事件") || s.NameEn == "" || s.ParentCode != c.Code || s.Code != c.Code+"-"+two(j+1) {
					t.Errorf("sub-category %+v", s)
				}
			}
		}
		if tree[1].Children[8].NameZh != "网页篡改事件" || tree[0].Children[6].NameZh != "勒索软件事件" {
			t.Errorf("NA-09 %s, MP-07 %s", tree[1].Children[8].NameZh, tree[0].Children[6].NameZh)
		}
	})
}

func two(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

// Only the platform admin edits the tree; a deactivated category cannot be
// chosen for a new incident; a new sub-category takes the next code.
func TestCategoryAdmin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager, auth.RoleResponder)
		root := e.CreateUser("root", e.Org, auth.RoleAdmin)
		edit := incident.CategoryEdit{NameZh: "勒索病毒事件", NameEn: "Ransomware event", AnnexBCode: "B.1.7", Active: false}
		if _, err := e.App.Incidents.UpdateCategory(e.Actor(mgr, e.Org), "MP-07", edit); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("security manager edited the tree: %v", err)
		}
		c, err := e.App.Incidents.UpdateCategory(e.Actor(root, e.Org), "MP-07", edit)
		if err != nil || c.AnnexBCode != "B.1.7" || c.Active {
			t.Fatalf("update: %+v %v", c, err)
		}
		_, err = e.App.Incidents.Create(e.Actor(mgr, e.Org), incident.Input{Title: "x", DiscoveredAt: e.Clock.Now(), Category: "MP-07"})
		if fe := fieldKey(err, "category"); fe != "err.incident_category_inactive" {
			t.Errorf("inactive category: %v", err)
		}
		added, err := e.App.Incidents.AddCategory(e.Actor(root, e.Org), "AB", incident.CategoryEdit{NameZh: "账号异常事件", NameEn: "Account anomaly event"})
		if err != nil || added.Code != "AB-04" || added.ParentCode != "AB" {
			t.Fatalf("add: %+v %v", added, err)
		}
		if _, err := e.App.Incidents.AddCategory(e.Actor(root, e.Org), "AB-01", incident.CategoryEdit{NameZh: "x", NameEn: "x"}); fieldKey(err, "parent") == "" {
			t.Errorf("third level accepted: %v", err)
		}
	})
}

func fieldKey(err error, field string) string {
	for _, f := range apperr.As(err).Fields {
		if f.Field == field {
			return f.Key
		}
	}
	return ""
}

type env struct {
	*servertest.Env
	resp, mgr context.Context
}

func setup(t *testing.T, db *store.DB) env {
	e := servertest.NewOn(t, db)
	r := e.CreateUser("resp", e.Org, auth.RoleResponder)
	m := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
	return env{Env: e, resp: e.Actor(r, e.Org), mgr: e.Actor(m, e.Org)}
}

func (e env) asset(t *testing.T, ctx context.Context, name string, rating int) int64 {
	a, err := e.App.Assets.Create(ctx, asset.Asset{Name: name, Type: asset.TypeServer, C: rating, I: rating, A: rating})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func TestNumbersPerOrgAndYear(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		orgB := e.CreateOrg("客户B")
		rb := e.Actor(e.CreateUser("respb", orgB, auth.RoleResponder), orgB)
		in := incident.Input{Title: "钓鱼邮件", DiscoveredAt: e.Clock.Now()}
		var got []string
		for _, ctx := range []context.Context{e.resp, e.resp, rb} {
			i, err := e.App.Incidents.Create(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, i.Number)
		}
		e.Clock.Advance(40 * 24 * time.Hour) // into 2027
		i, err := e.App.Incidents.Create(e.resp, in)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, i.Number)
		// 2027-12-31 17:00 UTC is already 2028 in Beijing.
		e.App.Incidents.Location = time.FixedZone("CST", 8*3600)
		e.Clock.Advance(time.Date(2027, 12, 31, 17, 0, 0, 0, time.UTC).Sub(e.Clock.Now()))
		i, err = e.App.Incidents.Create(e.resp, incident.Input{Title: "跨年", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, i.Number)
		want := []string{"SJ-2026-0001", "SJ-2026-0002", "SJ-2026-0001", "SJ-2027-0001", "SJ-2028-0001"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("numbers %v, want %v", got, want)
		}
		if i.Phase != incident.PhaseDetection || i.Grade != nil || i.ReportDueAt != nil || i.ReporterName != "resp" || i.Title != "跨年" {
			t.Errorf("new incident: %+v", i)
		}
	})
}

func TestValidationAndAssets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		orgB := e.CreateOrg("客户B")
		mb := e.Actor(e.CreateUser("mgrb", orgB, auth.RoleSecurityManager), orgB)
		foreign := e.asset(t, mb, "B的服务器", 3)
		own := e.asset(t, e.mgr, "本单位服务器", 3)
		_, err := e.App.Incidents.Create(e.resp, incident.Input{Title: "x", DiscoveredAt: e.Clock.Now(), AssetIDs: []int64{own, foreign}})
		if fieldKey(err, "asset_ids") != "err.incident_asset_unknown" {
			t.Errorf("another organisation's asset accepted: %v", err)
		}
		_, err = e.App.Incidents.Create(e.resp, incident.Input{DiscoveredAt: e.Clock.Now().Add(time.Hour), Category: "ZZ", Source: "rumour", Grade: 7})
		for f, k := range map[string]string{"title": "err.required", "discovered_at": "err.incident_discovered_future",
			"category": "err.incident_category_unknown", "source": "err.invalid_choice", "grade": "err.invalid_choice"} {
			if got := fieldKey(err, f); got != k {
				t.Errorf("%s: %q, want %q (%v)", f, got, k, err)
			}
		}
		v := e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)
		if _, err := e.App.Incidents.Create(v, incident.Input{Title: "x", DiscoveredAt: e.Clock.Now()}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer reported: %v", err)
		}
		i, err := e.App.Incidents.Create(e.resp, incident.Input{Title: "x", DiscoveredAt: e.Clock.Now(), AssetIDs: []int64{own, own}, Category: "na-09",
			BusinessSystems: []string{" 门户网站 ", "", "门户网站", "OA"}})
		if err != nil || len(i.AssetIDs) != 1 || i.Category != "NA-09" || strings.Join(i.BusinessSystems, ",") != "门户网站,OA" {
			t.Fatalf("create: %+v %v", i, err)
		}
		if _, err := e.App.Incidents.Get(mb, i.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B read org A's incident: %v", err)
		}
	})
}

// Deadlines for each organisation type and grade, with the fake clock.
func TestReportDeadlines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		root := e.System(e.Org)
		o, err := e.App.Orgs.Get(root, e.Org)
		if err != nil {
			t.Fatal(err)
		}
		if o.Type != org.TypeOther {
			t.Fatalf("a new organisation is %q, want other", o.Type)
		}
		discovered := e.Clock.Now().Add(-30 * time.Minute)
		for typ, window := range map[org.Type]time.Duration{org.TypeCII: time.Hour, org.TypeStateOrgan: 2 * time.Hour, org.TypeOther: 4 * time.Hour} {
			if _, err := e.App.Orgs.Update(root, e.Org, o.Name, typ); err != nil {
				t.Fatal(err)
			}
			for g := 1; g <= 4; g++ {
				i, err := e.App.Incidents.Create(e.resp, incident.Input{Title: "t", DiscoveredAt: discovered, Grade: g})
				if err != nil {
					t.Fatal(err)
				}
				if g == 4 {
					if i.ReportDueAt != nil {
						t.Errorf("%s IV: report due %v, want none", typ, *i.ReportDueAt)
					}
					continue
				}
				if i.ReportDueAt == nil || !i.ReportDueAt.Equal(discovered.Add(window)) {
					t.Errorf("%s grade %d: due %v, want %v", typ, g, i.ReportDueAt, discovered.Add(window))
				}
				got, _ := e.App.Incidents.Get(e.resp, i.ID)
				if got.ReportDueAt == nil || !got.ReportDueAt.Equal(*i.ReportDueAt) {
					t.Errorf("stored due %v", got.ReportDueAt)
				}
			}
		}
		// A CII operator: 1 hour from discovery. Overdue after it, until reported.
		if _, err := e.App.Orgs.Update(root, e.Org, o.Name, org.TypeCII); err != nil {
			t.Fatal(err)
		}
		i, _ := e.App.Incidents.Create(e.resp, incident.Input{Title: "t", DiscoveredAt: discovered, Grade: 3})
		if left, ok := i.Remaining(e.Clock.Now()); !ok || left != 30*time.Minute || i.Overdue(e.Clock.Now()) {
			t.Errorf("remaining %v %v", left, ok)
		}
		e.Clock.Advance(31 * time.Minute)
		if !i.Overdue(e.Clock.Now()) {
			t.Error("not overdue after the window")
		}
		// Moving discovery later moves the deadline.
		in := incident.Input{Title: "t", DiscoveredAt: e.Clock.Now()}
		u, err := e.App.Incidents.Update(e.resp, i.ID, in)
		if err != nil || !u.ReportDueAt.Equal(e.Clock.Now().Add(time.Hour)) || u.Grade == nil || *u.Grade != 3 {
			t.Fatalf("update moved due to %v (%v)", u.ReportDueAt, err)
		}
		r, err := e.App.Incidents.MarkReported(e.resp, i.ID, time.Time{})
		if err != nil || r.ReportedAt == nil || r.Overdue(e.Clock.Now().Add(5*time.Hour)) {
			t.Fatalf("reported: %+v %v", r, err)
		}
		if _, err := e.App.Incidents.MarkReported(e.resp, i.ID, time.Time{}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("reported twice: %v", err)
		}
		iv, _ := e.App.Incidents.Create(e.resp, incident.Input{Title: "t", DiscoveredAt: discovered, Grade: 4})
		if _, err := e.App.Incidents.MarkReported(e.resp, iv.ID, time.Time{}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("grade IV reported: %v", err)
		}
	})
}

func TestGradeConfirmOverrideRegrade(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		crown := e.asset(t, e.mgr, "核心数据库", 5)
		i, err := e.App.Incidents.Create(e.resp, incident.Input{Title: "数据泄露", DiscoveredAt: e.Clock.Now(), AssetIDs: []int64{crown}})
		if err != nil {
			t.Fatal(err)
		}
		low := incident.Factors{Importance: incident.ImportanceGeneral, Loss: incident.LossRelatively, Impact: incident.ImpactGeneral}
		if _, _, err := e.App.Incidents.Grade(e.resp, i.ID, incident.GradeInput{Factors: low}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("responder graded: %v", err)
		}
		// Asset value 5 raises importance: 特别重要 × 较大 loss = III.
		p, err := e.App.Incidents.Propose(e.mgr, i.ID, incident.GradeInput{Factors: low})
		if err != nil || p.Grade != 3 || !p.Rule.Raised {
			t.Fatalf("proposal %+v %v", p, err)
		}
		// A criterion: 1.2 million people's personal information → III by pi_leaked.
		figures := map[string]int64{"pi_leaked": 1_200_000}
		p, _ = e.App.Incidents.Propose(e.mgr, i.ID, incident.GradeInput{Factors: low, Figures: figures})
		if p.Grade != 3 || p.Rule.Kind != "criterion" || p.Rule.Criterion != "pi_leaked" || p.Rule.Threshold != 1_000_000 {
			t.Fatalf("criterion proposal %+v", p)
		}
		// Override without a reason: refused.
		if _, _, err := e.App.Incidents.Grade(e.mgr, i.ID, incident.GradeInput{Factors: low, Figures: figures, Grade: 2}); fieldKey(err, "reason") != "err.incident_override_reason" {
			t.Fatalf("override without reason: %v", err)
		}
		g, _, err := e.App.Incidents.Grade(e.mgr, i.ID, incident.GradeInput{Factors: low, Figures: figures})
		if err != nil || *g.Grade != 3 || !g.GradeConfirmed || g.GradeRule.Criterion != "pi_leaked" || g.ReportDueAt == nil {
			t.Fatalf("confirm: %+v %v", g, err)
		}
		// Regrade needs a reason and is audited with the grade before and after.
		if _, _, err := e.App.Incidents.Grade(e.mgr, i.ID, incident.GradeInput{Factors: low, Figures: figures, Grade: 4}); fieldKey(err, "reason") == "" {
			t.Fatalf("regrade without reason: %v", err)
		}
		g, _, err = e.App.Incidents.Regrade(e.mgr, i.ID, incident.GradeInput{Factors: low, Figures: figures, Grade: 4, Reason: "泄露数据经核实为测试数据"})
		if err != nil || *g.Grade != 4 || g.GradeRule.Kind != "manual" || g.ReportDueAt != nil {
			t.Fatalf("regrade: %+v %v", g, err)
		}
		entries, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: e.Org, ObjectType: "incident", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, en := range entries {
			if en.Action != "incident.regrade" {
				continue
			}
			var before, after struct {
				Grade  int    `json:"grade"`
				Reason string `json:"grade_reason"`
			}
			_ = json.Unmarshal([]byte(en.Before), &before)
			_ = json.Unmarshal([]byte(en.After), &after)
			found = before.Grade == 3 && after.Grade == 4 && after.Reason != ""
		}
		if !found {
			t.Errorf("no incident.regrade record with grade 3 → 4 in %+v", entries)
		}
		// Regrade of an incident never confirmed is refused.
		j, _ := e.App.Incidents.Create(e.resp, incident.Input{Title: "x", DiscoveredAt: e.Clock.Now()})
		if _, _, err := e.App.Incidents.Regrade(e.mgr, j.ID, incident.GradeInput{Factors: low, Reason: "r"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("regrade of ungraded: %v", err)
		}
	})
}

func TestDuplicatesAndList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		a1, a2, a3 := e.asset(t, e.mgr, "web01", 3), e.asset(t, e.mgr, "web02", 3), e.asset(t, e.mgr, "db01", 3)
		mk := func(title, cat string, grade int, assets ...int64) incident.Incident {
			i, err := e.App.Incidents.Create(e.resp, incident.Input{Title: title, DiscoveredAt: e.Clock.Now(), Category: cat, Grade: grade, AssetIDs: assets})
			if err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(time.Minute)
			return i
		}
		first := mk("网页篡改 web01", "NA-09", 3, a1, a2)
		second := mk("勒索 db01", "MP-07", 2, a3)
		third := mk("扫描 web02", "NA-01", 4, a2)
		d, err := e.App.Incidents.Duplicates(e.resp, []int64{a2}, third.ID)
		if err != nil || len(d) != 1 || d[0].ID != first.ID || len(d[0].AssetIDs) != 2 {
			t.Fatalf("duplicates of web02: %+v %v", d, err)
		}
		if d, _ := e.App.Incidents.Duplicates(e.resp, []int64{a3}, second.ID); len(d) != 0 {
			t.Errorf("an incident is its own duplicate: %+v", d)
		}
		count := func(f incident.Filter) int {
			p, err := e.App.Incidents.List(e.resp, f)
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		for name, c := range map[string]struct {
			f    incident.Filter
			want int
		}{
			"all": {incident.Filter{}, 3}, "class NA": {incident.Filter{Category: "NA"}, 2}, "sub": {incident.Filter{Category: "MP-07"}, 1},
			"grade III": {incident.Filter{Grade: 3}, 1}, "q": {incident.Filter{Query: "web02"}, 1},
			"phase": {incident.Filter{Phase: incident.PhaseDetection}, 3}, "closed": {incident.Filter{Phase: incident.PhaseClosed}, 0},
		} {
			if got := count(c.f); got != c.want {
				t.Errorf("%s: %d, want %d", name, got, c.want)
			}
		}
		if _, err := e.App.Incidents.List(e.resp, incident.Filter{Phase: "bogus"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bogus phase: %v", err)
		}
		p, _ := e.App.Incidents.List(e.resp, incident.Filter{PerPage: 2})
		if len(p.Items) != 2 || p.Items[0].ID != third.ID || len(p.Items[0].AssetIDs) != 1 {
			t.Errorf("page: %+v", p)
		}
	})
}

type fakeAlerts map[string]incident.AlertRef

func (f fakeAlerts) Alert(_ context.Context, id string) (incident.AlertRef, error) {
	a, ok := f[id]
	if !ok {
		return a, apperr.New(apperr.NotFound, "err.not_found")
	}
	return a, nil
}

func TestDraftFromAlert(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		d, ok, err := e.App.Incidents.Draft(e.resp, "A-1")
		if err != nil || ok || d.Title != "" {
			t.Fatalf("no source: %+v %v %v", d, ok, err)
		}
		seen := e.Clock.Now().Add(-time.Hour)
		e.App.Incidents.Alerts = fakeAlerts{"A-1": {ID: "A-1", Title: "暴力破解", Description: "SSH 登录失败 500 次", SeenAt: seen}}
		d, ok, err = e.App.Incidents.Draft(e.resp, "A-1")
		if err != nil || !ok || d.Title != "暴力破解" || d.Source != incident.SourceAlert || !d.DiscoveredAt.Equal(seen) {
			t.Fatalf("draft: %+v %v %v", d, ok, err)
		}
		i, err := e.App.Incidents.Create(e.resp, d.Input())
		if err != nil || i.AlertRef != "A-1" || i.Source != incident.SourceAlert {
			t.Fatalf("create from draft: %+v %v", i, err)
		}
	})
}
