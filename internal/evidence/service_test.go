package evidence_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/evidence"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/upload"
)

type world struct {
	e         *servertest.Env
	resp      context.Context // responder of org A
	viewer    context.Context // viewer of org A
	other     context.Context // responder of org B
	inc, inc2 int64
}

func setup(t *testing.T, db *store.DB) world {
	e := servertest.NewOn(t, db)
	r := e.CreateUser("resp", e.Org, auth.RoleResponder)
	v := e.CreateUser("viewer", e.Org, auth.RoleViewer)
	orgB := e.CreateOrg("客户B")
	o := e.CreateUser("resp-b", orgB, auth.RoleResponder)
	w := world{e: e, resp: e.Actor(r, e.Org), viewer: e.Actor(v, e.Org), other: e.Actor(o, orgB)}
	for _, p := range []*int64{&w.inc, &w.inc2} {
		i, err := e.App.Incidents.Create(w.resp, incident.Input{Title: "网页篡改", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		*p = i.ID
	}
	return w
}

func (w world) upload(t *testing.T, ctx context.Context, inc int64, name, content string) (evidence.Evidence, error) {
	t.Helper()
	s := w.e.App.Evidence
	f, err := s.Save(ctx, inc, w.e.Cfg.Data, 1<<20, name, strings.NewReader(content))
	if err != nil {
		return evidence.Evidence{}, err
	}
	at := w.e.Clock.Now().Add(-time.Hour)
	return s.Add(ctx, inc, f, evidence.Meta{Description: "web log", CollectedBy: "张三", CollectedAt: &at, CollectedFrom: "web-01"})
}

func auditCount(t *testing.T, db *store.DB, action, id string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEvidenceUploadCustodyDownload(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		s := w.e.App.Evidence
		content := "GET /index.php?id=1' OR '1'='1 HTTP/1.1\n"
		ev, err := w.upload(t, w.resp, w.inc, `C:\logs\access.log`, content)
		if err != nil {
			t.Fatal(err)
		}
		// Stored by hash, under the data folder, with the sniffed type.
		if !upload.ValidHash(ev.SHA256) || ev.Size != int64(len(content)) || ev.Filename != "access.log" ||
			ev.ContentType != "text/plain; charset=utf-8" || ev.CollectedBy != "张三" || ev.CollectedFrom != "web-01" {
			t.Fatalf("recorded %+v", ev)
		}
		if b, err := upload.Read(w.e.Cfg.Data, ev.SHA256); err != nil || string(b) != content {
			t.Fatalf("stored content %q, %v", b, err)
		}
		// The same content again: a second record (its own collection and
		// custody), one file on disk.
		ev2, err := w.upload(t, w.resp, w.inc, "copy.log", content)
		if err != nil || ev2.ID == ev.ID || ev2.SHA256 != ev.SHA256 {
			t.Fatalf("second upload %+v, %v", ev2, err)
		}
		files, _ := filepath.Glob(filepath.Join(w.e.Cfg.Data, "uploads", "sha256", "*", "*"))
		if len(files) != 1 {
			t.Fatalf("files on disk %v, want one", files)
		}
		list, err := s.List(w.viewer, w.inc)
		if err != nil || len(list) != 2 {
			t.Fatalf("list %+v, %v", list, err)
		}

		// Download: custody entry and audit record, content intact.
		_, f, err := s.Open(w.viewer, w.e.Cfg.Data, w.inc, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != content {
			t.Fatalf("downloaded %q", got)
		}
		if _, err := s.Record(w.resp, w.inc, ev.ID, "transfer", "2026-11-25 移交公安机关（张警官）"); err != nil {
			t.Fatal(err)
		}
		_, chain, err := s.Get(w.viewer, w.inc, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, c := range chain {
			actions = append(actions, c.Actor+":"+c.Action)
		}
		if strings.Join(actions, " ") != "resp:upload viewer:download resp:transfer viewer:view" {
			t.Fatalf("custody chain %v", actions)
		}
		id := itoa(ev.ID)
		for action, want := range map[string]int{"evidence.upload": 1, "evidence.download": 1, "evidence.transfer": 1, "evidence.view": 1} {
			if n := auditCount(t, db, action, id); n != want {
				t.Errorf("audit %s: %d records, want %d", action, n, want)
			}
		}

		// A viewer may read but not add or transfer.
		if _, err := w.upload(t, w.viewer, w.inc, "x.log", "x"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer upload: %v", err)
		}
		if _, err := s.Record(w.viewer, w.inc, ev.ID, "note", "x"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer note: %v", err)
		}
		// Bad custody entries are refused.
		if _, err := s.Record(w.resp, w.inc, ev.ID, "destroy", ""); !apperr.Is(err, apperr.Invalid) || len(apperr.As(err).Fields) != 2 {
			t.Errorf("bad custody: %v", err)
		}

		// Another organisation: not found everywhere, and nothing logged.
		if _, err := s.List(w.other, w.inc); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B list: %v", err)
		}
		if _, _, err := s.Get(w.other, w.inc, ev.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B get: %v", err)
		}
		if _, _, err := s.Open(w.other, w.e.Cfg.Data, w.inc, ev.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B download: %v", err)
		}
		if _, err := w.upload(t, w.other, w.inc, "x.log", "x"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B upload: %v", err)
		}
		// Evidence of one incident is not reachable through another.
		if _, _, err := s.Get(w.resp, w.inc2, ev.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("wrong incident: %v", err)
		}
		if n := auditCount(t, db, "evidence.download", id); n != 1 {
			t.Errorf("refused downloads were logged: %d", n)
		}
	})
}

func TestEvidenceLimitsAndTypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		s := w.e.App.Evidence
		big := bytes.Repeat([]byte("A"), 2048)
		_, err := s.Save(w.resp, w.inc, w.e.Cfg.Data, 1024, "dump.raw", bytes.NewReader(big))
		if !apperr.Is(err, apperr.TooLarge) {
			t.Fatalf("over the limit: %v", err)
		}
		files, _ := filepath.Glob(filepath.Join(w.e.Cfg.Data, "uploads", "sha256", "*", "*"))
		if len(files) != 0 {
			t.Fatalf("refused upload left %v", files)
		}
		if _, err := s.Save(w.resp, w.inc, w.e.Cfg.Data, 1024, "empty", strings.NewReader("")); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty upload: %v", err)
		}
		// Exactly at the limit is accepted.
		if _, err := s.Save(w.resp, w.inc, w.e.Cfg.Data, 1024, "ok.raw", bytes.NewReader(big[:1024])); err != nil {
			t.Fatalf("at the limit: %v", err)
		}
		// HTML is recorded as sniffed but never served as HTML.
		ev, err := w.upload(t, w.resp, w.inc, "page.html", "<html><script>alert(1)</script></html>")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ev.ContentType, "text/html") || evidence.ServeType(ev) != "application/octet-stream" {
			t.Errorf("html evidence: stored %q, served %q", ev.ContentType, evidence.ServeType(ev))
		}
		png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
		ev, err = w.upload(t, w.resp, w.inc, "screen.png", png)
		if err != nil || evidence.ServeType(ev) != "image/png" {
			t.Errorf("png evidence: %+v, %v", ev, err)
		}
		// Collected-by is required; a collection time in the future is refused.
		f, _ := s.Save(w.resp, w.inc, w.e.Cfg.Data, 1024, "a.log", strings.NewReader("a"))
		future := w.e.Clock.Now().Add(time.Hour)
		_, err = s.Add(w.resp, w.inc, f, evidence.Meta{CollectedAt: &future})
		if fe := apperr.As(err).Fields; len(fe) != 2 {
			t.Errorf("bad meta: %v %+v", err, fe)
		}
		if _, err := os.Stat(upload.PathOf(w.e.Cfg.Data, f.SHA256)); err != nil {
			t.Errorf("saved content missing: %v", err)
		}
	})
}

