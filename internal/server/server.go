// Package server assembles the HTTP surfaces (web UI, JSON API, operations
// endpoints) over one route table, resolves who each request comes from,
// and runs the listener with TLS and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"bulwark/internal/api"
	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/config"
	"bulwark/internal/httpx"
	"bulwark/internal/web"
)

// SessionCookie is the name of the login session cookie.
const SessionCookie = web.SessionCookie

// Server is the assembled HTTP application.
type Server struct {
	App     *app.App
	Cfg     *config.Config
	routes  []httpx.Route
	handler http.Handler
	metrics *metrics
}

// New builds the server and its route table.
func New(a *app.App, cfg *config.Config) (*Server, error) {
	ui, err := web.New(a, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{App: a, Cfg: cfg, metrics: newMetrics(a.DB)}
	s.routes = append(s.routes, s.opsRoutes()...)
	s.routes = append(s.routes, ui.Routes()...)
	s.routes = append(s.routes, api.New(a, cfg).Routes()...)
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.metrics.wrap(rt.Pattern, s.guard(rt, ui)))
	}
	mux.Handle("/", s.metrics.wrap("unmatched", http.HandlerFunc(ui.NotFound)))
	var h http.Handler = mux
	h = s.resolveCaller(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(cfg, h)
	h = recoverPanics(h)
	s.handler = h
	return s, nil
}

// Handler is the whole application as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the route table (the route × role test walks it).
func (s *Server) Routes() []httpx.Route { return s.routes }

func isAPI(pattern string) bool { return strings.HasPrefix(pattern, "/api/") }

// guard turns away anonymous callers of non-public routes, and callers who
// must first change their one-time password.
func (s *Server) guard(rt httpx.Route, ui *web.UI) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Public {
			rt.Handler(w, r)
			return
		}
		sess := httpx.SessionFrom(r.Context())
		if sess == nil {
			if isAPI(rt.Pattern) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="bulwark"`)
				httpx.WriteError(w, r, apperr.New(apperr.Unauthenticated, "err.unauthenticated"))
				return
			}
			next := r.URL.Path
			if r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if sess.User.MustChangePassword && !web.AllowedBeforePasswordChange(rt.Pattern) {
			if isAPI(rt.Pattern) {
				httpx.WriteError(w, r, apperr.New(apperr.Forbidden, "err.password_change_required"))
				return
			}
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		rt.Handler(w, r)
	})
}

// resolveCaller finds the actor of a request: an API token in the
// Authorization header, else the session cookie.
func (s *Server) resolveCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ip := httpx.ClientIP(r, s.Cfg.TrustProxy)
		if h := r.Header.Get("Authorization"); h != "" {
			raw, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				httpx.WriteError(w, r, apperr.New(apperr.Unauthenticated, "err.bad_token"))
				return
			}
			var orgID int64
			if o := r.Header.Get("X-Bulwark-Org"); o != "" {
				if _, err := fmt.Sscan(o, &orgID); err != nil {
					httpx.WriteError(w, r, apperr.New(apperr.Invalid, "err.bad_org_header"))
					return
				}
			}
			a, u, err := s.App.Accounts.AuthenticateToken(ctx, strings.TrimSpace(raw), orgID, ip)
			if err != nil {
				httpx.WriteError(w, r, err)
				return
			}
			ctx = auth.WithActor(ctx, a)
			ctx = httpx.WithSession(ctx, &httpx.Session{User: u, Token: true})
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			a, u, err := s.App.Accounts.AuthenticateSession(ctx, c.Value, ip)
			if err == nil {
				ctx = auth.WithActor(ctx, a)
				ctx = httpx.WithSession(ctx, &httpx.Session{Raw: c.Value, User: u})
			} else if !apperr.Is(err, apperr.Unauthenticated) {
				httpx.WriteError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func securityHeaders(cfg *config.Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		if cfg.TLSCert != "" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(w, r.Body, cfg.MaxUpload)
		next.ServeHTTP(w, r)
	})
}

func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(p))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Run serves h on cfg.Addr (HTTPS with a certificate) until ctx ends, then
// stops accepting, lets requests in flight finish within ShutdownTimeout, and
// returns. ready, if not nil, receives the bound address once listening.
func Run(ctx context.Context, cfg *config.Config, h http.Handler, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large imports
		WriteTimeout:      5 * time.Minute, // large exports
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	slog.Info("listening", "url", scheme+"://"+ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Requests still running past the timeout are cut off rather than
		// left holding the database the caller is about to close.
		_ = srv.Close()
		return fmt.Errorf("shutdown: requests still running after %s: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	slog.Info("stopped cleanly")
	return nil
}
