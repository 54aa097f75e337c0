// Package upload stores uploaded files under the data folder by the SHA-256
// of their content (DATA/uploads/sha256/ab/abcdef…), and records which
// organisation uploaded what. Content addressing makes a stored file
// immutable: the same bytes always land at the same path, a file is never
// overwritten, and a step that comes later (an import's confirm) names the
// exact bytes the person previewed.
package upload

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/store"
)

// Stored is a file written by Save.
type Stored struct {
	SHA256 string
	Path   string
	Size   int64
}

// ValidHash reports whether s is a SHA-256 in lower-case hex, the only
// form Save produces. Checked before a hash from a form or URL is used to
// build a path, so nothing else can reach the file system.
func ValidHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// PathOf is where content with hash sum lives under dataDir.
func PathOf(dataDir, sum string) string {
	return filepath.Join(dataDir, "uploads", "sha256", sum[:2], sum)
}

// Save copies r into the store and returns its hash and path. More than
// maxBytes is refused with apperr.TooLarge and leaves nothing behind.
// Content already stored is kept as it is (never overwritten).
func Save(ctx context.Context, dataDir string, r io.Reader, maxBytes int64) (Stored, error) {
	dir := filepath.Join(dataDir, "uploads", "sha256")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Stored{}, fmt.Errorf("save upload: create %s: %w", dir, err)
	}
	// Write to a temporary file in the same folder first, hashing as we
	// go; only complete, accepted content is renamed into place.
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return Stored{}, fmt.Errorf("save upload: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), &ctxReader{ctx: ctx, r: io.LimitReader(r, maxBytes+1)})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || (err == nil && n > maxBytes) {
		return Stored{}, apperr.New(apperr.TooLarge, "err.import_too_large", maxBytes>>20)
	}
	if err != nil {
		return Stored{}, fmt.Errorf("save upload: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	path := PathOf(dataDir, sum)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return Stored{}, fmt.Errorf("save upload: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		return Stored{SHA256: sum, Path: path, Size: n}, nil
	}
	// Link rather than rename: link fails if the name exists, so two
	// concurrent uploads of the same content cannot replace each other's
	// file (rename would silently overwrite).
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return Stored{}, fmt.Errorf("save upload: store %s: %w", sum, err)
	}
	return Stored{SHA256: sum, Path: path, Size: n}, nil
}

// Read returns the stored content with hash sum, checking that the bytes
// still hash to it.
func Read(dataDir, sum string) ([]byte, error) {
	if !ValidHash(sum) {
		return nil, apperr.New(apperr.NotFound, "err.not_found")
	}
	b, err := os.ReadFile(PathOf(dataDir, sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("read upload %s: %w", sum, err)
	}
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("read upload %s: content does not match its hash", sum)
	}
	return b, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Upload is the record of one upload.
type Upload struct {
	ID         int64
	OrgID      int64
	SHA256     string
	Filename   string
	Size       int64
	UploadedBy int64
	CreatedAt  time.Time
}

// Record notes that org uploaded s. The file name is kept for people (it
// is cut to 255 characters and made valid UTF-8); it is never used as a path.
func Record(ctx context.Context, q store.Querier, u Upload) (Upload, error) {
	u.Filename = cleanName(u.Filename)
	err := q.QueryRowContext(ctx, `INSERT INTO uploads (org_id, sha256, filename, size, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		u.OrgID, u.SHA256, u.Filename, u.Size, u.UploadedBy, store.Micros(u.CreatedAt)).Scan(&u.ID)
	if err != nil {
		return Upload{}, fmt.Errorf("record upload %s: %w", u.SHA256, err)
	}
	return u, nil
}

// Find returns org's latest upload of content sum, or a not-found error
// when org never uploaded it (whoever else did).
func Find(ctx context.Context, q store.Querier, orgID int64, sum string) (Upload, error) {
	if !ValidHash(sum) {
		return Upload{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	var u Upload
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, org_id, sha256, filename, size, uploaded_by, created_at FROM uploads
		WHERE org_id = $1 AND sha256 = $2 ORDER BY id DESC LIMIT 1`, orgID, sum).
		Scan(&u.ID, &u.OrgID, &u.SHA256, &u.Filename, &u.Size, &u.UploadedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return Upload{}, fmt.Errorf("find upload %s: %w", sum, err)
	}
	u.CreatedAt = store.FromMicros(created)
	return u, nil
}

func cleanName(s string) string {
	// Browsers on Windows may send a full path: keep the last part only.
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces invalid bytes with U+FFFD
	}
	if r := []rune(s); len(r) > 255 {
		s = string(r[:255])
	}
	return s
}
