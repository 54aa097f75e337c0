package notify

import (
	"strings"

	"bulwark/internal/i18n"
)

// Message is a delivery rendered for one channel's language.
type Message struct {
	Delivery Delivery
	Kind     string // the event kind's label
	Subject  string // email subject, robot title
	Text     string // plain text: title, body, link
	Markdown string // for DingTalk and WeCom
	Link     string // absolute
}

// render writes d in lang, making its link absolute with baseURL.
func render(d Delivery, lang, baseURL string) Message {
	if !i18n.Valid(lang) {
		lang = "zh-CN"
	}
	m := Message{Delivery: d, Kind: i18n.T(lang, KindKey(d.EventKind)), Link: absolute(baseURL, d.Link)}
	m.Subject = i18n.T(lang, "notify.msg.subject", m.Kind, d.Title)
	var t, md strings.Builder
	t.WriteString(d.Title + "\n\n")
	md.WriteString("### " + mdEscape(d.Title) + "\n\n")
	md.WriteString("> " + i18n.T(lang, "notify.msg.kind") + m.Kind + "\n\n")
	if d.Body != "" {
		t.WriteString(d.Body + "\n\n")
		md.WriteString(d.Body + "\n\n")
	}
	if m.Link != "" {
		t.WriteString(i18n.T(lang, "notify.msg.details") + m.Link + "\n")
		md.WriteString("[" + i18n.T(lang, "notify.msg.open") + "](" + m.Link + ")\n")
	}
	t.WriteString("\n-- " + i18n.T(lang, "notify.msg.footer") + "\n")
	m.Text, m.Markdown = t.String(), md.String()
	return m
}

// absolute joins a path of the UI to the base URL; absolute URLs stay.
func absolute(base, link string) string {
	if link == "" || strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
		return link
	}
	if base == "" {
		return link
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(link, "/")
}

// mdEscape keeps a title from turning into markup (a leading # or a link).
func mdEscape(s string) string {
	return strings.NewReplacer("[", "\\[", "]", "\\]", "*", "\\*", "_", "\\_", "`", "\\`", "\n", " ").Replace(s)
}
