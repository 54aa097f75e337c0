package notifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Receiver is an HTTP endpoint (webhook, robot) that records requests and
// answers with the next of its scripted statuses (the last one repeats).
type Receiver struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     []Received
	statuses []int
	answer   string        // body of 2xx answers
	delay    time.Duration // before answering
}

// Received is one request the receiver got.
type Received struct {
	Path   string
	Header http.Header
	Query  map[string]string
	Body   []byte
	JSON   map[string]any
}

// NewReceiver serves until the test ends, answering 200 (or statuses in
// turn) with a robot's "ok" body.
func NewReceiver(t testing.TB, statuses ...int) *Receiver {
	rc := &Receiver{statuses: statuses, answer: `{"errcode":0,"errmsg":"ok"}`}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got := Received{Path: r.URL.Path, Header: r.Header.Clone(), Body: b, Query: map[string]string{}}
		for k := range r.URL.Query() {
			got.Query[k] = r.URL.Query().Get(k)
		}
		_ = json.Unmarshal(b, &got.JSON)
		rc.mu.Lock()
		i := len(rc.reqs)
		rc.reqs = append(rc.reqs, got)
		status := 200
		if len(rc.statuses) > 0 {
			status = rc.statuses[min(i, len(rc.statuses)-1)]
		}
		delay, answer := rc.delay, rc.answer
		rc.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		if status < 300 {
			_, _ = io.WriteString(w, answer)
		} else {
			_, _ = io.WriteString(w, "upstream broke")
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

// Got returns the requests received so far.
func (rc *Receiver) Got() []Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Received(nil), rc.reqs...)
}

// SetDelay makes later answers wait d (0: answer at once).
func (rc *Receiver) SetDelay(d time.Duration) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.delay = d
}

// SetAnswer sets the body of later 2xx answers.
func (rc *Receiver) SetAnswer(body string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answer = body
}
