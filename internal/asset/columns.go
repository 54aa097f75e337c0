package asset

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"bulwark/internal/i18n"
)

// Column is one column of the asset spreadsheet. Import and export share
// this one table, so what is exported can always be imported again.
//
// The header names here are part of the file format, not UI text: they are
// what other people's spreadsheets say, and they must keep matching when
// the catalogue's wording changes. Import accepts each column's Chinese and
// English header, its JSON field code, the synonyms below and the form's
// label in both languages; export writes the header in the reader's language.
type Column struct {
	Code     string // the JSON field name
	ZH, EN   string
	Synonyms []string
	// ExportOnly columns are computed (value and its level): written on
	// export for the reader, recognised and skipped on import.
	ExportOnly bool
	kind       columnKind
}

type columnKind int

const (
	kindText   columnKind = iota // free text; an empty cell clears the field
	kindList                     // several values in one cell
	kindNumber                   // the asset number; empty keeps or generates
	kindType
	kindStatus
	kindRating // 1-5; empty keeps the stored rating (3 for a new asset)
	kindComputed
)

// Columns lists the spreadsheet's columns in file order.
var Columns = []Column{
	{Code: "number", ZH: "资产编号", EN: "Number", kind: kindNumber, Synonyms: []string{"编号", "资产编码", "资产号", "asset number", "asset no", "asset no."}},
	{Code: "name", ZH: "资产名称", EN: "Name", kind: kindText, Synonyms: []string{"名称", "资产名", "设备名称", "asset name"}},
	{Code: "type", ZH: "资产类型", EN: "Type", kind: kindType, Synonyms: []string{"类型", "资产类别", "类别", "asset type", "category"}},
	{Code: "subtype", ZH: "子类", EN: "Sub-type", kind: kindText, Synonyms: []string{"子类型", "小类", "sub type"}},
	{Code: "owner", ZH: "责任人", EN: "Owner", kind: kindText, Synonyms: []string{"负责人", "责任人员", "管理人"}},
	{Code: "department", ZH: "所属部门", EN: "Department", kind: kindText, Synonyms: []string{"部门", "使用部门", "dept"}},
	{Code: "location", ZH: "位置", EN: "Location", kind: kindText, Synonyms: []string{"物理位置", "存放位置", "所在位置", "地点"}},
	{Code: "ips", ZH: "IP地址", EN: "IP addresses", kind: kindList, Synonyms: []string{"IP", "IP address", "IPs", "IP地址段"}},
	{Code: "hostnames", ZH: "主机名", EN: "Hostnames", kind: kindList, Synonyms: []string{"主机名称", "hostname"}},
	{Code: "os", ZH: "操作系统/版本", EN: "OS/version", kind: kindText, Synonyms: []string{"操作系统", "系统版本", "operating system", "OS version"}},
	{Code: "vendor_model", ZH: "厂商/型号", EN: "Vendor/model", kind: kindText, Synonyms: []string{"厂商型号", "品牌型号", "型号", "vendor model"}},
	{Code: "business_system", ZH: "所属业务系统", EN: "Business system", kind: kindText, Synonyms: []string{"业务系统", "所属系统"}},
	{Code: "status", ZH: "状态", EN: "Status", kind: kindStatus, Synonyms: []string{"使用状态", "资产状态", "state"}},
	{Code: "tags", ZH: "标签", EN: "Tags", kind: kindList, Synonyms: []string{"tag"}},
	{Code: "notes", ZH: "备注", EN: "Notes", kind: kindText, Synonyms: []string{"说明", "描述", "remark", "remarks", "description", "comment"}},
	{Code: "confidentiality", ZH: "保密性", EN: "Confidentiality", kind: kindRating, Synonyms: []string{"机密性", "C"}},
	{Code: "integrity", ZH: "完整性", EN: "Integrity", kind: kindRating, Synonyms: []string{"I"}},
	{Code: "availability", ZH: "可用性", EN: "Availability", kind: kindRating, Synonyms: []string{"A"}},
	{Code: "value", ZH: "资产价值", EN: "Value", ExportOnly: true, kind: kindComputed, Synonyms: []string{"asset value"}},
	{Code: "value_level", ZH: "价值等级", EN: "Value level", ExportOnly: true, kind: kindComputed, Synonyms: []string{"资产价值等级", "level"}},
}

// Header is the column's header in lang.
func (c Column) Header(lang string) string {
	if lang == "en" {
		return c.EN
	}
	return c.ZH
}

// normHeader folds what people vary in a header: case, spaces, underscores,
// a required-field star, full-width punctuation ("IP 地址 *" = "ip地址").
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '*', r == '-':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r == '／':
			r = '/'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

var (
	lookupOnce sync.Once
	headerIdx  map[string]int                   // normalised header → index in Columns
	choiceIdx  map[columnKind]map[string]string // normalised cell → code
)

// lookups builds the header and cell-value tables once, from the column
// table and the catalogue (type, status and level names in every language).
func lookups() {
	lookupOnce.Do(func() {
		headerIdx = map[string]int{}
		for i, c := range Columns {
			names := append([]string{c.Code, c.ZH, c.EN}, c.Synonyms...)
			for _, lang := range i18n.Languages {
				if k := "asset.field." + c.Code; i18n.Has(k) {
					names = append(names, i18n.T(lang, k))
				}
			}
			for _, n := range names {
				k := normHeader(n)
				if j, dup := headerIdx[k]; dup && j != i {
					panic("asset: header " + n + " names two columns")
				}
				headerIdx[k] = i
			}
		}
		choiceIdx = map[columnKind]map[string]string{kindType: {}, kindStatus: {}, kindRating: {}}
		add := func(kind columnKind, code, key string) {
			choiceIdx[kind][normHeader(code)] = code
			for _, lang := range i18n.Languages {
				choiceIdx[kind][normHeader(i18n.T(lang, key))] = code
			}
		}
		for _, t := range Types {
			add(kindType, string(t), "asset.type."+string(t))
		}
		for _, s := range Statuses {
			add(kindStatus, string(s), "asset.status."+string(s))
		}
		for v := 1; v <= 5; v++ {
			add(kindRating, strconv.Itoa(v), LevelKey(v))
		}
	})
}

