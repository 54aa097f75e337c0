package notify

import (
	"net/mail"
	"net/url"
	"strings"
	"time"

	"bulwark/internal/apperr"
)

// ChannelKind is how a channel delivers.
type ChannelKind string

const (
	KindEmail    ChannelKind = "email"
	KindWebhook  ChannelKind = "webhook"
	KindDingTalk ChannelKind = "dingtalk"
	KindWeCom    ChannelKind = "wecom"
	KindFeishu   ChannelKind = "feishu"
)

// ChannelKinds in display order.
var ChannelKinds = []ChannelKind{KindEmail, KindWebhook, KindDingTalk, KindWeCom, KindFeishu}

// Settings are a channel's delivery settings; which fields matter depends on
// the kind. Password and Secret are write-only: Public blanks them.
type Settings struct {
	// email
	Host     string   `json:"host,omitempty"`
	Port     int      `json:"port,omitempty"`
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from,omitempty"`
	To       []string `json:"to,omitempty"`
	StartTLS bool     `json:"starttls,omitempty"` // required: refuse to send without it
	// ToRoles also addresses the members of the organisation who hold one
	// of the event's roles (Event.Roles) and have an email address.
	ToRoles bool `json:"to_roles,omitempty"`
	// webhook and robots
	URL    string `json:"url,omitempty"`
	Secret string `json:"secret,omitempty"` // webhook HMAC key, DingTalk/Feishu signing secret
	// Lang is the language of the messages: zh-CN (default) or en.
	Lang string `json:"lang,omitempty"`
}

// Channel is one destination of an organisation.
type Channel struct {
	ID        int64       `json:"id"`
	OrgID     int64       `json:"-"`
	Kind      ChannelKind `json:"kind"`
	Name      string      `json:"name"`
	Enabled   bool        `json:"enabled"`
	Settings  Settings    `json:"settings"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	// Set on the public view instead of the secrets themselves.
	PasswordSet bool `json:"password_set"`
	SecretSet   bool `json:"secret_set"`
}

// Public is the channel as shown to people and written to the audit trail:
// secrets are replaced by whether they are set, and a URL's query (robot
// access tokens live there) is masked.
func (c Channel) Public() Channel {
	c.PasswordSet = c.Settings.Password != ""
	c.SecretSet = c.Settings.Secret != ""
	c.Settings.Password = ""
	c.Settings.Secret = ""
	c.Settings.URL = MaskURL(c.Settings.URL)
	c.Settings.To = append([]string(nil), c.Settings.To...)
	return c
}

// MaskURL hides a URL's query values and the tail of its path, which carry
// robot access tokens (DingTalk access_token=..., WeCom key=..., Feishu
// hook/<token>), keeping enough to recognise the endpoint.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if raw == "" {
			return ""
		}
		return "***"
	}
	u.User = nil
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			q.Set(k, "***")
		}
		u.RawQuery = strings.ReplaceAll(q.Encode(), "%2A", "*")
	}
	if i := strings.LastIndex(u.Path, "/"); i >= 0 && len(u.Path)-i > 9 {
		tail := u.Path[i+1:]
		u.Path = u.Path[:i+1] + tail[:4] + "***"
	}
	return u.String()
}

// normalize trims the fields and applies defaults.
func (c *Channel) normalize() {
	c.Name = strings.TrimSpace(c.Name)
	s := &c.Settings
	s.Host = strings.TrimSpace(s.Host)
	s.Username = strings.TrimSpace(s.Username)
	s.From = strings.TrimSpace(s.From)
	s.URL = strings.TrimSpace(s.URL)
	var to []string
	for _, t := range s.To {
		if t = strings.TrimSpace(t); t != "" {
			to = append(to, t)
		}
	}
	s.To = to
	if c.Kind == KindEmail && s.Port == 0 {
		s.Port = 587
	}
	if s.Lang == "" {
		s.Lang = "zh-CN"
	}
	if c.Kind != KindEmail {
		s.Host, s.Port, s.Username, s.Password, s.From, s.To, s.StartTLS, s.ToRoles = "", 0, "", "", "", nil, false, false
	} else {
		s.URL, s.Secret = "", ""
	}
	if c.Kind == KindWeCom {
		s.Secret = "" // WeCom robots have no signing
	}
}

// validate checks a normalised channel.
func (c *Channel) validate() error {
	var errs apperr.Collector
	if c.Name == "" {
		errs.Add("name", "err.required")
	} else if len([]rune(c.Name)) > 100 {
		errs.Add("name", "err.too_long", 100)
	}
	s := c.Settings
	if s.Lang != "zh-CN" && s.Lang != "en" {
		errs.Add("lang", "err.notify_lang")
	}
	switch c.Kind {
	case KindEmail:
		if s.Host == "" {
			errs.Add("host", "err.required")
		} else if strings.ContainsAny(s.Host, " /:") {
			errs.Add("host", "err.notify_host")
		}
		if s.Port < 1 || s.Port > 65535 {
			errs.Add("port", "err.notify_port")
		}
		if a, err := mail.ParseAddress(s.From); s.From == "" {
			errs.Add("from", "err.required")
		} else if err != nil || a.Address == "" {
			errs.Add("from", "err.notify_address", s.From)
		}
		if len(s.To) == 0 && !s.ToRoles {
			errs.Add("to", "err.required")
		}
		for _, t := range s.To {
			if _, err := mail.ParseAddress(t); err != nil {
				errs.Add("to", "err.notify_address", t)
				break
			}
		}
	case KindWebhook, KindDingTalk, KindWeCom, KindFeishu:
		if s.URL == "" {
			errs.Add("url", "err.required")
		} else if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs.Add("url", "err.notify_url")
		}
	default:
		errs.Add("kind", "err.notify_kind")
	}
	return errs.Err()
}
