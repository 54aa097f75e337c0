package playbook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/upload"
)

// ImportAction is what importing a file does to one playbook.
type ImportAction string

const (
	ImportCreate    ImportAction = "create"    // a new playbook of the organisation
	ImportUpdate    ImportAction = "update"    // replaces the one under its key (a default gets a copy)
	ImportUnchanged ImportAction = "unchanged" // the same as what the organisation has
)

// ImportItem is one playbook of the file and what importing does to it.
type ImportItem struct {
	Key    string       `json:"key"`
	NameZh string       `json:"name_zh"`
	NameEn string       `json:"name_en"`
	Steps  int          `json:"steps"`
	Action ImportAction `json:"action"`
}

// ImportResult is an import's plan (dry run) or outcome. An import is all
// or nothing: with any issue nothing is written.
type ImportResult struct {
	SHA256   string       `json:"sha256"`
	Filename string       `json:"filename"`
	DryRun   bool         `json:"dry_run"`
	Applied  bool         `json:"applied"`
	Items    []ImportItem `json:"items"`
	Issues   []Issue      `json:"issues"`
}

// Changes counts the playbooks the import creates or updates.
func (r *ImportResult) Changes() int {
	n := 0
	for _, it := range r.Items {
		if it.Action != ImportUnchanged {
			n++
		}
	}
	return n
}

// Import reads a YAML file and, unless dryRun, writes its playbooks into
// the organisation in one transaction: new keys become the organisation's
// own, existing keys are replaced (a default gets the organisation's copy),
// and identical ones are left alone. With any issue it writes nothing and
// returns the plan with an invalid-input error listing every issue.
func (s *Service) Import(ctx context.Context, data []byte, filename string, dryRun bool) (*ImportResult, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return nil, err
	}
	known, _, err := s.knownCategories(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	res := &ImportResult{SHA256: hex.EncodeToString(sum[:]), Filename: filename, DryRun: dryRun, Items: []ImportItem{}, Issues: []Issue{}}
	ps, issues := parse(data, known)
	res.Issues = append(res.Issues, issues...)
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		current, err := orgPlaybooks(ctx, tx, actor.OrgID, "")
		if err != nil {
			return err
		}
		seen := map[string]Playbook{}
		for _, p := range merge(current) {
			seen[p.Key] = p
		}
		type change struct{ before, after Playbook }
		var changes []change
		for _, p := range ps {
			it := ImportItem{Key: p.Key, NameZh: p.NameZh, NameEn: p.NameEn, Steps: len(p.Steps), Action: ImportCreate}
			before, exists := seen[p.Key]
			switch {
			case exists && same(before, p):
				it.Action = ImportUnchanged
			case exists:
				it.Action = ImportUpdate
			}
			res.Items = append(res.Items, it)
			if it.Action != ImportUnchanged {
				changes = append(changes, change{before, p})
			}
		}
		if len(res.Issues) > 0 || dryRun {
			return nil
		}
		for _, c := range changes {
			if _, err := save(ctx, tx, actor.OrgID, actor, c.after, now); err != nil {
				return err
			}
			if err := audit.Append(ctx, tx, now, actor.Audit("playbook.import", "playbook", c.after.Key, record(c.before), record(c.after))); err != nil {
				return err
			}
		}
		res.Applied = true
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap(err, "import playbooks")
	}
	if len(res.Issues) > 0 {
		return res, IssuesError(res.Issues)
	}
	return res, nil
}

// SaveImportFile stores an uploaded YAML file (at most MaxFileSize) by its
// SHA-256 and records that the organisation uploaded it, so the preview's
// confirm can name it by hash. The permission is checked before a byte is
// read.
func (s *Service) SaveImportFile(ctx context.Context, dataDir, filename string, r io.Reader) (upload.Upload, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return upload.Upload{}, err
	}
	st, err := upload.Save(ctx, dataDir, r, MaxFileSize)
	if err != nil {
		return upload.Upload{}, apperr.Wrap(err, "save playbook file")
	}
	if st.Size == 0 {
		return upload.Upload{}, apperr.New(apperr.Invalid, "err.playbook_file_empty")
	}
	var u upload.Upload
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		u, err = upload.Record(ctx, tx, upload.Upload{OrgID: actor.OrgID, SHA256: st.SHA256, Filename: filename,
			Size: st.Size, UploadedBy: actor.UserID, CreatedAt: s.Clock.Now()})
		return err
	})
	return u, apperr.Wrap(err, "save playbook file")
}

// ImportUpload imports (or previews) a file the organisation uploaded
// earlier, named by its hash; another organisation's hash is not found.
func (s *Service) ImportUpload(ctx context.Context, dataDir, sum string, dryRun bool) (*ImportResult, error) {
	actor, err := auth.Require(ctx, auth.PermPlaybookManage)
	if err != nil {
		return nil, err
	}
	u, err := upload.Find(ctx, s.DB.Read(), actor.OrgID, sum)
	if err != nil {
		return nil, apperr.Wrap(err, "find playbook file")
	}
	data, err := upload.Read(dataDir, u.SHA256)
	if err != nil {
		return nil, apperr.Wrap(err, "read playbook file")
	}
	return s.Import(ctx, data, u.Filename, dryRun)
}

// Export writes the playbooks the organisation sees as YAML: all of them,
// or the one under key.
func (s *Service) Export(ctx context.Context, key string, w io.Writer) error {
	var ps []Playbook
	if key == "" {
		list, err := s.List(ctx)
		if err != nil {
			return err
		}
		ps = list
	} else {
		p, err := s.Get(ctx, key)
		if err != nil {
			return err
		}
		ps = []Playbook{p}
	}
	return WriteYAML(w, ps)
}
