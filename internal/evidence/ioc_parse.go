package evidence

import (
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// IOCType is the kind of an indicator of compromise.
type IOCType string

const (
	IOCIP      IOCType = "ip"
	IOCDomain  IOCType = "domain"
	IOCURL     IOCType = "url"
	IOCHash    IOCType = "hash"
	IOCEmail   IOCType = "email"
	IOCAccount IOCType = "account"
)

// IOCTypes in display order.
var IOCTypes = []IOCType{IOCIP, IOCDomain, IOCURL, IOCHash, IOCEmail, IOCAccount}

// domainProfile checks host names as registries do (IDNA 2008, with the
// length and hyphen rules), so a value like "exa mple.com" or "-a.com" is
// refused while "例子.中国" is accepted and stored as its A-label form.
var domainProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.VerifyDNSLength(true), idna.StrictDomainName(true))

// ParseIOC checks value as an indicator of type t and returns its normal
// form: canonical IPs and prefixes (masked), lower-case ASCII domains,
// lower-case hashes, URLs with a lower-case scheme and host, e-mail
// addresses with a lower-case domain. The second result is the catalogue
// key of the problem when value is not valid, with the hash's kind (md5,
// sha1, sha256) reported through HashKind.
func ParseIOC(t IOCType, value string) (string, string) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", "err.evidence_ioc_required"
	}
	if len(v) > 2048 || !utf8.ValidString(v) {
		return "", "err.evidence_ioc_invalid"
	}
	switch t {
	case IOCIP:
		return parseIP(v)
	case IOCDomain:
		d, ok := normDomain(v)
		if !ok {
			return "", "err.evidence_ioc_invalid"
		}
		return d, ""
	case IOCURL:
		return parseURL(v)
	case IOCHash:
		h := strings.ToLower(v)
		if HashKind(h) == "" {
			return "", "err.evidence_ioc_invalid"
		}
		return h, ""
	case IOCEmail:
		return parseEmail(v)
	case IOCAccount:
		// An account name is whatever the system that holds it uses
		// (AD, a web application, a database), so only control
		// characters are refused; case is kept, as many systems keep it.
		for _, r := range v {
			if r < 0x20 || r == 0x7f {
				return "", "err.evidence_ioc_invalid"
			}
		}
		if utf8.RuneCountInString(v) > 256 {
			return "", "err.evidence_ioc_invalid"
		}
		return v, ""
	}
	return "", "err.evidence_ioc_type"
}

func parseIP(v string) (string, string) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return "", "err.evidence_ioc_invalid"
		}
		p = p.Masked()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96).Masked()
		}
		if p.Bits() < 0 {
			return "", "err.evidence_ioc_invalid"
		}
		return p.String(), ""
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return "", "err.evidence_ioc_invalid"
	}
	return a.Unmap().String(), ""
}

func normDomain(v string) (string, bool) {
	v = strings.TrimSuffix(v, ".")
	a, err := domainProfile.ToASCII(v)
	if err != nil || a == "" || !strings.Contains(a, ".") {
		return "", false
	}
	return strings.ToLower(a), true
}

func parseURL(v string) (string, string) {
	u, err := url.Parse(v)
	if err != nil {
		return "", "err.evidence_ioc_invalid"
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https", "ftp":
	default:
		return "", "err.evidence_ioc_url_scheme"
	}
	host := u.Hostname()
	if host == "" {
		return "", "err.evidence_ioc_invalid"
	}
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
		if a.Is6() && !a.Is4In6() {
			host = "[" + host + "]"
		}
	} else if d, ok := normDomain(host); ok {
		host = d
	} else {
		return "", "err.evidence_ioc_invalid"
	}
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	u.Host = host
	return u.String(), ""
}

func parseEmail(v string) (string, string) {
	a, err := mail.ParseAddress(v)
	// Only a bare address is an indicator; "Name <a@b>" is refused so the
	// stored value is exactly what a search would look for.
	if err != nil || a.Name != "" || a.Address != v {
		return "", "err.evidence_ioc_invalid"
	}
	at := strings.LastIndexByte(v, '@')
	d, ok := normDomain(v[at+1:])
	if !ok {
		return "", "err.evidence_ioc_invalid"
	}
	return v[:at+1] + d, ""
}

// HashKind names a file hash by its length (md5, sha1, sha256), or
// returns "" when h is not lower-case hex of one of those lengths.
func HashKind(h string) string {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ""
		}
	}
	switch len(h) {
	case 32:
		return "md5"
	case 40:
		return "sha1"
	case 64:
		return "sha256"
	}
	return ""
}
