package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/evidence"
	"bulwark/internal/httpx"
)

func init() {
	registerSchema("EvidenceList", []evidence.Evidence{})
	registerSchema("Evidence", evidence.Evidence{})
	registerSchema("EvidenceRecord", EvidenceRecord{})
	registerSchema("CustodyInput", custodyInput{})
	registerSchema("Custody", evidence.Custody{})
	registerSchema("IOC", evidence.IOC{})
	registerSchema("IOCList", []evidence.IOC{})
	registerSchema("IOCInput", iocInput{})
	registerSchema("IntelNote", evidence.IntelNote{})
	registerSchema("IntelNoteList", []evidence.IntelNote{})
	registerSchema("IntelNoteInput", intelNoteInput{})
	registerSchema("AttackTechniques", []evidence.Technique{})
}

// Evidence, chain of custody, IOCs and intel notes of incidents (issue 3,
// point 8).
func (h *API) evidenceRoutes() []httpx.Route {
	const tag = "evidence"
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/evidence", Handler: h.listEvidence,
			Doc: &httpx.Doc{Summary: "The incident's evidence files", Tag: tag, Response: "EvidenceList"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/evidence", Handler: h.uploadEvidence,
			Doc: &httpx.Doc{Summary: "Upload an evidence file (multipart: file, description, collected_by, collected_at RFC 3339, collected_from)",
				Tag: tag, Multipart: true, Response: "Evidence", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/evidence/{eid}", Handler: h.getEvidence,
			Doc: &httpx.Doc{Summary: "An evidence record with its chain of custody (the view is recorded in it)", Tag: tag, Response: "EvidenceRecord"}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/evidence/{eid}/download", Handler: h.downloadEvidence,
			Doc: &httpx.Doc{Summary: "Download the evidence file (recorded in the chain of custody)", Tag: tag, Binary: "application/octet-stream"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/evidence/{eid}/custody", Handler: h.recordCustody,
			Doc: &httpx.Doc{Summary: "Record a transfer or a note in the chain of custody", Tag: tag, Request: "CustodyInput", Response: "Custody", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/iocs", Handler: h.listIOCs,
			Doc: &httpx.Doc{Summary: "The incident's indicators of compromise", Tag: tag, Response: "IOCList"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/iocs", Handler: h.createIOC,
			Doc: &httpx.Doc{Summary: "Add an indicator (type: ip, domain, url, hash, email, account); the value is validated and normalised", Tag: tag, Request: "IOCInput", Response: "IOC", Status: 201}},
		{Method: "DELETE", Pattern: "/api/v1/incidents/{id}/iocs/{iid}", Handler: h.deleteIOC,
			Doc: &httpx.Doc{Summary: "Remove an indicator recorded in error", Tag: tag, Status: 204}},
		{Method: "GET", Pattern: "/api/v1/iocs", Handler: h.searchIOCs,
			Doc: &httpx.Doc{Summary: "Find an indicator across the organisation's incidents (exact normalised match; an IP also matches stored ranges)", Tag: tag, Response: "IOCList", Query: []string{"q"}}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/intel-notes", Handler: h.listIntelNotes,
			Doc: &httpx.Doc{Summary: "The incident's intel notes (情报收集与分析)", Tag: tag, Response: "IntelNoteList"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/intel-notes", Handler: h.createIntelNote,
			Doc: &httpx.Doc{Summary: "Add an intel note with ATT&CK technique IDs", Tag: tag, Request: "IntelNoteInput", Response: "IntelNote", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/attack-techniques", Handler: h.attackTechniques,
			Doc: &httpx.Doc{Summary: "Common MITRE ATT&CK techniques with Chinese and English names, to pick from", Tag: tag, Response: "AttackTechniques"}},
	}
}

// EvidenceRecord is an evidence file with its chain of custody.
type EvidenceRecord struct {
	evidence.Evidence
	Custody []evidence.Custody `json:"custody"`
}

type custodyInput struct {
	Action string `json:"action"` // transfer or note
	Note   string `json:"note"`
}

type iocInput struct {
	Type        string   `json:"type"`
	Value       string   `json:"value"`
	Description string   `json:"description"`
	FirstSeen   *string  `json:"first_seen"` // RFC 3339
	Tags        []string `json:"tags"`
}

type intelNoteInput struct {
	Body       string   `json:"body"`
	Techniques []string `json:"techniques"`
}

func subID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, nil
}

// twoIDs reads the incident id and a second id from the path.
func twoIDs(r *http.Request, name string) (int64, int64, error) {
	inc, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	id, err := subID(r, name)
	return inc, id, err
}

func optTime(field string, s *string) (*time.Time, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*s))
	if err != nil {
		return nil, apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.incident_time_format"}})
	}
	return &t, nil
}

func (h *API) listEvidence(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	var list []evidence.Evidence
	if err == nil {
		list, err = h.App.Evidence.List(r.Context(), inc)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

// uploadEvidence checks the caller before reading the body, streams the
// file into the store and records it once the other fields have arrived.
func (h *API) uploadEvidence(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	if err == nil {
		err = h.App.Evidence.CheckUpload(r.Context(), inc)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var f evidence.File
	fields, err := httpx.StreamUpload(r, "file", func(name string, part io.Reader) error {
		var err error
		f, err = h.App.Evidence.Save(r.Context(), inc, h.Cfg.Data, h.Cfg.MaxUpload, name, part)
		return err
	})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	collected := fields.Get("collected_at")
	at, err := optTime("collected_at", &collected)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	e, err := h.App.Evidence.Add(r.Context(), inc, f, evidence.Meta{Description: fields.Get("description"),
		CollectedBy: fields.Get("collected_by"), CollectedAt: at, CollectedFrom: fields.Get("collected_from")})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/incidents/"+strconv.FormatInt(inc, 10)+"/evidence/"+strconv.FormatInt(e.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, e)
}

func (h *API) getEvidence(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "eid")
	var rec EvidenceRecord
	if err == nil {
		rec.Evidence, rec.Custody, err = h.App.Evidence.Get(r.Context(), inc, id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rec)
}

func (h *API) downloadEvidence(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "eid")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	e, f, err := h.App.Evidence.Open(r.Context(), h.Cfg.Data, inc, id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	defer f.Close()
	evidence.WriteDownload(w, e, f)
}

func (h *API) recordCustody(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "eid")
	var in custodyInput
	if err == nil {
		err = decode(r, &in)
	}
	var c evidence.Custody
	if err == nil {
		c, err = h.App.Evidence.Record(r.Context(), inc, id, in.Action, in.Note)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
}

func (h *API) listIOCs(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	var list []evidence.IOC
	if err == nil {
		list, err = h.App.Evidence.IOCs(r.Context(), inc)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

func (h *API) createIOC(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	var in iocInput
	if err == nil {
		err = decode(r, &in)
	}
	var first *time.Time
	if err == nil {
		first, err = optTime("first_seen", in.FirstSeen)
	}
	var i evidence.IOC
	if err == nil {
		i, err = h.App.Evidence.AddIOC(r.Context(), inc, evidence.IOCInput{Type: evidence.IOCType(in.Type), Value: in.Value,
			Description: in.Description, FirstSeen: first, Tags: in.Tags})
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, i)
}

func (h *API) deleteIOC(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "iid")
	if err == nil {
		err = h.App.Evidence.DeleteIOC(r.Context(), inc, id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *API) searchIOCs(w http.ResponseWriter, r *http.Request) {
	list, err := h.App.Evidence.Search(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

func (h *API) listIntelNotes(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	var list []evidence.IntelNote
	if err == nil {
		list, err = h.App.Evidence.Notes(r.Context(), inc)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

func (h *API) createIntelNote(w http.ResponseWriter, r *http.Request) {
	inc, err := pathID(r)
	var in intelNoteInput
	if err == nil {
		err = decode(r, &in)
	}
	var n evidence.IntelNote
	if err == nil {
		n, err = h.App.Evidence.AddNote(r.Context(), inc, in.Body, strings.Join(in.Techniques, " "))
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, n)
}

func (h *API) attackTechniques(w http.ResponseWriter, r *http.Request) {
	list, err := h.App.Evidence.CommonTechniques(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}