func TestIOCs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		s := w.e.App.Evidence
		add := func(ctx context.Context, inc int64, typ evidence.IOCType, v string) (evidence.IOC, error) {
			return s.AddIOC(ctx, inc, evidence.IOCInput{Type: typ, Value: v, Description: "C2", Tags: []string{"c2, apt", "c2"}})
		}
		i, err := add(w.resp, w.inc, evidence.IOCDomain, "Evil.Example.COM")
		if err != nil || i.Value != "evil.example.com" || strings.Join(i.Tags, ",") != "c2,apt" {
			t.Fatalf("add domain: %+v, %v", i, err)
		}
		// The same indicator in another spelling is a duplicate on one
		// incident, but may be recorded on another.
		if _, err := add(w.resp, w.inc, evidence.IOCDomain, "evil.example.com."); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate: %v", err)
		}
		if _, err := add(w.resp, w.inc2, evidence.IOCDomain, "EVIL.example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := add(w.resp, w.inc2, evidence.IOCIP, "203.0.113.7/24"); err != nil {
			t.Fatal(err)
		}
		h, err := add(w.resp, w.inc, evidence.IOCHash, strings.Repeat("AB", 20))
		if err != nil || h.HashKind != "sha1" {
			t.Fatalf("hash: %+v, %v", h, err)
		}
		if _, err := add(w.resp, w.inc, evidence.IOCURL, "javascript:alert(1)"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad url: %v", err)
		}
		if _, err := add(w.viewer, w.inc, evidence.IOCIP, "192.0.2.1"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer add: %v", err)
		}
		// Org B has the same domain on its own incident: never found by A.
		bInc, err := w.e.App.Incidents.Create(w.other, incident.Input{Title: "B", DiscoveredAt: w.e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add(w.other, bInc.ID, evidence.IOCDomain, "evil.example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := add(w.other, w.inc, evidence.IOCDomain, "x.example.com"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B on org A's incident: %v", err)
		}

		search := func(q string) []int64 {
			got, err := s.Search(w.viewer, q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, g := range got {
				ids = append(ids, g.IncidentID)
			}
			return ids
		}
		if got := search("EVIL.EXAMPLE.COM"); len(got) != 2 || got[0] != w.inc2 || got[1] != w.inc {
			t.Errorf("domain search: %v", got)
		}
		if got := search("203.0.113.200"); len(got) != 1 || got[0] != w.inc2 {
			t.Errorf("address inside a stored prefix: %v", got)
		}
		if got := search("203.0.114.1"); len(got) != 0 {
			t.Errorf("address outside: %v", got)
		}
		if got := search(strings.Repeat("ab", 20)); len(got) != 1 {
			t.Errorf("hash search: %v", got)
		}
		if got := search("nothing"); len(got) != 0 {
			t.Errorf("no match: %v", got)
		}
		if got, err := s.Search(w.other, "evil.example.com"); err != nil || len(got) != 1 || got[0].IncidentID != bInc.ID {
			t.Errorf("org B search: %+v, %v", got, err)
		}

		list, err := s.IOCs(w.viewer, w.inc)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if err := s.DeleteIOC(w.other, w.inc, i.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B delete: %v", err)
		}
		if err := s.DeleteIOC(w.resp, w.inc, i.ID); err != nil {
			t.Fatal(err)
		}
		if got := search("evil.example.com"); len(got) != 1 {
			t.Errorf("after delete: %v", got)
		}
		if n := auditCount(t, db, "ioc.delete", itoa(i.ID)); n != 1 {
			t.Errorf("delete audit: %d", n)
		}
	})
}

