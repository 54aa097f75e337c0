package evidence

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/upload"
)

// File is content saved to the upload store, not yet recorded as evidence.
type File struct {
	SHA256      string
	Size        int64
	Filename    string
	ContentType string // sniffed from the first 512 bytes
}

// Meta is what the uploader says about the evidence.
type Meta struct {
	Description   string
	CollectedBy   string
	CollectedAt   *time.Time
	CollectedFrom string
}

// SafeTypes are the content types a download may carry: none of them is
// rendered as active content by a browser. Anything else is served as
// application/octet-stream.
var SafeTypes = map[string]bool{
	"text/plain; charset=utf-8": true, "image/png": true, "image/jpeg": true, "image/gif": true,
	"image/webp": true, "application/pdf": true, "application/zip": true, "application/x-gzip": true,
}

// ServeType is the content type a download of e is served with.
func ServeType(e Evidence) string {
	if SafeTypes[e.ContentType] {
		return e.ContentType
	}
	return "application/octet-stream"
}

// sniffer keeps the first 512 bytes read through it.
type sniffer struct {
	r    io.Reader
	head bytes.Buffer
}

func (s *sniffer) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if room := 512 - s.head.Len(); room > 0 && n > 0 {
		s.head.Write(p[:min(n, room)])
	}
	return n, err
}

// CheckUpload answers whether the caller may add evidence to the incident,
// so a handler can refuse before it reads a byte of the body.
func (s *Service) CheckUpload(ctx context.Context, incidentID int64) error {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return err
	}
	return checkIncident(ctx, s.DB.Read(), actor.OrgID, incidentID)
}

// Save streams r into the upload store under dataDir (at most maxBytes)
// after checking the caller may add evidence to the incident. The content
// is on disk afterwards but is evidence only once Add records it.
func (s *Service) Save(ctx context.Context, incidentID int64, dataDir string, maxBytes int64, filename string, r io.Reader) (File, error) {
	if err := s.CheckUpload(ctx, incidentID); err != nil {
		return File{}, err
	}
	sn := &sniffer{r: r}
	st, err := upload.Save(ctx, dataDir, sn, maxBytes)
	if apperr.Is(err, apperr.TooLarge) {
		return File{}, apperr.New(apperr.TooLarge, "err.evidence_too_large", maxBytes>>20)
	}
	if err != nil {
		return File{}, apperr.Wrap(err, "save evidence")
	}
	if st.Size == 0 {
		return File{}, apperr.New(apperr.Invalid, "err.evidence_empty")
	}
	return File{SHA256: st.SHA256, Size: st.Size, Filename: cleanName(filename),
		ContentType: http.DetectContentType(sn.head.Bytes())}, nil
}

func cleanName(s string) string {
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	if r := []rune(s); len(r) > 255 {
		s = string(r[:255])
	}
	if s == "" {
		s = "evidence"
	}
	return s
}

func (m *Meta) validate(now time.Time) error {
	m.Description = strings.TrimSpace(m.Description)
	m.CollectedBy = strings.TrimSpace(m.CollectedBy)
	m.CollectedFrom = strings.TrimSpace(m.CollectedFrom)
	var c apperr.Collector
	for _, f := range []struct{ name, v string }{{"description", m.Description}, {"collected_by", m.CollectedBy}, {"collected_from", m.CollectedFrom}} {
		if utf8.RuneCountInString(f.v) > 1000 {
			c.Add(f.name, "err.evidence_too_long", 1000)
		}
	}
	if m.CollectedBy == "" {
		c.Add("collected_by", "err.evidence_collected_by_required")
	}
	if m.CollectedAt != nil && m.CollectedAt.After(now.Add(5*time.Minute)) {
		c.Add("collected_at", "err.evidence_collected_future")
	}
	return c.Err()
}

