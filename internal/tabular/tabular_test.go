package tabular

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"bulwark/internal/apperr"
)

func rowsOf(t *Table) [][]string {
	out := [][]string{t.Header.Cells}
	for _, r := range t.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func nums(t *Table) []int {
	out := []int{t.Header.Num}
	for _, r := range t.Rows {
		out = append(out, r.Num)
	}
	return out
}

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16le(t *testing.T, s string) []byte {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadCSV(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		want  [][]string
		nums  []int
		error string
	}{
		{name: "plain", data: []byte("资产名称,IP\n核心交换机,10.0.0.1\n"), want: [][]string{{"资产名称", "IP"}, {"核心交换机", "10.0.0.1"}}, nums: []int{1, 2}},
		{name: "bom", data: append([]byte{0xEF, 0xBB, 0xBF}, "名称\r\n防火墙\r\n"...), want: [][]string{{"名称"}, {"防火墙"}}, nums: []int{1, 2}},
		{name: "gbk", data: gbk(t, "资产名称,部门\n核心交换机,信息技术部\n"), want: [][]string{{"资产名称", "部门"}, {"核心交换机", "信息技术部"}}, nums: []int{1, 2}},
		{name: "utf16 tab", data: utf16le(t, "名称\t位置\n服务器\t机房A\n"), want: [][]string{{"名称", "位置"}, {"服务器", "机房A"}}, nums: []int{1, 2}},
		{name: "semicolon", data: []byte("name;ip\nfw;10.0.0.1, 10.0.0.2\n"), want: [][]string{{"name", "ip"}, {"fw", "10.0.0.1, 10.0.0.2"}}, nums: []int{1, 2}},
		{name: "blank and empty rows skipped, numbers kept",
			data: []byte("\n,,\nname,notes\n\na,\"two\nlines\"\n,,,\nb,x\n"),
			want: [][]string{{"name", "notes"}, {"a", "two\nlines"}, {"b", "x"}}, nums: []int{3, 5, 7}},
		{name: "trailing empty cells dropped", data: []byte("a,b,,\nx,,,\n"), want: [][]string{{"a", "b"}, {"x"}}, nums: []int{1, 2}},
		{name: "formula escape undone", data: []byte("a\n'=1+2\n'-x\n'abc\n"), want: [][]string{{"a"}, {"=1+2"}, {"-x"}, {"'abc"}}, nums: []int{1, 2, 3, 4}},
		{name: "stray quote", data: []byte("a,b\nx,y\"z\n"), error: "err.import_bad_csv"},
		{name: "empty", data: []byte(" \n\n"), error: "err.import_empty"},
		{name: "only commas", data: []byte(",,,\n,,\n"), error: "err.import_empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := Read(tc.data, DefaultLimits)
			if tc.error != "" {
				if ae := apperr.As(err); err == nil || ae.Key != tc.error {
					t.Fatalf("err = %v, want %s", err, tc.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tab.Format != CSV {
				t.Errorf("format %s", tab.Format)
			}
			if got := rowsOf(tab); !equalRows(got, tc.want) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
			if got := nums(tab); !equalInts(got, tc.nums) {
				t.Errorf("row numbers %v, want %v", got, tc.nums)
			}
		})
	}
}

func TestBadCSVNamesTheLine(t *testing.T) {
	_, err := ReadCSV([]byte("a,b\nx,\"multi\nline\"\nok,1\nbad,\"x\"y\n"), DefaultLimits)
	ae := apperr.As(err)
	if ae.Key != "err.import_bad_csv" || len(ae.Args) != 1 || ae.Args[0] != 4 {
		t.Fatalf("err = %v %v, want err.import_bad_csv at row 4", err, ae.Args)
	}
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxRows: 3, MaxColumns: 4, MaxUnzipped: 1 << 20, MaxUnzipXML: 1 << 20}
	if _, err := ReadCSV([]byte("h\n1\n2\n3\n"), lim); err != nil {
		t.Fatalf("3 rows: %v", err)
	}
	if _, err := ReadCSV([]byte("h\n1\n2\n3\n4\n"), lim); apperr.As(err).Key != "err.import_too_many_rows" {
		t.Fatalf("4 rows: %v", err)
	}
	if _, err := ReadCSV([]byte("a,b,c,d,e\n"), lim); apperr.As(err).Key != "err.import_too_many_columns" {
		t.Fatalf("5 columns: %v", err)
	}
	// A workbook whose shared strings unzip past the limit.
	f := excelize.NewFile()
	for i := range 50 {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetCellValue("Sheet1", cell, strings.Repeat("x", 30000)+string(rune('a'+i%26))+strings.Repeat("y", i))
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadXLSX(buf.Bytes(), lim); apperr.As(err).Key != "err.import_unzip_limit" {
		t.Fatalf("unzip limit: %v", err)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		data []byte
		want Format
		err  string
	}{
		{[]byte("PK\x03\x04rest"), XLSX, ""},
		{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, "", "err.import_xls"},
		{[]byte("a,b\n"), CSV, ""},
		{[]byte("\x00\x01\x02binary"), "", "err.import_format"},
		{nil, "", "err.import_empty"},
	} {
		got, err := Detect(tc.data)
		if tc.err != "" {
			if apperr.As(err).Key != tc.err {
				t.Errorf("Detect(%q) err %v, want %s", tc.data, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Detect(%q) = %s, %v; want %s", tc.data, got, err, tc.want)
		}
	}
}

func TestXLSXRoundTripAndRowNumbers(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewXLSXWriter(&buf, "资产", []float64{12, 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{{"资产编号", "资产名称", "保密性"}, {"ZC-000001", "核心交换机", 3}, {"=1+1", "多行\n备注", 5}} {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.NewSheet("说明", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow([]any{"second sheet is not read"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"资产编号", "资产名称", "保密性"}, {"ZC-000001", "核心交换机", "3"}, {"=1+1", "多行\n备注", "5"}}
	if tab.Format != XLSX || !equalRows(rowsOf(tab), want) {
		t.Fatalf("read back %s %q, want %q", tab.Format, rowsOf(tab), want)
	}

	// Gaps between stored rows keep the spreadsheet's numbering.
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "B2", "名称")
	_ = f.SetCellValue("Sheet1", "B4", "甲")
	_ = f.SetCellValue("Sheet1", "C7", "乙")
	buf.Reset()
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err = ReadXLSX(buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got := nums(tab); !equalInts(got, []int{2, 4, 7}) {
		t.Errorf("row numbers %v, want [2 4 7]", got)
	}
	if got := rowsOf(tab); !equalRows(got, [][]string{{"", "名称"}, {"", "甲"}, {"", "", "乙"}}) {
		t.Errorf("rows %q", got)
	}
}

func TestGarbageIsAnError(t *testing.T) {
	for _, data := range [][]byte{
		[]byte("PK\x03\x04 not really a zip"),
		append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 100)...),
		zipWith(t, "hello.txt", "not a workbook"),
		zipWith(t, "xl/workbook.xml", "<workbook><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
	} {
		if _, err := Read(data, DefaultLimits); err == nil {
			t.Errorf("Read(%q...) gave no error", data[:min(len(data), 20)])
		} else if ae := apperr.As(err); ae.Code != apperr.Invalid {
			t.Errorf("Read(%q...) = %v, want an invalid-file error", data[:min(len(data), 20)], err)
		}
	}
}

func TestCSVWriterEscapesFormulas(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	values := []string{"=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "'=x", "'plain", "''", "'", "普通", "\tx"}
	row := make([]any, len(values))
	for i, v := range values {
		row[i] = v
	}
	if err := w.WriteRow(append([]any{"h"}, row[1:]...)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), utf8BOM) {
		t.Fatal("no BOM")
	}
	for _, line := range strings.Split(buf.String(), "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.Trim(cell, `"`)
			if cell != "" && strings.IndexByte("=+-@", cell[0]) >= 0 {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	tab, err := ReadCSV(buf.Bytes(), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Rows[0].Cells; !equalRows([][]string{got}, [][]string{values}) {
		t.Errorf("round trip %q, want %q", got, values)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