func TestIntelNotes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		s := w.e.App.Evidence
		n, err := s.AddNote(w.resp, w.inc, "攻击者利用 Struts2 漏洞上传 WebShell", "t1190, T1505.003")
		if err != nil || strings.Join(n.Techniques, " ") != "T1190 T1505.003" {
			t.Fatalf("add: %+v, %v", n, err)
		}
		_, err = s.AddNote(w.resp, w.inc, "x", "T1190 TA0001")
		if fe := apperr.As(err).Fields; len(fe) != 1 || fe[0].Field != "techniques" {
			t.Errorf("bad technique: %v", err)
		}
		if _, err := s.AddNote(w.resp, w.inc, " ", ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty note: %v", err)
		}
		if _, err := s.Notes(w.other, w.inc); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B: %v", err)
		}
		notes, err := s.Notes(w.viewer, w.inc)
		if err != nil || len(notes) != 1 || notes[0].Author != "resp" || len(notes[0].Techniques) != 2 {
			t.Fatalf("notes: %+v, %v", notes, err)
		}
	})
}

func itoa(i int64) string { return strconvFormat(i) }

func strconvFormat(i int64) string { return strconv.FormatInt(i, 10) }

// A stored file whose size no longer matches its record is not served.
func TestEvidenceDamagedFileRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ev, err := w.upload(t, w.resp, w.inc, "a.log", "original content")
		if err != nil {
			t.Fatal(err)
		}
		p := upload.PathOf(w.e.Cfg.Data, ev.SHA256)
		if err := os.WriteFile(p+".tmp", []byte("cut"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
		if _, f, err := w.e.App.Evidence.Open(w.resp, w.e.Cfg.Data, w.inc, ev.ID); err == nil || f != nil || !strings.Contains(err.Error(), "does not match") {
			if f != nil {
				f.Close()
			}
			t.Fatalf("damaged file served: %v", err)
		}
	})
}

