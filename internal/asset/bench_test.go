package asset_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The targets on a 2-core machine: a 10,000-row workbook imports in 5 s,
// 100,000 assets export in 10 s. Run with
//
//	go test ./internal/asset/ -run '^$' -bench . -benchtime 1x
//
// (BULWARK_TEST_POSTGRES set for the PostgreSQL half).

func benchEngines(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) { fn(b, storetest.Open(b, engine)) })
	}
}

func benchApp(b *testing.B, db *store.DB) (*app.App, context.Context) {
	a := app.New(db, clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)), app.DefaultOptions())
	orgID, _, err := a.Bootstrap(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return a, auth.WithActor(context.Background(), &auth.Actor{UserID: 1, Username: "bench", OrgID: orgID, Roles: []auth.Role{auth.RoleSecurityManager}})
}

// benchRows makes n realistic rows: every column filled, half the rows
// without a number (so numbers are generated).
func benchRows(n int) [][]any {
	types := []string{"网络设备", "服务器", "应用系统", "安全设备", "终端"}
	rows := [][]any{{"资产编号", "资产名称", "资产类型", "子类", "责任人", "所属部门", "位置", "IP地址", "主机名",
		"操作系统/版本", "厂商/型号", "所属业务系统", "状态", "标签", "备注", "保密性", "完整性", "可用性"}}
	for i := range n {
		num := ""
		if i%2 == 0 {
			num = fmt.Sprintf("B-%06d", i)
		}
		rows = append(rows, []any{num, fmt.Sprintf("服务器 %d 号", i), types[i%len(types)], "virtual", "张三", "信息技术部",
			"一号机房", fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256), fmt.Sprintf("host%d.example.cn", i),
			"CentOS 7.9", "浪潮 NF5280", "核心业务", "在用", "生产、等保三级", "批量导入的测试资产", 1 + i%5, 1 + i%4, 1 + i%3})
	}
	return rows
}

func BenchmarkImportXLSX10k(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		data := xlsxOf(b, benchRows(10_000))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			a, ctx := benchApp(b, db)
			if i > 0 {
				// A fresh organisation each time, so every run creates.
				org, err := a.Orgs.Create(app.SystemContext(context.Background(), 1), fmt.Sprintf("bench %d", i), "other")
				if err != nil {
					b.Fatal(err)
				}
				ctx = auth.WithActor(context.Background(), &auth.Actor{UserID: 1, Username: "bench", OrgID: org.ID, Roles: []auth.Role{auth.RoleSecurityManager}})
			}
			b.StartTimer()
			start := time.Now()
			res, err := a.Assets.Import(ctx, data, asset.ImportOptions{Filename: "bench.xlsx"})
			if err != nil {
				b.Fatal(err)
			}
			if res.Counts.Create != 10_000 {
				b.Fatalf("created %d", res.Counts.Create)
			}
			b.ReportMetric(time.Since(start).Seconds(), "s/import")
		}
	})
}

// seedBulk writes n assets straight into the table (the import is not what
// is measured here), in batches.
func seedBulk(b *testing.B, db *store.DB, org int64, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 500
	for start := 0; start < n; start += batch {
		err := db.Tx(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				_, err := tx.ExecContext(ctx, `INSERT INTO assets (org_id, number, name, asset_type, subtype, owner, department,
					location, ips, hostnames, os, vendor_model, business_system, status, tags, notes, confidentiality, integrity,
					availability, asset_value, search_terms, created_at, updated_at)
					VALUES ($1, $2, $3, 'server', 'virtual', '张三', '信息技术部', '一号机房', $4, $5, 'CentOS 7.9', '浪潮 NF5280',
					'核心业务', 'in_use', $6, '批量测试资产', 3, 4, 5, 4, '', 1, 1)`,
					org, fmt.Sprintf("ZC-%07d", i), fmt.Sprintf("服务器 %d 号", i),
					fmt.Sprintf("10.%d.%d.%d\n10.200.%d.%d", i/65536, i/256%256, i%256, i/256%256, i%256),
					fmt.Sprintf("host%d.example.cn", i), "生产\n等保三级")
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchExport(b *testing.B, format asset.ExportFormat) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		a, ctx := benchApp(b, db)
		seedBulk(b, db, auth.FromContext(ctx).OrgID, 100_000)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			n, err := a.Assets.Export(ctx, asset.Filter{}, format, "zh-CN", io.Discard)
			if err != nil || n != 100_000 {
				b.Fatalf("exported %d: %v", n, err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "s/export")
		}
	})
}

func BenchmarkExportXLSX100k(b *testing.B) { benchExport(b, asset.ExportXLSX) }
func BenchmarkExportCSV100k(b *testing.B)  { benchExport(b, asset.ExportCSV) }