// Add records f as evidence of the incident, with its first custody entry
// (the upload) and an audit record.
func (s *Service) Add(ctx context.Context, incidentID int64, f File, m Meta) (Evidence, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return Evidence{}, err
	}
	if !upload.ValidHash(f.SHA256) {
		return Evidence{}, apperr.New(apperr.Invalid, "err.evidence_empty")
	}
	now := s.now()
	if m.CollectedAt != nil {
		t := m.CollectedAt.UTC().Truncate(time.Microsecond)
		m.CollectedAt = &t
	}
	if err := m.validate(now); err != nil {
		return Evidence{}, err
	}
	e := Evidence{IncidentID: incidentID, SHA256: f.SHA256, Size: f.Size, Filename: f.Filename, ContentType: f.ContentType,
		Description: m.Description, CollectedBy: m.CollectedBy, CollectedAt: m.CollectedAt, CollectedFrom: m.CollectedFrom,
		UploadedBy: actor.UserID, UploaderName: actor.Username, UploadedAt: now}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := checkIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_evidence (org_id, incident_id, sha256, size, filename,
			content_type, description, collected_by, collected_at, collected_from, uploaded_by, uploaded_by_name, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			actor.OrgID, incidentID, e.SHA256, e.Size, e.Filename, e.ContentType, e.Description, e.CollectedBy,
			timeArg(e.CollectedAt), e.CollectedFrom, e.UploadedBy, e.UploaderName, store.Micros(now)).Scan(&e.ID); err != nil {
			return fmt.Errorf("record evidence: %w", err)
		}
		return s.custody(ctx, tx, actor, now, e, "upload", "")
	})
	if err != nil {
		return Evidence{}, apperr.Wrap(err, "add evidence")
	}
	return e, nil
}

// custody appends an entry to e's chain of custody and the same event to
// the audit trail, inside tx.
func (s *Service) custody(ctx context.Context, tx *store.Tx, actor *auth.Actor, now time.Time, e Evidence, action, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_custody (org_id, evidence_id, at, actor_id, actor, action, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, actor.OrgID, e.ID, store.Micros(now), actor.UserID, actor.Username, action, note); err != nil {
		return fmt.Errorf("custody %s of evidence %d: %w", action, e.ID, err)
	}
	after := map[string]any{"incident_id": e.IncidentID, "sha256": e.SHA256, "filename": e.Filename}
	if note != "" {
		after["note"] = note
	}
	return audit.Append(ctx, tx, now, actor.Audit("evidence."+action, "evidence", strconv.FormatInt(e.ID, 10), nil, after))
}

const evidenceCols = `id, incident_id, sha256, size, filename, content_type, description, collected_by, collected_at,
	collected_from, uploaded_by, uploaded_by_name, uploaded_at`

func scanEvidence(row interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	var collected sql.NullInt64
	var uploaded int64
	err := row.Scan(&e.ID, &e.IncidentID, &e.SHA256, &e.Size, &e.Filename, &e.ContentType, &e.Description,
		&e.CollectedBy, &collected, &e.CollectedFrom, &e.UploadedBy, &e.UploaderName, &uploaded)
	e.CollectedAt = nullTime(collected)
	e.UploadedAt = store.FromMicros(uploaded)
	return e, err
}

