package tabular

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"bulwark/internal/apperr"
)

// The fuzz targets check that no input makes a reader panic, that every
// failure is an ordinary invalid-input error (never an internal one), and
// that what is accepted keeps the limits and the row numbering promised.
// Seed corpora live in testdata/fuzz/<target>/.

var fuzzLimits = Limits{MaxRows: 500, MaxColumns: 50, MaxUnzipped: 4 << 20, MaxUnzipXML: 1 << 20}

func checkTable(t *testing.T, tab *Table, err error) {
	if err != nil {
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Key == "" {
			t.Fatalf("error is not an invalid-file error: %v", err)
		}
		if tab != nil {
			t.Fatal("table returned with an error")
		}
		return
	}
	if tab.Header.Num < 1 || len(tab.Header.Cells) == 0 {
		t.Fatalf("accepted without a header: %+v", tab.Header)
	}
	if len(tab.Rows) > fuzzLimits.MaxRows {
		t.Fatalf("%d rows, limit %d", len(tab.Rows), fuzzLimits.MaxRows)
	}
	prev := tab.Header.Num
	for _, r := range tab.Rows {
		if r.Num <= prev {
			t.Fatalf("row numbers not increasing: %d after %d", r.Num, prev)
		}
		prev = r.Num
		if len(r.Cells) == 0 || len(r.Cells) > fuzzLimits.MaxColumns {
			t.Fatalf("row %d has %d cells", r.Num, len(r.Cells))
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("资产名称,IP地址\n核心交换机,10.0.0.1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadCSV(data, fuzzLimits)
		checkTable(t, tab, err)
	})
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(zipWith(f, "xl/workbook.xml", "<workbook/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ReadXLSX(data, fuzzLimits)
		checkTable(t, tab, err)
		if err == nil && !bytes.HasPrefix(data, zipMagic) {
			t.Fatalf("accepted %q as a workbook", data[:min(len(data), 16)])
		}
	})
}

func zipWith(t testing.TB, name, content string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the committed fuzz seed corpora in testdata/fuzz")

// TestSeedCorpus writes the seed corpora (with -update-corpus) and checks
// they are present, so the fuzz targets always start from real files:
// Excel-style CSV in every encoding we accept, and real workbooks.
func TestSeedCorpus(t *testing.T) {
	csvSeeds := map[string][]byte{
		"utf8":       []byte("资产编号,资产名称,资产类型,IP地址,保密性\nZC-000001,核心交换机,网络设备,\"10.0.0.1, 10.0.0.2\",3\n"),
		"bom_crlf":   append(append([]byte{}, utf8BOM...), "Number,Name,Type\r\nA-1,Web,server\r\n"...),
		"gbk":        gbk(t, "资产名称,所属部门\n防火墙,信息技术部\n"),
		"utf16":      utf16le(t, "名称\tIP\n服务器\t10.0.0.9\n"),
		"quoted":     []byte("name,notes\n\"a\",\"two\nlines, \"\"quoted\"\"\"\n\n,,\nb,'=1+1\n"),
		"semicolon":  []byte("name;ips\nx;1.1.1.1\n"),
		"bad_quote":  []byte("a,b\nx,y\"z\n"),
		"ragged":     []byte("a\nb,c,d\n,,,,e\n"),
		"only_blank": []byte("\n\n,,\n"),
	}
	var wb bytes.Buffer
	w, err := NewXLSXWriter(&wb, "资产", []float64{10})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{{"资产编号", "资产名称", "保密性"}, {"ZC-1", "交换机", 3}, {"", "多行\n文本", 5}} {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	xlsxSeeds := map[string][]byte{
		"workbook":    wb.Bytes(),
		"truncated":   wb.Bytes()[:wb.Len()/2],
		"not_a_sheet": zipWith(t, "hello.txt", "hi"),
		"no_sheets":   zipWith(t, "xl/workbook.xml", "<workbook><sheets/></workbook>"),
		"magic_only":  []byte("PK\x03\x04"),
	}
	for target, seeds := range map[string]map[string][]byte{"FuzzReadCSV": csvSeeds, "FuzzReadXLSX": xlsxSeeds} {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, data := range seeds {
			path := filepath.Join(dir, name)
			content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
			if *updateCorpus {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("seed %s missing (run go test -run TestSeedCorpus -update-corpus): %v", path, err)
			}
		}
	}
}
