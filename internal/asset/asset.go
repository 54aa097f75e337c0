// Package asset is the asset register (资产台账): the organisation's network
// devices, servers, applications, security devices, terminals, storage and
// data, each with its owner, place and C/I/A ratings, valued per GB/T 20984.
// Risk, vulnerability, incident and MLPS records point at assets.
package asset

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// Type is an asset class from the seed's 资产分类.
type Type string

const (
	TypeNetwork     Type = "network_device"  // 网络设备: router, switch, ...
	TypeServer      Type = "server"          // 服务器
	TypeApplication Type = "application"     // 应用系统: database, web, mail, DNS, ...
	TypeSecurity    Type = "security_device" // 安全设备: VPN gateway, firewall, ...
	TypeTerminal    Type = "terminal"        // 终端
	TypeStorage     Type = "storage"         // 存储设备
	TypeData        Type = "data"            // 数据
	TypeOther       Type = "other"           // 其他
)

// Types lists the asset types in display order.
var Types = []Type{TypeNetwork, TypeServer, TypeApplication, TypeSecurity, TypeTerminal, TypeStorage, TypeData, TypeOther}

// Subtypes suggests sub-types per type (free text is allowed too).
var Subtypes = map[Type][]string{
	TypeNetwork:     {"router", "switch", "wireless_ap", "load_balancer"},
	TypeApplication: {"database", "web", "mail", "dns", "middleware"},
	TypeSecurity:    {"firewall", "vpn_gateway", "ids_ips", "waf", "antivirus", "audit"},
	TypeServer:      {"physical", "virtual", "minicomputer"},
	TypeTerminal:    {"desktop", "laptop", "mobile"},
	TypeStorage:     {"san", "nas", "tape"},
}

// Status is where an asset is in its life.
type Status string

const (
	StatusPlanned     Status = "planned"     // 规划中
	StatusInUse       Status = "in_use"      // 在用
	StatusIdle        Status = "idle"        // 闲置
	StatusMaintenance Status = "maintenance" // 维修
	StatusRetired     Status = "retired"     // 已报废
)

// Statuses lists the statuses in display order.
var Statuses = []Status{StatusPlanned, StatusInUse, StatusIdle, StatusMaintenance, StatusRetired}

// Asset is one entry of the register.
type Asset struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	Number         string    `json:"number"`
	Name           string    `json:"name"`
	Type           Type      `json:"type"`
	Subtype        string    `json:"subtype"`
	Owner          string    `json:"owner"`
	Department     string    `json:"department"`
	Location       string    `json:"location"`
	IPs            []string  `json:"ips"`
	Hostnames      []string  `json:"hostnames"`
	OS             string    `json:"os"`
	VendorModel    string    `json:"vendor_model"`
	BusinessSystem string    `json:"business_system"`
	Status         Status    `json:"status"`
	Tags           []string  `json:"tags"`
	Notes          string    `json:"notes"`
	C              int       `json:"confidentiality"`
	I              int       `json:"integrity"`
	A              int       `json:"availability"`
	Value          int       `json:"value"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

var (
	numberRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_-]{0,62})?(\.[A-Za-z0-9]([A-Za-z0-9_-]{0,62})?)*\.?$`)
)

// Normalize trims fields and cleans lists; call before Validate.
func (a *Asset) Normalize() {
	for _, s := range []*string{&a.Number, &a.Name, &a.Subtype, &a.Owner, &a.Department, &a.Location, &a.OS,
		&a.VendorModel, &a.BusinessSystem, &a.Notes} {
		*s = strings.TrimSpace(*s)
	}
	a.Number = strings.ToUpper(a.Number)
	a.IPs = cleanList(a.IPs)
	a.Hostnames = cleanList(a.Hostnames)
	for i, h := range a.Hostnames {
		a.Hostnames[i] = strings.ToLower(h)
	}
	a.Tags = cleanList(a.Tags)
	if a.Status == "" {
		a.Status = StatusInUse
	}
	for i, ip := range a.IPs {
		if addr, err := netip.ParseAddr(ip); err == nil {
			a.IPs[i] = addr.String()
		}
	}
}

// cleanList trims items, drops empty ones and duplicates, keeping order.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// SplitList splits a cell or form field of several values ("a, b; c").
func SplitList(s string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '，' || r == '；' || r == '、' || r == '\n' || r == ' ' || r == '\t'
	}))
}

// Validate returns every problem at once, keyed by field.
func (a *Asset) Validate() error {
	var c apperr.Collector
	if a.Number != "" && !numberRE.MatchString(a.Number) {
		c.Add("number", "err.asset_number_format")
	}
	switch n := utf8.RuneCountInString(a.Name); {
	case n == 0:
		c.Add("name", "err.required")
	case n > 200:
		c.Add("name", "err.too_long", 200)
	}
	if !slices.Contains(Types, a.Type) {
		c.Add("type", "err.invalid_choice")
	}
	if !slices.Contains(Statuses, a.Status) {
		c.Add("status", "err.invalid_choice")
	}
	for field, s := range map[string]string{"subtype": a.Subtype, "owner": a.Owner, "department": a.Department,
		"location": a.Location, "os": a.OS, "vendor_model": a.VendorModel, "business_system": a.BusinessSystem} {
		if utf8.RuneCountInString(s) > 200 {
			c.Add(field, "err.too_long", 200)
		}
	}
	if utf8.RuneCountInString(a.Notes) > 5000 {
		c.Add("notes", "err.too_long", 5000)
	}
	for _, ip := range a.IPs {
		if _, err := netip.ParseAddr(ip); err != nil {
			if _, perr := netip.ParsePrefix(ip); perr != nil {
				c.Add("ips", "err.bad_ip", ip)
				break
			}
		}
	}
	if len(a.IPs) > 64 {
		c.Add("ips", "err.too_many", 64)
	}
	for _, h := range a.Hostnames {
		if len(h) > 253 || !hostnameRE.MatchString(h) {
			c.Add("hostnames", "err.bad_hostname", h)
			break
		}
	}
	if len(a.Tags) > 20 {
		c.Add("tags", "err.too_many", 20)
	}
	for _, t := range a.Tags {
		if utf8.RuneCountInString(t) > 50 {
			c.Add("tags", "err.too_long", 50)
			break
		}
	}
	for field, v := range map[string]int{"confidentiality": a.C, "integrity": a.I, "availability": a.A} {
		if v < 1 || v > 5 {
			c.Add(field, "err.rating_1_5")
		}
	}
	sortFields(c.List())
	return c.Err()
}

// sortFields orders field errors by the form's field order, so messages come
// out the same every time (the map iteration above is random).
func sortFields(list []apperr.FieldError) {
	order := []string{"number", "name", "type", "subtype", "owner", "department", "location", "ips", "hostnames",
		"os", "vendor_model", "business_system", "status", "tags", "notes", "confidentiality", "integrity", "availability"}
	slices.SortStableFunc(list, func(x, y apperr.FieldError) int {
		return slices.Index(order, x.Field) - slices.Index(order, y.Field)
	})
}
