// Package notifytest holds the local servers the notification tests
// deliver to: a small SMTP server with STARTTLS and an HTTP receiver that
// records requests. Tests of any package that publishes events use them to
// check what actually arrived.
package notifytest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPServer is a small SMTP server for tests: EHLO, STARTTLS (self-signed
// certificate), AUTH PLAIN, MAIL, RCPT, DATA, QUIT. It records every message
// and whether it arrived over TLS.
type SMTPServer struct {
	Addr      string         // host:port to dial
	Roots     *x509.CertPool // trusts the server's certificate (Dispatcher.RootCAs)
	tlsConfig *tls.Config
	NoTLS     bool // do not offer STARTTLS
	mu        sync.Mutex
	messages  []SMTPMessage
}

// SMTPMessage is one message the server accepted.
type SMTPMessage struct {
	From     string
	To       []string
	Data     string
	TLS      bool
	AuthUser string
	AuthPass string
}

// NewSMTPServer listens on 127.0.0.1 until the test ends; noTLS leaves
// STARTTLS out (to check a channel refuses to send in clear).
func NewSMTPServer(t testing.TB, noTLS bool) *SMTPServer {
	t.Helper()
	cert, roots := SelfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), Roots: roots, NoTLS: noTLS,
		tlsConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	return s
}

// Got returns the messages received so far.
func (s *SMTPServer) Got() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.messages...)
}

func (s *SMTPServer) serve(c net.Conn) {
	defer func() { c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	w := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	w("220 test ESMTP")
	var msg SMTPMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			w("250-test")
			if !s.NoTLS && !msg.TLS {
				w("250-STARTTLS")
			}
			if msg.TLS || s.NoTLS {
				w("250-AUTH PLAIN")
			}
			w("250 8BITMIME")
		case "STARTTLS":
			w("220 go ahead")
			tc := tls.Server(c, s.tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			c = tc
			r = bufio.NewReader(tc)
			msg.TLS = true
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				raw, _ := base64.StdEncoding.DecodeString(parts[2])
				f := strings.Split(string(raw), "\x00")
				if len(f) == 3 {
					msg.AuthUser, msg.AuthPass = f[1], f[2]
				}
			}
			w("235 ok")
		case "MAIL":
			msg.From = angle(line[len("MAIL FROM:"):])
			w("250 ok")
		case "RCPT":
			to := angle(line[len("RCPT TO:"):])
			if strings.HasPrefix(to, "reject") {
				w("550 no such user")
				continue
			}
			msg.To = append(msg.To, to)
			w("250 ok")
		case "DATA":
			w("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			m := msg
			m.Data = b.String()
			s.messages = append(s.messages, m)
			s.mu.Unlock()
			w("250 queued")
		case "RSET", "NOOP":
			w("250 ok")
		case "QUIT":
			w("221 bye")
			return
		default:
			w("502 unknown")
		}
	}
}

// SelfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func SelfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// angle returns the address between < and > (parameters may follow).
func angle(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "<")
	addr, _, _ := strings.Cut(s, ">")
	return addr
}
