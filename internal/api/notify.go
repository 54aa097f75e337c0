package api

import (
	"net/http"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/notify"
)

func init() {
	registerSchema("NotifyChannel", notify.Channel{})
	registerSchema("NotifyChannelInput", channelInput{})
	registerSchema("NotifyRule", notify.Rule{})
	registerSchema("NotifyRuleInput", ruleInput{})
	registerSchema("NotifyDelivery", notify.Delivery{})
	registerSchema("NotifyAttempt", notify.Attempt{})
}

func (h *API) notifyRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/notify/channels", Handler: h.listChannels,
			Doc: &httpx.Doc{Summary: "List notification channels (secrets hidden)", Tag: "notify", Response: "NotifyChannel", Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/notify/channels", Handler: h.createChannel,
			Doc: &httpx.Doc{Summary: "Create a notification channel", Tag: "notify", Request: "NotifyChannelInput", Response: "NotifyChannel", Status: 201}},
		{Method: "PATCH", Pattern: "/api/v1/notify/channels/{id}", Handler: h.patchChannel,
			Doc: &httpx.Doc{Summary: "Change a channel; absent fields and empty secrets keep their value", Tag: "notify", Request: "NotifyChannelInput", Response: "NotifyChannel"}},
		{Method: "DELETE", Pattern: "/api/v1/notify/channels/{id}", Handler: h.deleteChannel,
			Doc: &httpx.Doc{Summary: "Delete a channel and its rules", Tag: "notify", Status: 204}},
		{Method: "GET", Pattern: "/api/v1/notify/rules", Handler: h.listRules,
			Doc: &httpx.Doc{Summary: "List notification rules", Tag: "notify", Response: "NotifyRule", Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/notify/rules", Handler: h.createRule,
			Doc: &httpx.Doc{Summary: "Send events of a kind to a channel", Tag: "notify", Request: "NotifyRuleInput", Response: "NotifyRule", Status: 201}},
		{Method: "DELETE", Pattern: "/api/v1/notify/rules/{id}", Handler: h.deleteRule,
			Doc: &httpx.Doc{Summary: "Delete a notification rule", Tag: "notify", Status: 204}},
		{Method: "GET", Pattern: "/api/v1/notify/deliveries", Handler: h.listDeliveries,
			Doc: &httpx.Doc{Summary: "The outbox, newest first: status, attempts, last error", Tag: "notify", Response: "NotifyDelivery",
				Query: []string{"status", "before", "limit"}, Paginated: true}},
		{Method: "GET", Pattern: "/api/v1/notify/deliveries/{id}/attempts", Handler: h.deliveryAttempts,
			Doc: &httpx.Doc{Summary: "Every attempt at sending a delivery, oldest first", Tag: "notify", Response: "NotifyAttempt", Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/notify/deliveries/{id}/retry", Handler: h.retryDelivery,
			Doc: &httpx.Doc{Summary: "Send a pending or failed delivery now, with a fresh round of attempts", Tag: "notify", Response: "NotifyDelivery"}},
	}
}

// settingsInput is the writable part of a channel's settings.
type settingsInput struct {
	Host     *string   `json:"host"`
	Port     *int      `json:"port"`
	Username *string   `json:"username"`
	Password *string   `json:"password"`
	From     *string   `json:"from"`
	To       *[]string `json:"to"`
	StartTLS *bool     `json:"starttls"`
	ToRoles  *bool     `json:"to_roles"`
	URL      *string   `json:"url"`
	Secret   *string   `json:"secret"`
	Lang     *string   `json:"lang"`
}

// channelInput creates or changes a channel. The kind is fixed at creation.
type channelInput struct {
	Kind          *string        `json:"kind"`
	Name          *string        `json:"name"`
	Enabled       *bool          `json:"enabled"`
	Settings      *settingsInput `json:"settings"`
	ClearPassword bool           `json:"clear_password"`
	ClearSecret   bool           `json:"clear_secret"`
}

func (in channelInput) apply(c *notify.Channel) {
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	s, out := in.Settings, &c.Settings
	if s == nil {
		return
	}
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	str(&out.Host, s.Host)
	str(&out.Username, s.Username)
	str(&out.Password, s.Password)
	str(&out.From, s.From)
	str(&out.URL, s.URL)
	str(&out.Secret, s.Secret)
	str(&out.Lang, s.Lang)
	if s.Port != nil {
		out.Port = *s.Port
	}
	if s.To != nil {
		out.To = *s.To
	}
	if s.StartTLS != nil {
		out.StartTLS = *s.StartTLS
	}
	if s.ToRoles != nil {
		out.ToRoles = *s.ToRoles
	}
}

func (h *API) listChannels(w http.ResponseWriter, r *http.Request) {
	list, err := h.App.Notify.Channels(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, List[notify.Channel]{Items: list, Total: len(list), Page: 1, PerPage: max(len(list), 1)})
}

func (h *API) createChannel(w http.ResponseWriter, r *http.Request) {
	var in channelInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c := notify.Channel{Enabled: true, Settings: notify.Settings{StartTLS: true}}
	if in.Kind != nil {
		c.Kind = notify.ChannelKind(*in.Kind)
	}
	in.apply(&c)
	out, err := h.App.Notify.CreateChannel(r.Context(), c)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/notify/channels/"+strconv.FormatInt(out.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (h *API) patchChannel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in channelInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := h.App.Notify.Channel(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Kind != nil && notify.ChannelKind(*in.Kind) != c.Kind {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "kind", Key: "err.notify_kind_fixed"}}))
		return
	}
	in.apply(&c)
	out, err := h.App.Notify.UpdateChannel(r.Context(), id, c, notify.KeepSecrets{ClearPassword: in.ClearPassword, ClearSecret: in.ClearSecret})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *API) deleteChannel(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Notify.DeleteChannel)
}

// ruleInput routes an event kind to a channel; enabled defaults to true.
type ruleInput struct {
	EventKind string `json:"event_kind"`
	ChannelID int64  `json:"channel_id"`
	Enabled   *bool  `json:"enabled"`
}

func (h *API) listRules(w http.ResponseWriter, r *http.Request) {
	list, err := h.App.Notify.Rules(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, List[notify.Rule]{Items: list, Total: len(list), Page: 1, PerPage: max(len(list), 1)})
}

func (h *API) createRule(w http.ResponseWriter, r *http.Request) {
	var in ruleInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	enabled := in.Enabled == nil || *in.Enabled
	out, err := h.App.Notify.CreateRule(r.Context(), in.EventKind, in.ChannelID, enabled)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/notify/rules/"+strconv.FormatInt(out.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (h *API) deleteRule(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Notify.DeleteRule)
}

func (h *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := notify.DeliveryFilter{Status: q.Get("status")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := h.App.Notify.Deliveries(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, List[notify.Delivery]{Items: list, Total: len(list), Page: 1, PerPage: max(len(list), 1)})
}

func (h *API) retryDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	d, err := h.App.Notify.Retry(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, d)
}

func (h *API) deliveryAttempts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	list, err := h.App.Notify.Attempts(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, List[notify.Attempt]{Items: list, Total: len(list), Page: 1, PerPage: max(len(list), 1)})
}