// List returns the incident's evidence, oldest first. Listing is not an
// access to the content and leaves no custody entry.
func (s *Service) List(ctx context.Context, incidentID int64) ([]Evidence, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return nil, err
	}
	db := s.DB.Read()
	if err := checkIncident(ctx, db, actor.OrgID, incidentID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT `+evidenceCols+` FROM incident_evidence
		WHERE org_id = $1 AND incident_id = $2 ORDER BY id`, actor.OrgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, fmt.Errorf("list evidence: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func getEvidence(ctx context.Context, q store.Querier, orgID, incidentID, id int64) (Evidence, error) {
	e, err := scanEvidence(q.QueryRowContext(ctx, `SELECT `+evidenceCols+` FROM incident_evidence
		WHERE org_id = $1 AND incident_id = $2 AND id = $3`, orgID, incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return Evidence{}, fmt.Errorf("get evidence %d: %w", id, err)
	}
	return e, nil
}

// access looks up the evidence and records action (view or download) in
// its custody chain and the audit trail, before anything is shown.
func (s *Service) access(ctx context.Context, incidentID, id int64, action string) (Evidence, *auth.Actor, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return Evidence{}, nil, err
	}
	var e Evidence
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if e, err = getEvidence(ctx, tx, actor.OrgID, incidentID, id); err != nil {
			return err
		}
		return s.custody(ctx, tx, actor, s.now(), e, action, "")
	})
	return e, actor, apperr.Wrap(err, "evidence "+action)
}

// Get returns the evidence record with its chain of custody, recording the
// view itself first.
func (s *Service) Get(ctx context.Context, incidentID, id int64) (Evidence, []Custody, error) {
	e, actor, err := s.access(ctx, incidentID, id, "view")
	if err != nil {
		return Evidence{}, nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, at, actor_id, actor, action, note FROM incident_custody
		WHERE org_id = $1 AND evidence_id = $2 ORDER BY id`, actor.OrgID, e.ID)
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("read custody: %w", err)
	}
	defer rows.Close()
	var out []Custody
	for rows.Next() {
		var c Custody
		var at int64
		if err := rows.Scan(&c.ID, &at, &c.ActorID, &c.Actor, &c.Action, &c.Note); err != nil {
			return Evidence{}, nil, fmt.Errorf("read custody: %w", err)
		}
		c.At = store.FromMicros(at)
		out = append(out, c)
	}
	return e, out, rows.Err()
}

// Open records the download in the chain of custody and opens the stored
// content for reading; the caller closes it.
func (s *Service) Open(ctx context.Context, dataDir string, incidentID, id int64) (Evidence, *os.File, error) {
	e, _, err := s.access(ctx, incidentID, id, "download")
	if err != nil {
		return Evidence{}, nil, err
	}
	f, err := os.Open(upload.PathOf(dataDir, e.SHA256))
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("open evidence %d: %w", id, err)
	}
	// A stored file of the wrong size has been tampered with or damaged:
	// refuse it rather than hand it on as the evidence. (A full hash check
	// would read a memory dump twice per download.)
	if st, err := f.Stat(); err != nil || st.Size() != e.Size {
		f.Close()
		return Evidence{}, nil, fmt.Errorf("open evidence %d: stored file does not match the recorded size", id)
	}
	return e, f, nil
}

// Record adds a transfer ("handed to 公安 on …") or a note to the chain of
// custody.
func (s *Service) Record(ctx context.Context, incidentID, id int64, action, note string) (Custody, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return Custody{}, err
	}
	note = strings.TrimSpace(note)
	var c apperr.Collector
	if action != "transfer" && action != "note" {
		c.Add("action", "err.evidence_custody_action")
	}
	if note == "" {
		c.Add("note", "err.evidence_note_required")
	} else if utf8.RuneCountInString(note) > 2000 {
		c.Add("note", "err.evidence_too_long", 2000)
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		e, err := getEvidence(ctx, tx, actor.OrgID, incidentID, id)
		if err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		return s.custody(ctx, tx, actor, now, e, action, note)
	})
	if err != nil {
		return Custody{}, apperr.Wrap(err, "record custody")
	}
	return Custody{At: now, ActorID: actor.UserID, Actor: actor.Username, Action: action, Note: note}, nil
}

// Disposition is the Content-Disposition of a download of a file named
// name: always an attachment, with an ASCII fallback name and the real
// name in RFC 5987 form, so no name can break out of the header.
func Disposition(name string) string {
	ascii := make([]rune, 0, len(name))
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// WriteDownload sends content as e's download: an attachment, with the
// stored type only when it is on the safe list, no sniffing and a sandbox,
// so evidence (often hostile: a defaced page, a phishing mail) is never
// rendered or run by the browser. The UI and the API both use it.
func WriteDownload(w http.ResponseWriter, e Evidence, content io.Reader) {
	h := w.Header()
	h.Set("Content-Type", ServeType(e))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Content-Disposition", Disposition(e.Filename))
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, content)
}
