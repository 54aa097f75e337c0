package asset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/tabular"
)

// ImportAction is what importing a row does.
type ImportAction string

const (
	ImportCreate    ImportAction = "create"
	ImportUpdate    ImportAction = "update"
	ImportUnchanged ImportAction = "unchanged"
	ImportError     ImportAction = "error"
)

// ImportOptions say how to import.
type ImportOptions struct {
	// DryRun plans without changing anything (the preview).
	DryRun bool
	// ValidOnly imports the valid rows of a file that has bad ones; by
	// default one bad row stops the whole import.
	ValidOnly bool
	// Filename is the uploaded file's name, for the result and the trail.
	Filename string
}

// ImportRow is the plan for one data row of the file.
type ImportRow struct {
	Row     int          `json:"row"` // as the spreadsheet numbers it
	Action  ImportAction `json:"action"`
	AssetID int64        `json:"asset_id,omitempty"` // the asset updated (or created, once applied)
	Number  string       `json:"number"`
	Name    string       `json:"name"`
	// Changes are the codes of the fields an update changes.
	Changes []string            `json:"changes,omitempty"`
	Errors  []apperr.FieldError `json:"-"`

	asset  Asset // what will be written
	before Asset // the stored asset an update replaces
}

// ImportCounts sums up a plan.
type ImportCounts struct {
	Rows      int `json:"rows"`
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Error     int `json:"error"`
}

// ImportResult is the plan of an import and, unless it was a dry run,
// what was applied.
type ImportResult struct {
	SHA256    string       `json:"sha256"`
	Filename  string       `json:"filename"`
	Format    string       `json:"format"`
	DryRun    bool         `json:"dry_run"`
	ValidOnly bool         `json:"valid_only"`
	Applied   bool         `json:"applied"`
	Counts    ImportCounts `json:"counts"`
	// Unknown lists headers that name no column: a warning, they are skipped.
	Unknown []string `json:"unknown_columns"`
	// Errors are every row's problems in row order: Field is the column's
	// header as written in the file, Row the spreadsheet row.
	Errors []apperr.FieldError `json:"-"`
	Rows   []ImportRow         `json:"rows"`
}

// layout maps a file's columns onto Columns.
type layout struct {
	cols    []int             // file column → index in Columns, -1 when unknown
	headers map[string]string // field code → header as written in the file
	lang    string
}

// header is how an error names the column of field code: as the file
// wrote it, or (for a column the file lacks) in the caller's language.
func (l *layout) header(code string) string {
	if h, ok := l.headers[code]; ok {
		return h
	}
	return columnByCode(code).Header(l.lang)
}

// readLayout matches the header row. A column named twice, or a file
// without the required name column, is an error of the whole file.
func readLayout(h tabular.Row, lang string) (*layout, []string, error) {
	l := &layout{cols: make([]int, len(h.Cells)), headers: map[string]string{}, lang: lang}
	var unknown []string
	for i, cell := range h.Cells {
		l.cols[i] = -1
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		c, ok := ColumnFor(cell)
		if !ok {
			unknown = append(unknown, cell)
			continue
		}
		if prev, dup := l.headers[c.Code]; dup {
			return nil, nil, apperr.New(apperr.Invalid, "err.import_duplicate_column", prev, cell)
		}
		l.headers[c.Code] = cell
		if !c.ExportOnly {
			for j, cc := range Columns {
				if cc.Code == c.Code {
					l.cols[i] = j
				}
			}
		}
	}
	if _, ok := l.headers["name"]; !ok {
		return nil, nil, apperr.New(apperr.Invalid, "err.import_missing_column", columnByCode("name").Header(lang))
	}
	return l, unknown, nil
}

// register is the organisation's assets, read once per import and indexed
// for matching, so planning never queries per row.
type register struct {
	assets   []Asset
	byNumber map[string]int
	byNameIP map[string][]int
}

func nameIPKey(name, ip string) string { return name + "\x00" + ip }

func loadRegister(ctx context.Context, q store.Querier, orgID int64) (*register, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM assets WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	defer rows.Close()
	reg := &register{byNumber: map[string]int{}, byNameIP: map[string][]int{}}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read register: %w", err)
		}
		i := len(reg.assets)
		reg.assets = append(reg.assets, a)
		reg.byNumber[a.Number] = i
		for _, ip := range a.IPs {
			k := nameIPKey(a.Name, ip)
			reg.byNameIP[k] = append(reg.byNameIP[k], i)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read register: %w", err)
	}
	return reg, nil
}

// planner classifies rows one after another, remembering what earlier rows
// of the same file claimed.
type planner struct {
	l       *layout
	reg     *register
	numbers map[string]int // number → first row that used it
	targets map[int64]int  // asset id → first row that updates it
	newKeys map[string]int // name+IP of new assets → first row
}

