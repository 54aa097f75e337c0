package evidence

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseIOC(t *testing.T) {
	cases := []struct {
		typ   IOCType
		in    string
		want  string // normal form; "" = refused
		fault string // expected key when refused
	}{
		{IOCIP, "192.0.2.10", "192.0.2.10", ""},
		{IOCIP, " 192.0.2.10 ", "192.0.2.10", ""},
		{IOCIP, "::ffff:192.0.2.10", "192.0.2.10", ""},
		{IOCIP, "2001:DB8:0:0::1", "2001:db8::1", ""},
		{IOCIP, "10.1.2.3/8", "10.0.0.0/8", ""},
		{IOCIP, "2001:db8::1/32", "2001:db8::/32", ""},
		{IOCIP, "::ffff:10.0.0.0/104", "10.0.0.0/8", ""},
		{IOCIP, "192.0.2.256", "", "err.evidence_ioc_invalid"},
		{IOCIP, "192.0.2.1/33", "", "err.evidence_ioc_invalid"},
		{IOCIP, "fe80::1%eth0", "", "err.evidence_ioc_invalid"},
		{IOCIP, "example.com", "", "err.evidence_ioc_invalid"},
		{IOCIP, "", "", "err.evidence_ioc_required"},
		{IOCDomain, "Evil.Example.COM", "evil.example.com", ""},
		{IOCDomain, "evil.example.com.", "evil.example.com", ""},
		{IOCDomain, "例子.中国", "xn--fsqu00a.xn--fiqs8s", ""},
		{IOCDomain, "exa mple.com", "", "err.evidence_ioc_invalid"},
		{IOCDomain, "-bad.example.com", "", "err.evidence_ioc_invalid"},
		{IOCDomain, "localhost", "", "err.evidence_ioc_invalid"},
		{IOCDomain, "a_b.example.com", "", "err.evidence_ioc_invalid"},
		{IOCDomain, strings.Repeat("a", 64) + ".com", "", "err.evidence_ioc_invalid"},
		{IOCURL, "HTTP://Evil.Example.com/Path?q=1", "http://evil.example.com/Path?q=1", ""},
		{IOCURL, "https://192.0.2.1:8443/x", "https://192.0.2.1:8443/x", ""},
		{IOCURL, "ftp://files.example.org/a.bin", "ftp://files.example.org/a.bin", ""},
		{IOCURL, "https://[2001:DB8::1]/", "https://[2001:db8::1]/", ""},
		{IOCURL, "javascript:alert(1)", "", "err.evidence_ioc_url_scheme"},
		{IOCURL, "file:///etc/passwd", "", "err.evidence_ioc_url_scheme"},
		{IOCURL, "evil.example.com/x", "", "err.evidence_ioc_url_scheme"},
		{IOCURL, "http:///nohost", "", "err.evidence_ioc_invalid"},
		{IOCHash, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e", ""},
		{IOCHash, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "da39a3ee5e6b4b0d3255bfef95601890afd80709", ""},
		{IOCHash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""},
		{IOCHash, "d41d8cd98f00b204e9800998ecf8427", "", "err.evidence_ioc_invalid"},
		{IOCHash, "g41d8cd98f00b204e9800998ecf8427e", "", "err.evidence_ioc_invalid"},
		{IOCEmail, "Attacker@Evil.Example.COM", "Attacker@evil.example.com", ""},
		{IOCEmail, "a@例子.中国", "a@xn--fsqu00a.xn--fiqs8s", ""},
		{IOCEmail, "Bob <bob@example.com>", "", "err.evidence_ioc_invalid"},
		{IOCEmail, "not-an-address", "", "err.evidence_ioc_invalid"},
		{IOCEmail, "a@localhost", "", "err.evidence_ioc_invalid"},
		{IOCAccount, `CORP\svc_backup`, `CORP\svc_backup`, ""},
		{IOCAccount, "root", "root", ""},
		{IOCAccount, "bad\x00name", "", "err.evidence_ioc_invalid"},
		{IOCType("cve"), "CVE-2021-44228", "", "err.evidence_ioc_type"},
	}
	for _, c := range cases {
		got, fault := ParseIOC(c.typ, c.in)
		if got != c.want || fault != c.fault {
			t.Errorf("ParseIOC(%s, %q) = %q, %q; want %q, %q", c.typ, c.in, got, fault, c.want, c.fault)
		}
	}
}

func TestHashKind(t *testing.T) {
	for in, want := range map[string]string{
		strings.Repeat("a", 32): "md5", strings.Repeat("b", 40): "sha1", strings.Repeat("c", 64): "sha256",
		strings.Repeat("a", 33): "", strings.Repeat("A", 32): "", "": "",
	} {
		if got := HashKind(in); got != want {
			t.Errorf("HashKind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTechniques(t *testing.T) {
	cases := []struct {
		in   string
		want string
		bad  string
	}{
		{"T1190", "T1190", ""},
		{"t1059.001, T1190 T1190", "T1059.001 T1190", ""},
		{"T1059.001，T1486", "T1059.001 T1486", ""},
		{"T9999", "T9999", ""}, // well-formed IDs outside the shipped list are accepted
		{"", "", ""},
		{"T119", "", "T119"},
		{"T1059.01", "", "T1059.01"},
		{"TA0001", "", "TA0001"},
		{"T1190 XSS", "", "XSS"},
	}
	for _, c := range cases {
		got, bad := ParseTechniques(c.in)
		if strings.Join(got, " ") != c.want || bad != c.bad {
			t.Errorf("ParseTechniques(%q) = %v, %q; want %q, %q", c.in, got, bad, c.want, c.bad)
		}
	}
	for _, tq := range Techniques {
		if ids, bad := ParseTechniques(tq.ID); bad != "" || len(ids) != 1 || tq.NameZH == "" || tq.NameEN == "" {
			t.Errorf("shipped technique %+v is malformed", tq)
		}
	}
	if TechniqueName("T1190", "en") != "Exploit Public-Facing Application" || TechniqueName("T1190", "zh-CN") == "" {
		t.Error("TechniqueName does not find T1190")
	}
}

// FuzzParseIOC checks that every accepted value is already normal: parsing
// the normal form again gives it back unchanged, so a search for what was
// stored always finds it.
func FuzzParseIOC(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzParseIOC/*")
	if len(seeds) == 0 {
		f.Fatal("no seed corpus in testdata/fuzz/FuzzParseIOC")
	}
	f.Add("ip", "10.0.0.1/8")
	f.Fuzz(func(t *testing.T, typ, value string) {
		norm, fault := ParseIOC(IOCType(typ), value)
		if fault != "" {
			if norm != "" {
				t.Fatalf("refused %q but returned %q", value, norm)
			}
			return
		}
		again, fault := ParseIOC(IOCType(typ), norm)
		if fault != "" || again != norm {
			t.Fatalf("%s %q: normal form %q parses as %q, %q", typ, value, norm, again, fault)
		}
	})
}