// ColumnFor returns the column a header names, if any.
func ColumnFor(header string) (Column, bool) {
	lookups()
	i, ok := headerIdx[normHeader(header)]
	if !ok {
		return Column{}, false
	}
	return Columns[i], true
}

func columnByCode(code string) Column {
	for _, c := range Columns {
		if c.Code == code {
			return c
		}
	}
	return Column{Code: code, ZH: code, EN: code}
}

// splitCell splits a list cell. A cell with line breaks holds one item per
// line, as export writes it, so an item may contain a comma or a space; a
// one-line cell, as people type it, is split on , ; 、 and spaces too.
func splitCell(s string) []string {
	if strings.ContainsAny(s, "\n\r") {
		return cleanList(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }))
	}
	return SplitList(s)
}

// setCell stores cell into a's field for c, or returns the catalogue key of
// why it cannot. Empty cells of choice, rating and number columns keep what
// a already has (the stored value, or the default of a new asset); an empty
// text or list cell clears the field.
func (c Column) setCell(a *Asset, cell string) string {
	if c.kind == kindList {
		// Untrimmed: a line break at the end marks a single item.
		*c.list(a) = splitCell(cell)
		return ""
	}
	cell = strings.TrimSpace(cell)
	switch c.kind {
	case kindNumber:
		if cell != "" {
			a.Number = cell
		}
	case kindType, kindStatus:
		if cell == "" {
			return ""
		}
		lookups()
		code, ok := choiceIdx[c.kind][normHeader(cell)]
		if !ok {
			return "err.invalid_choice"
		}
		if c.kind == kindType {
			a.Type = Type(code)
		} else {
			a.Status = Status(code)
		}
	case kindRating:
		if cell == "" {
			return ""
		}
		v, ok := parseRating(cell)
		if !ok {
			return "err.rating_1_5"
		}
		*c.rating(a) = v
	case kindText:
		*c.text(a) = cell
	}
	return ""
}

// parseRating reads 1-5 as a number ("3", "3.0" from a number-formatted
// cell) or as the level's name in any language (中等, Medium).
func parseRating(s string) (int, bool) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f != float64(int(f)) || f < 1 || f > 5 {
			return 0, false
		}
		return int(f), true
	}
	lookups()
	code, ok := choiceIdx[kindRating][normHeader(s)]
	if !ok {
		return 0, false
	}
	v, _ := strconv.Atoi(code)
	return v, true
}

func (c Column) text(a *Asset) *string {
	switch c.Code {
	case "name":
		return &a.Name
	case "subtype":
		return &a.Subtype
	case "owner":
		return &a.Owner
	case "department":
		return &a.Department
	case "location":
		return &a.Location
	case "os":
		return &a.OS
	case "vendor_model":
		return &a.VendorModel
	case "business_system":
		return &a.BusinessSystem
	case "notes":
		return &a.Notes
	}
	panic("asset: no text field " + c.Code)
}

func (c Column) list(a *Asset) *[]string {
	switch c.Code {
	case "ips":
		return &a.IPs
	case "hostnames":
		return &a.Hostnames
	case "tags":
		return &a.Tags
	}
	panic("asset: no list field " + c.Code)
}

func (c Column) rating(a *Asset) *int {
	switch c.Code {
	case "confidentiality":
		return &a.C
	case "integrity":
		return &a.I
	case "availability":
		return &a.A
	}
	panic("asset: no rating field " + c.Code)
}

// Cell is what export writes in c's column for a, in lang: names of
// types, statuses and levels in the reader's language, lists one item per
// line, ratings and the value as numbers.
func (c Column) Cell(a *Asset, lang string) any {
	switch c.kind {
	case kindNumber:
		return a.Number
	case kindType:
		return i18n.T(lang, "asset.type."+string(a.Type))
	case kindStatus:
		return i18n.T(lang, "asset.status."+string(a.Status))
	case kindRating:
		return *c.rating(a)
	case kindList:
		l := *c.list(a)
		s := strings.Join(l, "\n")
		if len(l) == 1 && !slices.Equal(SplitList(l[0]), l) {
			// One item that a one-line cell would split ("tag with
			// space"): a trailing line break marks it as one item.
			s += "\n"
		}
		return s
	case kindComputed:
		if c.Code == "value" {
			return a.Value
		}
		return i18n.T(lang, LevelKey(a.Value))
	}
	return *c.text(a)
}

// diffFields lists the fields (codes) where a and b differ, comparing what
// import can set.
func diffFields(a, b *Asset) []string {
	var diff []string
	for _, c := range Columns {
		switch c.kind {
		case kindComputed:
			continue
		case kindNumber:
			if a.Number != b.Number {
				diff = append(diff, c.Code)
			}
		case kindType:
			if a.Type != b.Type {
				diff = append(diff, c.Code)
			}
		case kindStatus:
			if a.Status != b.Status {
				diff = append(diff, c.Code)
			}
		case kindRating:
			if *c.rating(a) != *c.rating(b) {
				diff = append(diff, c.Code)
			}
		case kindList:
			if !slices.Equal(*c.list(a), *c.list(b)) {
				diff = append(diff, c.Code)
			}
		case kindText:
			if *c.text(a) != *c.text(b) {
				diff = append(diff, c.Code)
			}
		}
	}
	return diff
}
