package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/config"
	"bulwark/internal/server"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "bulwark test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// runServer starts server.Run in the background and returns the bound
// address, the function that stops it, and a channel closed when Run has
// returned (its result is then in *result).
func runServer(t *testing.T, cfg *config.Config, h http.Handler) (addr string, stop context.CancelFunc, done <-chan struct{}, result *error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	finished := make(chan struct{})
	result = new(error)
	go func() {
		*result = server.Run(ctx, cfg, h, ready)
		close(finished)
	}()
	select {
	case addr = <-ready:
	case <-finished:
		cancel()
		t.Fatalf("run: %v", *result)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
		}
	})
	return addr, cancel, finished, result
}

func TestRunServesHTTPSWithSecureCookies(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	e.CreateUser("tls-user", e.Org, auth.RoleViewer)
	cfg := *e.Cfg
	cfg.Addr = "127.0.0.1:0"
	var pool *x509.CertPool
	cfg.TLSCert, cfg.TLSKey, pool = selfSigned(t, t.TempDir())
	srv, err := server.New(e.App, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, stop, done, runErr := runServer(t, &cfg, srv.Handler())

	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("healthz over TLS: %d tls=%v hsts=%q", res.StatusCode, res.TLS != nil, res.Header.Get("Strict-Transport-Security"))
	}

	res, err = client.PostForm("https://"+addr+"/login", url.Values{"username": {"tls-user"}, "password": {servertest.Password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == server.SessionCookie {
			session = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil {
		t.Fatalf("login over TLS: %d, cookie %v", res.StatusCode, session)
	}
	if !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie over TLS: %s", res.Header.Get("Set-Cookie"))
	}

	// Plain HTTP on the TLS port is refused.
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered on the TLS port")
		}
	}

	stop()
	<-done
	if *runErr != nil {
		t.Fatalf("Run returned %v", *runErr)
	}
}

// TestRunDrainsRequestsInFlight cancels Run's context while a request is
// being served: the request still gets its 200, new connections are refused,
// and Run returns nil once the request is done.
func TestRunDrainsRequestsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	addr, stop, done, runErr := runServer(t, cfg, slow)

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{res.StatusCode, string(b), err}
	}()
	<-started
	stop()

	// Shutdown closes the listener first: wait until new connections fail.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-done:
		t.Fatalf("Run returned (%v) with a request in flight", *runErr)
	default:
	}

	close(release)
	r := <-got
	if r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Fatalf("request in flight: %d %q %v", r.status, r.body, r.err)
	}
	select {
	case <-done:
		if *runErr != nil {
			t.Fatalf("Run returned %v, want nil", *runErr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the last request")
	}
}

// TestRunGivesUpAfterShutdownTimeout: a request that outlives the timeout
// does not hold the process forever, and Run says so.
func TestRunGivesUpAfterShutdownTimeout(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 200 * time.Millisecond
	addr, stop, done, runErr := runServer(t, cfg, stuck)
	go func() {
		if res, err := http.Get("http://" + addr + "/stuck"); err == nil {
			res.Body.Close()
		}
	}()
	<-started
	stop()
	select {
	case <-done:
		if err := *runErr; err == nil || !strings.Contains(err.Error(), "shutdown") {
			t.Fatalf("Run returned %v, want a shutdown error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run ignored the shutdown timeout")
	}
}