func (p *planner) cell(r tabular.Row, code string) string {
	for i, ci := range p.l.cols {
		if ci >= 0 && Columns[ci].Code == code {
			return strings.TrimSpace(r.Cell(i))
		}
	}
	return ""
}

// plan decides what row r does.
func (p *planner) plan(r tabular.Row) ImportRow {
	out := ImportRow{Row: r.Num}
	fail := func(code, key string, args ...any) {
		out.Errors = append(out.Errors, apperr.FieldError{Field: p.l.header(code), Row: r.Num, Key: key, Args: args})
	}
	// The matching keys, normalised the way they are stored.
	key := Asset{Number: p.cell(r, "number"), Name: p.cell(r, "name"), IPs: splitCell(p.cell(r, "ips"))}
	key.Normalize()
	out.Number, out.Name = key.Number, key.Name

	// Match: by number; without a number, by name and a shared IP address.
	var target *Asset
	switch {
	case key.Number != "":
		if first, dup := p.numbers[key.Number]; dup {
			fail("number", "err.import_duplicate_row", first)
		} else {
			p.numbers[key.Number] = r.Num
		}
		if i, ok := p.reg.byNumber[key.Number]; ok {
			target = &p.reg.assets[i]
		}
	case key.Name != "" && len(key.IPs) > 0:
		found := map[int]bool{}
		for _, ip := range key.IPs {
			for _, i := range p.reg.byNameIP[nameIPKey(key.Name, ip)] {
				found[i] = true
			}
		}
		switch len(found) {
		case 0:
			// A new asset: a later row with its name and an IP of it
			// would be the same asset twice.
			for _, ip := range key.IPs {
				k := nameIPKey(key.Name, ip)
				if first, dup := p.newKeys[k]; dup {
					fail("ips", "err.import_duplicate_row", first)
					break
				}
			}
			for _, ip := range key.IPs {
				if k := nameIPKey(key.Name, ip); p.newKeys[k] == 0 {
					p.newKeys[k] = r.Num
				}
			}
		case 1:
			for i := range found {
				target = &p.reg.assets[i]
			}
		default:
			fail("ips", "err.import_ambiguous", len(found))
		}
	}
	if target != nil {
		if first, dup := p.targets[target.ID]; dup && len(out.Errors) == 0 {
			fail("number", "err.import_duplicate_row", first)
		} else if !dup {
			p.targets[target.ID] = r.Num
		}
	}

	// Build the asset: the stored one with the file's cells over it, or a
	// new one with the defaults of the form (ratings 3, in use).
	a := Asset{C: 3, I: 3, A: 3, Status: StatusInUse}
	if target != nil {
		a = *target
		a.IPs = append([]string(nil), target.IPs...)
		a.Hostnames = append([]string(nil), target.Hostnames...)
		a.Tags = append([]string(nil), target.Tags...)
		out.AssetID = target.ID
	}
	for i, ci := range p.l.cols {
		if ci < 0 {
			continue
		}
		if key := Columns[ci].setCell(&a, r.Cell(i)); key != "" {
			fail(Columns[ci].Code, key)
		}
	}
	a.Normalize()
	if target == nil && a.Type == "" && !hasField(out.Errors, p.l.header("type")) {
		fail("type", "err.required")
	}
	if err := a.Validate(); err != nil {
		for _, f := range apperr.As(err).Fields {
			if !hasField(out.Errors, p.l.header(f.Field)) {
				fail(f.Field, f.Key, f.Args...)
			}
		}
	}
	out.asset = a
	switch {
	case len(out.Errors) > 0:
		out.Action = ImportError
	case target == nil:
		out.Action = ImportCreate
	default:
		out.before = *target
		if out.Changes = diffFields(target, &a); len(out.Changes) == 0 {
			out.Action = ImportUnchanged
		} else {
			out.Action = ImportUpdate
		}
	}
	if out.Number == "" && target != nil {
		out.Number = target.Number
	}
	return out
}

func hasField(list []apperr.FieldError, field string) bool {
	for _, f := range list {
		if f.Field == field {
			return true
		}
	}
	return false
}

// planAll plans every row of t against reg into res.
func planAll(t *tabular.Table, l *layout, reg *register, res *ImportResult) {
	p := &planner{l: l, reg: reg, numbers: map[string]int{}, targets: map[int64]int{}, newKeys: map[string]int{}}
	res.Rows = make([]ImportRow, 0, len(t.Rows))
	res.Errors = nil
	res.Counts = ImportCounts{Rows: len(t.Rows)}
	for _, r := range t.Rows {
		pr := p.plan(r)
		res.Rows = append(res.Rows, pr)
		res.Errors = append(res.Errors, pr.Errors...)
		switch pr.Action {
		case ImportCreate:
			res.Counts.Create++
		case ImportUpdate:
			res.Counts.Update++
		case ImportUnchanged:
			res.Counts.Unchanged++
		case ImportError:
			res.Counts.Error++
		}
	}
}

