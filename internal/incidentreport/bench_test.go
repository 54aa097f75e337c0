package incidentreport_test

import (
	"testing"

	"bulwark/internal/incidentreport"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// BenchmarkReportDOCX10k is the point 12 target (≤ 2 s): the whole
// incident report of a handled incident (every section filled, as in the
// golden test) whose timeline has 10,000 entries besides its own ~55
// records, through Service.Render: every read through the services, the
// timeline streamed from the database into the DOCX, the file rendered in
// full, the download audited.
func BenchmarkReportDOCX10k(b *testing.B) {
	benchReport(b, incidentreport.FormatDOCX)
}

// BenchmarkReportHTML10k is the same report as the printable page.
func BenchmarkReportHTML10k(b *testing.B) {
	benchReport(b, incidentreport.FormatHTML)
}

func benchReport(b *testing.B, format string) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			e := servertest.New(b, engine)
			w := seed(b, e)
			addEntries(b, e, w.inc.ID, 10_000)
			var size int
			for b.Loop() {
				f, err := e.App.Reports.Render(w.mgr, w.inc.ID, format, "zh-CN")
				if err != nil {
					b.Fatal(err)
				}
				size = len(f.Body)
			}
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}
