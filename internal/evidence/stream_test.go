package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"runtime"
	"testing"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// pattern is an endless, cheap, non-constant stream (a stand-in for a
// memory dump) that never holds more than one buffer.
type pattern struct{ n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.n * 31 >> 3)
		p.n++
	}
	return len(b), nil
}

// A 64 MiB evidence file is streamed to disk: the heap grows by far less
// than the file, and the recorded hash is the content's.
func TestEvidenceStreamsLargeFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB")
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		const size = 64 << 20
		h := sha256.New()
		if _, err := io.Copy(h, io.LimitReader(&pattern{}, size)); err != nil {
			t.Fatal(err)
		}
		want := hex.EncodeToString(h.Sum(nil))
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f, err := w.e.App.Evidence.Save(w.resp, w.inc, w.e.Cfg.Data, size, "mem.raw", io.LimitReader(&pattern{}, size))
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if f.SHA256 != want || f.Size != size || f.ContentType != "application/octet-stream" {
			t.Fatalf("saved %+v, want hash %s", f, want)
		}
		grew := after.TotalAlloc - before.TotalAlloc
		t.Logf("64 MiB upload allocated %d KiB", grew>>10)
		if grew > 4<<20 {
			t.Errorf("saving 64 MiB allocated %d bytes: not streamed", grew)
		}
	})
}
