package asset_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/tabular"
)

// xlsxOf builds a workbook from rows, as a person's Excel file would be.
func xlsxOf(t testing.TB, rows [][]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := tabular.NewXLSXWriter(&buf, "Sheet1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// register is every asset of the context's organisation, by number.
func register(t testing.TB, a *app.App, ctx context.Context) []asset.Asset {
	t.Helper()
	var out []asset.Asset
	if err := a.Assets.Each(ctx, asset.Filter{}, func(x asset.Asset) error { out = append(out, x); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameAsset compares every field import and export carry.
func sameAsset(x, y asset.Asset) bool {
	return x.Number == y.Number && x.Name == y.Name && x.Type == y.Type && x.Subtype == y.Subtype &&
		x.Owner == y.Owner && x.Department == y.Department && x.Location == y.Location &&
		slices.Equal(x.IPs, y.IPs) && slices.Equal(x.Hostnames, y.Hostnames) && x.OS == y.OS &&
		x.VendorModel == y.VendorModel && x.BusinessSystem == y.BusinessSystem && x.Status == y.Status &&
		slices.Equal(x.Tags, y.Tags) && x.Notes == y.Notes && x.C == y.C && x.I == y.I && x.A == y.A && x.Value == y.Value
}

func sameRegister(t *testing.T, got, want []asset.Asset) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("register has %d assets, want %d", len(got), len(want))
	}
	for i := range got {
		if !sameAsset(got[i], want[i]) {
			t.Errorf("asset %d differs:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
}

func auditCount(t *testing.T, db *store.DB, org int64, action string) int {
	t.Helper()
	entries, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: org, Action: action, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestImportHeaderVariants(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		for _, tc := range []struct {
			name   string
			header []any
		}{
			{"chinese", []any{"资产编号", "资产名称", "资产类型", "IP地址", "责任人", "保密性", "完整性", "可用性", "状态", "标签"}},
			{"english", []any{"Number", "Name", "Type", "IP addresses", "Owner", "Confidentiality", "Integrity", "Availability", "Status", "Tags"}},
			{"codes", []any{"number", "name", "type", "ips", "owner", "confidentiality", "integrity", "availability", "status", "tags"}},
			{"synonyms, case and spaces", []any{" 编号 ", "名称*", "TYPE", "ip", "负责人", "C", "i", "保密性（C）", "State", "TAG"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// Each variant writes to numbers of its own, so all four
				// land side by side and are then compared.
				num := "H-" + strings.ToUpper(strings.Fields(tc.name)[0][:3])
				data := xlsxOf(t, [][]any{tc.header, {num, "核心交换机", "网络设备", "10.0.0.1; 10.0.0.2", "张三", 4, 3, 5, "在用", "核心、机房"}})
				if tc.name == "synonyms, case and spaces" {
					// "保密性（C）" names the first column again here:
					// C was already given, so the header is a duplicate.
					_, err := a.Assets.Import(ctx, data, asset.ImportOptions{DryRun: true})
					if ae := apperr.As(err); ae.Key != "err.import_duplicate_column" {
						t.Fatalf("duplicate column: %v", err)
					}
					tc.header[7] = "可用性"
					data = xlsxOf(t, [][]any{tc.header, {num, "核心交换机", "network_device", "10.0.0.1, 10.0.0.2", "张三", "高", "中等", "5", "In use", "核心\n机房"}})
				}
				res, err := a.Assets.Import(ctx, data, asset.ImportOptions{})
				if err != nil {
					t.Fatalf("import: %v", err)
				}
				if res.Counts != (asset.ImportCounts{Rows: 1, Create: 1}) || len(res.Unknown) != 0 {
					t.Fatalf("counts %+v unknown %v", res.Counts, res.Unknown)
				}
				got, err := a.Assets.Get(ctx, res.Rows[0].AssetID)
				if err != nil {
					t.Fatal(err)
				}
				want := asset.Asset{Number: num, Name: "核心交换机", Type: asset.TypeNetwork, IPs: []string{"10.0.0.1", "10.0.0.2"},
					Owner: "张三", C: 4, I: 3, A: 5, Value: 4, Status: asset.StatusInUse, Tags: []string{"核心", "机房"}, Hostnames: []string{}}
				if !sameAsset(got, want) {
					t.Errorf("imported %+v\nwant %+v", got, want)
				}
			})
		}
	})
}

func TestImportReportsBadRowsAndChangesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		if _, err := a.Assets.Create(ctx, asset.Asset{Number: "KEEP-1", Name: "existing", Type: asset.TypeServer, C: 2, I: 2, A: 2}); err != nil {
			t.Fatal(err)
		}
		before := register(t, a, ctx)
		beforeAudit := auditCount(t, db, auth.FromContext(ctx).OrgID, "asset.create")
		data := []byte("名称,类型,IP地址,保密性,Extra,备注\n" +
			"good one,server,10.0.0.1,3,x,\n" + // row 2
			"bad ip,server,10.0.0.300,3,,\n" + // row 3
			",server,,3,,\n" + // row 4: no name
			"bad rating,server,,9,,\n" + // row 5
			"\n" + // row 6: empty, skipped
			"bad type,路由器,,3,,\n" + // row 7
			"KEEP-1 renamed,server,,3,,\"multi\nline\"\n" + // row 8 (no number: new)
			"no type,,,3,,\n") // row 9
		res, err := a.Assets.Import(ctx, data, asset.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		type e struct {
			row          int
			column, code string
		}
		var got []e
		for _, f := range res.Errors {
			got = append(got, e{f.Row, f.Field, f.Key})
		}
		want := []e{{3, "IP地址", "err.bad_ip"}, {4, "名称", "err.required"}, {5, "保密性", "err.rating_1_5"},
			{7, "类型", "err.invalid_choice"}, {9, "类型", "err.required"}}
		if !slices.Equal(got, want) {
			t.Errorf("errors\n got %v\nwant %v", got, want)
		}
		if res.Counts != (asset.ImportCounts{Rows: 7, Create: 2, Error: 5}) {
			t.Errorf("counts %+v", res.Counts)
		}
		if !slices.Equal(res.Unknown, []string{"Extra"}) {
			t.Errorf("unknown columns %v", res.Unknown)
		}
		// All or nothing: the good rows are not imported either.
		_, err = a.Assets.Import(ctx, data, asset.ImportOptions{})
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Key != "err.import_rejected" || len(ae.Fields) != 5 || ae.Fields[0].Row != 3 {
			t.Fatalf("import with errors: %v", err)
		}
		sameRegister(t, register(t, a, ctx), before)
		if n := auditCount(t, db, auth.FromContext(ctx).OrgID, "asset.create"); n != beforeAudit {
			t.Errorf("audit records written by a refused import: %d, want %d", n, beforeAudit)
		}
		// Only the valid rows, when asked.
		res, err = a.Assets.Import(ctx, data, asset.ImportOptions{ValidOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Applied || res.Counts.Create != 2 || res.Counts.Error != 5 {
			t.Fatalf("valid only: %+v", res)
		}
		after := register(t, a, ctx)
		if len(after) != 3 {
			t.Fatalf("register has %d assets after valid-only import, want 3", len(after))
		}
		if n := auditCount(t, db, auth.FromContext(ctx).OrgID, "asset.import"); n != 1 {
			t.Errorf("%d asset.import records, want 1", n)
		}
		res2, _ := audit.Verify(context.Background(), db)
		if !res2.OK {
			t.Errorf("audit chain broken: %+v", res2)
		}
	})
}

func TestImportFileErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		for _, tc := range []struct {
			name string
			data []byte
			key  string
		}{
			{"no name column", []byte("编号,类型\nA,server\n"), "err.import_missing_column"},
			{"duplicate column", []byte("name,名称\nx,y\n"), "err.import_duplicate_column"},
			{"empty", []byte("\n\n"), "err.import_empty"},
			{"binary", []byte{0, 1, 2, 3, 'x'}, "err.import_format"},
			{"broken xlsx", []byte("PK\x03\x04garbage"), "err.import_bad_xlsx"},
		} {
			_, err := a.Assets.Import(ctx, tc.data, asset.ImportOptions{DryRun: true})
			if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Key != tc.key {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.key)
			}
		}
		_, err := a.Assets.Import(ctx, []byte("编号,类型\nA,server\n"), asset.ImportOptions{DryRun: true})
		if ae := apperr.As(err); len(ae.Args) != 1 || ae.Args[0] != "资产名称" {
			t.Errorf("missing column names %v, want 资产名称", ae.Args)
		}
	})
}

func TestReimportUpdatesInsteadOfDuplicating(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		first := xlsxOf(t, [][]any{
			{"资产编号", "资产名称", "资产类型", "IP地址", "责任人"},
			{"SW-01", "核心交换机", "网络设备", "10.0.0.1", "张三"},
			{"", "Web 服务器", "服务器", "10.0.1.5\n10.0.1.6", "李四"},
			{"", "数据库", "应用系统", "", "王五"},
		})
		res, err := a.Assets.Import(ctx, first, asset.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Counts.Create != 3 {
			t.Fatalf("first import %+v", res.Counts)
		}
		if res.Rows[1].Number != "ZC-000001" || res.Rows[2].Number != "ZC-000002" {
			t.Errorf("generated numbers %q %q", res.Rows[1].Number, res.Rows[2].Number)
		}
		second := xlsxOf(t, [][]any{
			{"资产编号", "资产名称", "资产类型", "IP地址", "责任人"},
			{"sw-01", "核心交换机", "网络设备", "10.0.0.1", "赵六"}, // by number (case folded): owner changes
			{"", "Web 服务器", "服务器", "10.0.1.6", "李四"},     // by name + IP: the IP list changes
			{"ZC-000002", "数据库", "应用系统", "", "王五"},       // by generated number: unchanged
			{"", "新防火墙", "安全设备", "10.0.0.254", ""},       // new
		})
		res, err = a.Assets.Import(ctx, second, asset.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		var actions []asset.ImportAction
		for _, r := range res.Rows {
			actions = append(actions, r.Action)
		}
		if !slices.Equal(actions, []asset.ImportAction{asset.ImportUpdate, asset.ImportUpdate, asset.ImportUnchanged, asset.ImportCreate}) {
			t.Fatalf("actions %v", actions)
		}
		if !slices.Equal(res.Rows[0].Changes, []string{"owner"}) || !slices.Equal(res.Rows[1].Changes, []string{"ips"}) {
			t.Errorf("changes %v %v", res.Rows[0].Changes, res.Rows[1].Changes)
		}
		if _, err := a.Assets.Import(ctx, second, asset.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		reg := register(t, a, ctx)
		if len(reg) != 4 {
			t.Fatalf("%d assets after re-import, want 4", len(reg))
		}
		byNum := map[string]asset.Asset{}
		for _, x := range reg {
			byNum[x.Number] = x
		}
		if byNum["SW-01"].Owner != "赵六" || !slices.Equal(byNum["ZC-000001"].IPs, []string{"10.0.1.6"}) {
			t.Errorf("updates not applied: %+v / %+v", byNum["SW-01"], byNum["ZC-000001"])
		}
		// Once more: nothing changes.
		res, err = a.Assets.Import(ctx, second, asset.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The new firewall now exists too: without a number it is
		// matched by name and IP address, so every row is unchanged.
		if res.Counts != (asset.ImportCounts{Rows: 4, Unchanged: 4}) {
			t.Errorf("third import %+v, want 4 unchanged", res.Counts)
		}
		// The same asset twice in one file is an error on the later row.
		dup := []byte("资产编号,资产名称,资产类型\nD-1,a,server\nd-1,b,server\n,核心交换机,server\n")
		res, err = a.Assets.Import(ctx, dup, asset.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Key != "err.import_duplicate_row" || res.Errors[0].Args[0] != 2 {
			t.Errorf("duplicate rows: %+v", res.Errors)
		}
	})
}

func TestImportEncodings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		text := "资产编号,资产名称,资产类型,所属部门\nE-1,防火墙,安全设备,信息技术部\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{
			"gbk": gbk,
			"bom": append([]byte{0xEF, 0xBB, 0xBF}, strings.ReplaceAll(strings.ReplaceAll(text, "\n", "\r\n"), "E-1", "E-2")...),
		} {
			res, err := a.Assets.Import(ctx, data, asset.ImportOptions{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, _ := a.Assets.Get(ctx, res.Rows[0].AssetID)
			if res.Format != "csv" || got.Name != "防火墙" || got.Department != "信息技术部" || got.Type != asset.TypeSecurity {
				t.Errorf("%s: imported %+v", name, got)
			}
		}
	})
}

// seedRegister fills the context's organisation with assets that use every
// field, lists with several items, and text that needs care in a file.
func seedRegister(t *testing.T, a *app.App, ctx context.Context) {
	t.Helper()
	for _, x := range []asset.Asset{
		{Number: "SW-001", Name: "核心交换机", Type: asset.TypeNetwork, Subtype: "switch", Owner: "张三", Department: "信息技术部",
			Location: "一号机房 A-01", IPs: []string{"10.0.0.1", "10.0.0.2", "fd00::1"}, Hostnames: []string{"core-sw.example.cn"},
			OS: "VRP 8.1", VendorModel: "华为 S12700", BusinessSystem: "办公网", Status: asset.StatusInUse,
			Tags: []string{"核心", "等保三级"}, Notes: "第一行\n第二行, 含逗号和\"引号\"", C: 4, I: 5, A: 5},
		{Name: "=HYPERLINK(\"http://x\")", Type: asset.TypeApplication, Subtype: "web", Notes: "-starts with minus", Tags: []string{"+plus"},
			Status: asset.StatusPlanned, C: 1, I: 2, A: 3},
		{Name: "Backup NAS", Type: asset.TypeStorage, IPs: []string{"192.168.10.0/24"}, Status: asset.StatusRetired, C: 2, I: 2, A: 1,
			Department: "运维部", Tags: []string{"tag with space"}},
		{Name: "客户数据", Type: asset.TypeData, Status: asset.StatusMaintenance, C: 5, I: 4, A: 2, BusinessSystem: "CRM"},
	} {
		if _, err := a.Assets.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		seedRegister(t, a, ctx)
		want := register(t, a, ctx)
		for _, format := range []asset.ExportFormat{asset.ExportXLSX, asset.ExportCSV} {
			for _, lang := range []string{"zh-CN", "en"} {
				var buf bytes.Buffer
				n, err := a.Assets.Export(ctx, asset.Filter{}, format, lang, &buf)
				if err != nil || n != len(want) {
					t.Fatalf("export %s %s: %d rows, %v", format, lang, n, err)
				}
				// Into the same register: nothing to change.
				res, err := a.Assets.Import(ctx, buf.Bytes(), asset.ImportOptions{})
				if err != nil {
					t.Fatalf("re-import %s %s: %v", format, lang, err)
				}
				if res.Counts != (asset.ImportCounts{Rows: len(want), Unchanged: len(want)}) || len(res.Unknown) != 0 {
					t.Errorf("re-import %s %s: %+v unknown %v, want all unchanged", format, lang, res.Counts, res.Unknown)
					for _, r := range res.Rows {
						if r.Action != asset.ImportUnchanged {
							t.Logf("row %d %s %v %v", r.Row, r.Action, r.Changes, r.Errors)
						}
					}
				}
				// Into an empty organisation: the same register.
				org, err := a.Orgs.Create(app.SystemContext(context.Background(), auth.FromContext(ctx).OrgID), "copy "+string(format)+" "+lang, "other")
				if err != nil {
					t.Fatal(err)
				}
				other := app.SystemContext(context.Background(), org.ID)
				if _, err := a.Assets.Import(other, buf.Bytes(), asset.ImportOptions{}); err != nil {
					t.Fatal(err)
				}
				sameRegister(t, register(t, a, other), want)
			}
		}
		sameRegister(t, register(t, a, ctx), want)
		if n := auditCount(t, db, auth.FromContext(ctx).OrgID, "asset.export"); n != 4 {
			t.Errorf("%d asset.export records, want 4", n)
		}
	})
}

func TestExportFilterAndPermissions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		seedRegister(t, a, ctx)
		var buf bytes.Buffer
		n, err := a.Assets.Export(ctx, asset.Filter{Type: asset.TypeNetwork}, asset.ExportCSV, "en", &buf)
		if err != nil || n != 1 {
			t.Fatalf("filtered export: %d, %v", n, err)
		}
		tab, err := tabular.Read(buf.Bytes(), tabular.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != 1 || tab.Rows[0].Cells[1] != "核心交换机" || tab.Rows[0].Cells[2] != "Network device" || tab.Header.Cells[0] != "Number" {
			t.Errorf("filtered export: header %q rows %v", tab.Header.Cells, tab.Rows)
		}
		if _, err := a.Assets.Export(ctx, asset.Filter{Sort: "bogus"}, asset.ExportCSV, "en", &buf); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad sort: %v", err)
		}
		org := auth.FromContext(ctx).OrgID
		as := func(r auth.Role) context.Context {
			return auth.WithActor(context.Background(), &auth.Actor{UserID: 9, Username: string(r), OrgID: org, Roles: []auth.Role{r}})
		}
		data := []byte("name,type\nx,server\n")
		for _, tc := range []struct {
			role        auth.Role
			export, imp bool
		}{
			{auth.RoleViewer, false, false}, {auth.RoleResponder, false, false}, {auth.RoleLeadership, true, false},
			{auth.RoleAuditor, true, false}, {auth.RoleSystemAdmin, true, true},
		} {
			buf.Reset()
			_, err := a.Assets.Export(as(tc.role), asset.Filter{}, asset.ExportXLSX, "zh-CN", &buf)
			if tc.export != (err == nil) || (!tc.export && (!apperr.Is(err, apperr.Forbidden) || buf.Len() != 0)) {
				t.Errorf("%s export: %v (%d bytes)", tc.role, err, buf.Len())
			}
			_, err = a.Assets.Import(as(tc.role), data, asset.ImportOptions{DryRun: true})
			if tc.imp != (err == nil) || (!tc.imp && !apperr.Is(err, apperr.Forbidden)) {
				t.Errorf("%s import: %v", tc.role, err)
			}
			if err := a.Assets.ImportTemplate(as(tc.role), "zh-CN", &buf); tc.imp != (err == nil) {
				t.Errorf("%s template: %v", tc.role, err)
			}
		}
	})
}

func TestImportTemplateImportsAsEmpty(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		for _, lang := range []string{"zh-CN", "en"} {
			var buf bytes.Buffer
			if err := a.Assets.ImportTemplate(ctx, lang, &buf); err != nil {
				t.Fatal(err)
			}
			res, err := a.Assets.Import(ctx, buf.Bytes(), asset.ImportOptions{DryRun: true})
			if err != nil || res.Counts.Rows != 0 || len(res.Unknown) != 0 {
				t.Errorf("%s template: %+v %v", lang, res, err)
			}
		}
	})
}