// Import reads an asset spreadsheet (.xlsx or .csv, detected from the
// content) and plans it against the organisation's register: each row
// creates an asset, updates the one with its number (or, without a number,
// the one with its name and one of its IP addresses), leaves it unchanged,
// or is in error. Unless DryRun, the plan is applied in one transaction: all
// rows or none when any row is in error, only the valid ones with
// ValidOnly. Every asset written gets its own audit record, and the import
// one summary record naming the file by its SHA-256.
func (s *Service) Import(ctx context.Context, data []byte, opt ImportOptions) (*ImportResult, error) {
	actor, err := auth.Require(ctx, auth.PermAssetImport)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	res := &ImportResult{SHA256: hex.EncodeToString(sum[:]), Filename: opt.Filename, DryRun: opt.DryRun, ValidOnly: opt.ValidOnly, Unknown: []string{}}
	t, err := tabular.Read(data, tabular.DefaultLimits)
	if err != nil {
		return nil, err
	}
	res.Format = string(t.Format)
	l, unknown, err := readLayout(t.Header, actor.Locale)
	if err != nil {
		return nil, err
	}
	if unknown != nil {
		res.Unknown = unknown
	}
	if opt.DryRun {
		reg, err := loadRegister(ctx, s.DB.Read(), actor.OrgID)
		if err != nil {
			return nil, apperr.Wrap(err, "plan asset import")
		}
		planAll(t, l, reg, res)
		return res, nil
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		// Plan again inside the transaction, against the register as it
		// is now: what is applied is exactly what was checked.
		reg, err := loadRegister(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		planAll(t, l, reg, res)
		if res.Counts.Error > 0 && !opt.ValidOnly {
			return &apperr.Error{Code: apperr.Invalid, Key: "err.import_rejected", Args: []any{res.Counts.Error}, Fields: res.Errors}
		}
		return s.applyImport(ctx, tx, actor, reg, res)
	})
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			return res, err
		}
		return nil, apperr.Wrap(err, "import assets")
	}
	res.Applied = true
	return res, nil
}

// applyImport writes the planned creates and updates and the summary record.
func (s *Service) applyImport(ctx context.Context, tx *store.Tx, actor *auth.Actor, reg *register, res *ImportResult) error {
	taken := make(map[string]bool, len(reg.byNumber)+len(res.Rows))
	for n := range reg.byNumber {
		taken[n] = true
	}
	need := 0
	for _, r := range res.Rows {
		if r.Action == ImportCreate {
			if r.asset.Number == "" {
				need++
			} else {
				taken[r.asset.Number] = true
			}
		}
	}
	numbers, err := s.reserveNumbers(ctx, tx, actor.OrgID, need, taken)
	if err != nil {
		return err
	}
	var creates, befores, updates []Asset
	var createRows []*ImportRow
	for i := range res.Rows {
		r := &res.Rows[i]
		switch r.Action {
		case ImportCreate:
			if r.asset.Number == "" {
				r.asset.Number, numbers = numbers[0], numbers[1:]
			}
			creates = append(creates, r.asset)
			createRows = append(createRows, r)
		case ImportUpdate:
			befores = append(befores, r.before)
			updates = append(updates, r.asset)
		}
	}
	created, err := s.writeNewBatch(ctx, tx, actor, creates)
	if err != nil {
		return err
	}
	for i, a := range created {
		createRows[i].AssetID, createRows[i].Number = a.ID, a.Number
	}
	if _, err := s.writeUpdateBatch(ctx, tx, actor, befores, updates); err != nil {
		return err
	}
	mode := "all"
	if res.ValidOnly {
		mode = "valid_only"
	}
	summary := map[string]any{"sha256": res.SHA256, "filename": res.Filename, "format": res.Format, "mode": mode,
		"rows": res.Counts.Rows, "created": res.Counts.Create, "updated": res.Counts.Update,
		"unchanged": res.Counts.Unchanged, "skipped": res.Counts.Error}
	return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("asset.import", "upload", res.SHA256, nil, summary))
}

// reserveNumbers takes n free ZC- numbers in one step of the counter
// (instead of one query per asset), skipping any already taken.
func (s *Service) reserveNumbers(ctx context.Context, tx *store.Tx, orgID int64, n int, taken map[string]bool) ([]string, error) {
	out := make([]string, 0, n)
	for len(out) < n {
		want := n - len(out)
		var last int64
		err := tx.QueryRowContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, 'asset', $2)
			ON CONFLICT (org_id, name) DO UPDATE SET value = counters.value + $2 RETURNING value`, orgID, want).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("reserve asset numbers: %w", err)
		}
		for v := last - int64(want) + 1; v <= last; v++ {
			if num := fmt.Sprintf("ZC-%06d", v); !taken[num] {
				taken[num] = true
				out = append(out, num)
			}
		}
	}
	return out, nil
}
