package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// sendEmail delivers m over SMTP with net/smtp (the standard library is
// enough for submit-and-quit, and adds no dependency). With StartTLS set the
// server must offer STARTTLS and the certificate must verify, or nothing is
// sent: credentials and incident details never cross the wire in clear.
func (d *Dispatcher) sendEmail(ctx context.Context, c Channel, m Message) (int, error) {
	s := c.Settings
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	dialer := net.Dialer{Timeout: d.timeout()}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, fmt.Errorf("SMTP connect: %w", err)
	}
	// One deadline for the whole conversation.
	deadline := time.Now().Add(d.timeout())
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	client, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return smtpCode(err), fmt.Errorf("SMTP greeting: %w", err)
	}
	defer client.Close()
	if err := client.Hello(d.heloName()); err != nil {
		return smtpCode(err), fmt.Errorf("SMTP EHLO: %w", err)
	}
	if s.StartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return 0, errors.New("SMTP server does not offer STARTTLS, which this channel requires")
		}
		if err := client.StartTLS(&tls.Config{ServerName: s.Host, RootCAs: d.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return smtpCode(err), fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return 0, errors.New("SMTP server offers no AUTH, but the channel has a username")
		}
		// PlainAuth refuses to send the password unless the connection is
		// TLS (or to localhost).
		if err := client.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return smtpCode(err), fmt.Errorf("SMTP AUTH: %w", err)
		}
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return 0, fmt.Errorf("from address: %w", err)
	}
	if err := client.Mail(from.Address); err != nil {
		return smtpCode(err), fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	recipients := append([]string(nil), s.To...)
	if s.ToRoles {
		more, err := d.roleAddresses(ctx, c.OrgID, m.Delivery.Roles)
		if err != nil {
			return 0, err
		}
		recipients = append(recipients, more...)
	}
	if len(recipients) == 0 {
		return 0, errors.New("no recipient: the channel lists none and no member holding the event's roles has an email address")
	}
	var to []string
	seen := map[string]bool{}
	for _, t := range recipients {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return 0, fmt.Errorf("recipient %q: %w", t, err)
		}
		if seen[strings.ToLower(a.Address)] {
			continue
		}
		seen[strings.ToLower(a.Address)] = true
		if err := client.Rcpt(a.Address); err != nil {
			return smtpCode(err), fmt.Errorf("SMTP RCPT TO %s: %w", a.Address, err)
		}
		to = append(to, a.String())
	}
	w, err := client.Data()
	if err != nil {
		return smtpCode(err), fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(composeEmail(from.String(), to, m, d.now())); err != nil {
		return 0, fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return smtpCode(err), fmt.Errorf("SMTP DATA end: %w", err)
	}
	_ = client.Quit()
	return 250, nil
}

// composeEmail writes an RFC 5322 message: UTF-8 subject in encoded words,
// a quoted-printable UTF-8 text body.
func composeEmail(from string, to []string, m Message, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id)+"."+strconv.FormatInt(m.Delivery.ID, 10)+"@bulwark>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("X-Bulwark-Event", m.Delivery.EventKind)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}

// smtpCode is the reply code of an SMTP error, 0 when there is none.
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// roleAddresses are the email addresses of the organisation's active members
// holding any of roles.
func (d *Dispatcher) roleAddresses(ctx context.Context, orgID int64, roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	marks := make([]string, len(roles))
	for i, r := range roles {
		args = append(args, r)
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	rows, err := d.DB.Read().QueryContext(ctx, `SELECT DISTINCT u.email FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE r.org_id = $1 AND r.role IN (`+strings.Join(marks, ", ")+`) AND NOT u.disabled AND u.email <> '' ORDER BY u.email`, args...)
	if err != nil {
		return nil, fmt.Errorf("read role holders' addresses: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("read role holders' addresses: %w", err)
		}
		if _, err := mail.ParseAddress(e); err == nil {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}
