package evidence

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
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
