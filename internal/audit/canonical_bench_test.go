package audit

import "testing"

func BenchmarkCanonical(b *testing.B) {
	entries := make([]Entry, 100)
	for i := range entries {
		entries[i] = trailEntry(i)
	}
	hs := newHasher()
	b.Run("appendCanonical", func(b *testing.B) {
		var buf []byte
		for i := 0; b.Loop(); i++ {
			buf = entries[i%len(entries)].appendCanonical(buf[:0])
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			marshalCanonical(&entries[i%len(entries)])
		}
	})
	b.Run("hash", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			hs.hash(&entries[i%len(entries)])
		}
	})
}
