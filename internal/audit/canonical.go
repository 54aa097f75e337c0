package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"bulwark/internal/store"
)

// The canonical form a record's hash covers is the JSON array
//
//	[seq, org_id, at (Unix µs), actor_id, actor, action, object_type,
//	 object_id, before, after, ip]
//
// byte for byte as encoding/json's Marshal writes it (the first records were
// hashed that way). appendCanonical writes it directly: Verify hashes every
// record of the trail, and Marshal's reflection over an []any took half of
// Verify's time. Writing the bytes here also pins the format: a change in
// how some later encoding/json escapes a string would otherwise break every
// stored hash. TestCanonicalMatchesJSON and FuzzCanonicalMatchesJSON check
// the two agree.

func (e *Entry) appendCanonical(dst []byte) []byte {
	dst = append(dst, '[')
	for _, n := range [...]int64{e.Seq, e.OrgID, store.Micros(e.At), e.ActorID} {
		dst = strconv.AppendInt(dst, n, 10)
		dst = append(dst, ',')
	}
	for i, s := range [...]string{e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Before, e.After, e.IP} {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// jsonSafe marks the bytes of valid UTF-8 that encoding/json writes as they
// are (with HTML escaping on, as Marshal has it): everything but control
// characters, " and \, and < > &. Bytes of multi-byte characters are safe
// here; appendJSONString decodes them only when the string needs it.
var jsonSafe = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as encoding/json does: control characters as
// \b \f \n \r \t or \u00XX, " and \ escaped, < > & as \u003c \u003e \u0026,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 as \u2028 and \u2029.
//
// Stored JSON is full of quotes to escape, so the output is written into
// room made once (an escape is at most 6 bytes) rather than appended piece
// by piece; valid UTF-8 without U+2028/U+2029 (nearly every record) is
// scanned byte by byte without decoding runes.
func appendJSONString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029") {
		return appendJSONStringSlow(dst, s)
	}
	n := len(dst)
	dst = slices.Grow(dst, 2+6*len(s))
	d := dst[:cap(dst)]
	d[n] = '"'
	n++
	for i := 0; i < len(s); {
		start := i
		for i < len(s) && jsonSafe[s[i]] {
			i++
		}
		n += copy(d[n:], s[start:i])
		if i == len(s) {
			break
		}
		b := s[i]
		i++
		switch b {
		case '\\', '"':
			d[n], d[n+1] = '\\', b
			n += 2
		case '\b':
			d[n], d[n+1] = '\\', 'b'
			n += 2
		case '\f':
			d[n], d[n+1] = '\\', 'f'
			n += 2
		case '\n':
			d[n], d[n+1] = '\\', 'n'
			n += 2
		case '\r':
			d[n], d[n+1] = '\\', 'r'
			n += 2
		case '\t':
			d[n], d[n+1] = '\\', 't'
			n += 2
		default:
			d[n], d[n+1], d[n+2], d[n+3], d[n+4], d[n+5] = '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF]
			n += 6
		}
	}
	d[n] = '"'
	return d[:n+1]
}

// appendJSONStringSlow is encoding/json's own loop, for strings with
// invalid UTF-8 or U+2028/U+2029.
func appendJSONStringSlow(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// hasher computes record hashes with buffers it keeps, for Verify.
type hasher struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

func newHasher() *hasher { return &hasher{h: sha256.New()} }

// hash returns e's hash in hex, valid until the next call.
func (hs *hasher) hash(e *Entry) []byte {
	hs.h.Reset()
	hs.buf = append(hs.buf[:0], e.PrevHash...)
	hs.buf = append(hs.buf, '\n')
	hs.buf = e.appendCanonical(hs.buf)
	hs.h.Write(hs.buf)
	hex.Encode(hs.hex[:], hs.h.Sum(hs.sum[:0]))
	return hs.hex[:]
}