// Incidents that share an IOC are suspected duplicates of one another
// (point 2), like those sharing an asset; closed incidents and other
// organisations' incidents are not offered.
func TestIncidentsSharingAnIOCAreSuspectedDuplicates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		s := w.e.App.Evidence
		if _, err := s.AddIOC(w.resp, w.inc, evidence.IOCInput{Type: evidence.IOCIP, Value: "198.51.100.9"}); err != nil {
			t.Fatal(err)
		}
		dups := func(id int64) []int64 {
			t.Helper()
			d, err := w.e.App.Incidents.Duplicates(w.resp, nil, id)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, i := range d {
				ids = append(ids, i.ID)
			}
			return ids
		}
		if got := dups(w.inc); len(got) != 0 {
			t.Fatalf("no other incident has the IP yet: %v", got)
		}
		if _, err := s.AddIOC(w.resp, w.inc2, evidence.IOCInput{Type: evidence.IOCIP, Value: "198.51.100.9"}); err != nil {
			t.Fatal(err)
		}
		if got := dups(w.inc); len(got) != 1 || got[0] != w.inc2 {
			t.Errorf("duplicates of the first incident: %v, want [%d]", got, w.inc2)
		}
		if got := dups(w.inc2); len(got) != 1 || got[0] != w.inc {
			t.Errorf("duplicates of the second incident: %v, want [%d]", got, w.inc)
		}
		// The same value as another type is not the same indicator.
		third, err := w.e.App.Incidents.Create(w.resp, incident.Input{Title: "扫描", DiscoveredAt: w.e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddIOC(w.resp, third.ID, evidence.IOCInput{Type: evidence.IOCAccount, Value: "198.51.100.9"}); err != nil {
			t.Fatal(err)
		}
		if got := dups(third.ID); len(got) != 0 {
			t.Errorf("an account named like the IP is no duplicate: %v", got)
		}
		// Another organisation with the same IOC sees nothing of org A.
		bInc, err := w.e.App.Incidents.Create(w.other, incident.Input{Title: "B 的事件", DiscoveredAt: w.e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddIOC(w.other, bInc.ID, evidence.IOCInput{Type: evidence.IOCIP, Value: "198.51.100.9"}); err != nil {
			t.Fatal(err)
		}
		if d, err := w.e.App.Incidents.Duplicates(w.other, nil, bInc.ID); err != nil || len(d) != 0 {
			t.Errorf("org B is offered org A's incidents: %+v, %v", d, err)
		}
	})
}
