package upload_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/upload"
)

func TestSaveIsContentAddressed(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	data := []byte("资产名称\n核心交换机\n")
	want := sha256.Sum256(data)
	st, err := upload.Save(ctx, dir, bytes.NewReader(data), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if st.SHA256 != hex.EncodeToString(want[:]) || st.Size != int64(len(data)) ||
		st.Path != filepath.Join(dir, "uploads", "sha256", st.SHA256[:2], st.SHA256) {
		t.Fatalf("stored %+v", st)
	}
	// The stored file is never overwritten: even if someone changed it on
	// disk, saving the same content again leaves it be, and reading it
	// notices the bytes no longer match their name.
	if err := os.WriteFile(st.Path, []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := upload.Save(ctx, dir, bytes.NewReader(data), 1024)
	if err != nil || again.Path != st.Path {
		t.Fatalf("second save: %+v %v", again, err)
	}
	if b, _ := os.ReadFile(st.Path); string(b) != "tampered" {
		t.Error("existing file was overwritten")
	}
	if _, err := upload.Read(dir, st.SHA256); err == nil || apperr.Is(err, apperr.NotFound) {
		t.Errorf("read of a tampered file: %v, want an integrity error", err)
	}
	// Over the limit: refused, and nothing left behind.
	_, err = upload.Save(ctx, dir, strings.NewReader(strings.Repeat("x", 1025)), 1024)
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("too large: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "uploads", "sha256"))
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// Exactly at the limit is fine.
	if _, err := upload.Save(ctx, dir, strings.NewReader(strings.Repeat("y", 1024)), 1024); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestReadChecksTheHash(t *testing.T) {
	dir := t.TempDir()
	for _, sum := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("0", 63), strings.Repeat("g", 64)} {
		if upload.ValidHash(sum) {
			t.Errorf("ValidHash(%q)", sum)
		}
		if _, err := upload.Read(dir, sum); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Read(%q): %v", sum, err)
		}
	}
	if _, err := upload.Read(dir, strings.Repeat("0", 64)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("read of a missing file: %v", err)
	}
	st, _ := upload.Save(context.Background(), dir, strings.NewReader("abc"), 10)
	if b, err := upload.Read(dir, st.SHA256); err != nil || string(b) != "abc" {
		t.Errorf("read back %q %v", b, err)
	}
}

func TestRecordsAreScopedToTheOrganisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var orgA, orgB int64
		for _, p := range []struct {
			name string
			id   *int64
		}{{"A", &orgA}, {"B", &orgB}} {
			if err := db.Write().QueryRowContext(ctx, `INSERT INTO organizations (name, created_at) VALUES ($1, 1) RETURNING id`, p.name).Scan(p.id); err != nil {
				t.Fatal(err)
			}
		}
		sum := strings.Repeat("ab", 32)
		u, err := upload.Record(ctx, db.Write(), upload.Upload{OrgID: orgA, SHA256: sum, Filename: `C:\Users\张三\资产表.xlsx`,
			Size: 10, UploadedBy: 7, CreatedAt: time.Unix(1700000000, 0)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := upload.Find(ctx, db.Read(), orgA, sum)
		if err != nil || got.ID != u.ID || got.Filename != "资产表.xlsx" || got.UploadedBy != 7 || got.Size != 10 {
			t.Fatalf("find: %+v %v", got, err)
		}
		if _, err := upload.Find(ctx, db.Read(), orgB, sum); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other organisation found the upload: %v", err)
		}
		if _, err := upload.Find(ctx, db.Read(), orgA, "'; DROP TABLE uploads; --"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("bad hash: %v", err)
		}
	})
}
