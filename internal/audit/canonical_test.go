package audit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"bulwark/internal/store"
)

// marshalCanonical is how the first records were hashed; appendCanonical
// must write the same bytes for every record.
func marshalCanonical(e *Entry) []byte {
	b, err := json.Marshal([]any{e.Seq, e.OrgID, store.Micros(e.At), e.ActorID, e.Actor, e.Action,
		e.ObjectType, e.ObjectID, e.Before, e.After, e.IP})
	if err != nil {
		panic(err)
	}
	return b
}

var canonicalSamples = []string{
	"", "plain", "核心交换机", `{"name":"核心交换机","tags":["等保三级"]}`, `quote " backslash \ slash /`,
	"<script>&amp;</script>", "\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "line\u2028para\u2029end", "\u2027\u202a",
	"bad \xff\xfe utf8 \xe6\xa0", "\xed\xa0\x80 surrogate", "emoji 😀 and 中文", "\xc0\xaf overlong",
}

func TestCanonicalMatchesJSON(t *testing.T) {
	check := func(e Entry) {
		t.Helper()
		if got, want := e.appendCanonical(nil), marshalCanonical(&e); !bytes.Equal(got, want) {
			t.Fatalf("entry %+v:\ngot  %s\nwant %s", e, got, want)
		}
	}
	for _, s := range canonicalSamples {
		check(Entry{Seq: 1, OrgID: 2, At: time.UnixMicro(1700000000123456), ActorID: 3, Actor: s, Action: s,
			ObjectType: s, ObjectID: s, Before: s, After: s, IP: s})
	}
	check(Entry{Seq: -9, OrgID: 1 << 62, ActorID: -1 << 63})
	for i := range 2000 {
		check(trailEntry(i))
	}
	// Random bytes, biased to the interesting ones.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09 \"\\<>&/\x00\x1f\x7f\n\t\xe2\x80\xa8\xa9\xe4\xb8\xad\xff\xc3\xa9\xf0\x9f\x98\x80")
	for range 20000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(Entry{Actor: string(b), After: string(b) + "x"})
	}
}

// trailEntry is the i-th trail record as Append stores it.
func trailEntry(i int) Entry {
	tr := trailRecord(i)
	before, _ := marshalOptional(tr.rec.Before)
	after, _ := marshalOptional(tr.rec.After)
	return Entry{Seq: int64(i + 1), OrgID: tr.rec.OrgID, At: tr.at.Truncate(time.Microsecond), ActorID: tr.rec.ActorID,
		Actor: tr.rec.Actor, Action: tr.rec.Action, ObjectType: tr.rec.ObjectType, ObjectID: tr.rec.ObjectID,
		Before: before, After: after, IP: tr.rec.IP, PrevHash: "ab"}
}

func FuzzCanonicalMatchesJSON(f *testing.F) {
	for _, s := range canonicalSamples {
		f.Add(int64(1), s, s)
	}
	f.Fuzz(func(t *testing.T, n int64, a, b string) {
		e := Entry{Seq: n, OrgID: -n, At: time.UnixMicro(n), Actor: a, Action: b, ObjectType: a + b, Before: b, After: a, IP: b + a}
		if got, want := e.appendCanonical(nil), marshalCanonical(&e); !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		hs := newHasher()
		if got := string(hs.hash(&e)); got != e.computeHash() {
			t.Fatalf("hasher %s, computeHash %s", got, e.computeHash())
		}
	})
}
