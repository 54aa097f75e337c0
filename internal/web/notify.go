package web

import (
	"net/http"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/notify"
)

// Notification settings: channels, rules, the delivery log. The service
// checks notify.manage on every call.
func (u *UI) notifyRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/admin/notify", Handler: u.notifyAdmin},
		{Method: "GET", Pattern: "/admin/notify/channels/new", Handler: u.notifyChannelNew},
		{Method: "POST", Pattern: "/admin/notify/channels", Handler: u.notifyChannelCreate},
		{Method: "GET", Pattern: "/admin/notify/channels/{id}/edit", Handler: u.notifyChannelEdit},
		{Method: "POST", Pattern: "/admin/notify/channels/{id}", Handler: u.notifyChannelUpdate},
		{Method: "POST", Pattern: "/admin/notify/channels/{id}/delete", Handler: u.notifyChannelDelete},
		{Method: "POST", Pattern: "/admin/notify/channels/{id}/test", Handler: u.notifyChannelTest},
		{Method: "POST", Pattern: "/admin/notify/rules", Handler: u.notifyRuleCreate},
		{Method: "POST", Pattern: "/admin/notify/rules/{id}", Handler: u.notifyRuleToggle},
		{Method: "POST", Pattern: "/admin/notify/rules/{id}/delete", Handler: u.notifyRuleDelete},
		{Method: "GET", Pattern: "/admin/notify/deliveries", Handler: u.notifyDeliveries},
		{Method: "GET", Pattern: "/admin/notify/deliveries/{id}", Handler: u.notifyDelivery},
		{Method: "POST", Pattern: "/admin/notify/deliveries/{id}/retry", Handler: u.notifyRetry},
	}
}

// kindLabels maps every event kind to its catalogue key, for the templates.
func kindLabels() map[string]string {
	m := map[string]string{notify.KindTest: notify.KindKey(notify.KindTest)}
	for _, k := range notify.Kinds {
		m[k.Name] = k.Key
	}
	return m
}

type notifyAdminData struct {
	Channels []notify.Channel
	Rules    []notify.Rule
	Kinds    []notify.ChannelKind
	Events   []notify.Kind
	Labels   map[string]string
	Failed   int
}

func (u *UI) notifyAdmin(w http.ResponseWriter, r *http.Request) {
	u.renderNotifyAdmin(w, r, http.StatusOK, nil)
}

// renderNotifyAdmin shows the page, with err (a refused rule) on its form.
func (u *UI) renderNotifyAdmin(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	ctx := r.Context()
	channels, err := u.App.Notify.Channels(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rules, err := u.App.Notify.Rules(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	failed, err := u.App.Notify.Deliveries(ctx, notify.DeliveryFilter{Status: notify.StatusFailed, Limit: 500})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := notifyAdminData{Channels: channels, Rules: rules, Kinds: notify.ChannelKinds, Events: notify.Kinds, Labels: kindLabels(), Failed: len(failed)}
	v := u.view(r, "notify", d)
	v.Title = i18n.T(v.Lang, "notify.admin.title")
	if formErr != nil {
		status = v.setErr(r, formErr)
	}
	u.render(w, r, status, "notify_admin", v)
}

type notifyChannelFormData struct {
	Channel notify.Channel
	Action  string
}

func (u *UI) renderChannelForm(w http.ResponseWriter, r *http.Request, status int, c notify.Channel, err error) {
	action, titleKey := "/admin/notify/channels", "notify.channels.new_title"
	if c.ID != 0 {
		action, titleKey = "/admin/notify/channels/"+strconv.FormatInt(c.ID, 10), "notify.channels.edit_title"
	}
	v := u.view(r, "notify", notifyChannelFormData{Channel: c, Action: action})
	v.Title = i18n.T(v.Lang, titleKey, i18n.T(v.Lang, "notify.kind."+string(c.Kind)))
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "notify_channel_form", v)
}

func (u *UI) notifyChannelNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermNotifyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	kind := notify.ChannelKind(r.URL.Query().Get("kind"))
	known := false
	for _, k := range notify.ChannelKinds {
		known = known || k == kind
	}
	if !known {
		kind = notify.KindEmail
	}
	u.renderChannelForm(w, r, http.StatusOK, notify.Channel{Kind: kind, Enabled: true,
		Settings: notify.Settings{StartTLS: true, Port: 587, Lang: "zh-CN"}}, nil)
}

// channelFromForm reads the channel form.
func channelFromForm(r *http.Request) (notify.Channel, notify.KeepSecrets) {
	port, _ := strconv.Atoi(r.PostFormValue("port"))
	c := notify.Channel{
		Kind: notify.ChannelKind(r.PostFormValue("kind")), Name: r.PostFormValue("name"), Enabled: r.PostFormValue("enabled") == "1",
		Settings: notify.Settings{
			Host: r.PostFormValue("host"), Port: port, Username: r.PostFormValue("username"), Password: r.PostFormValue("password"),
			From: r.PostFormValue("from"), To: strings.FieldsFunc(r.PostFormValue("to"), func(c rune) bool { return c == '\n' || c == ',' || c == ';' }),
			StartTLS: r.PostFormValue("starttls") == "1", ToRoles: r.PostFormValue("to_roles") == "1", URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret"), Lang: r.PostFormValue("lang"),
		},
	}
	return c, notify.KeepSecrets{ClearPassword: r.PostFormValue("clear_password") == "1", ClearSecret: r.PostFormValue("clear_secret") == "1"}
}

// formAgain is what the form shows after a refusal: never the secrets typed.
func formAgain(c notify.Channel) notify.Channel {
	c.Settings.Password, c.Settings.Secret = "", ""
	return c
}

func (u *UI) notifyChannelCreate(w http.ResponseWriter, r *http.Request) {
	in, _ := channelFromForm(r)
	if _, err := u.App.Notify.CreateChannel(r.Context(), in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderChannelForm(w, r, 0, formAgain(in), err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify", "flash.saved")
}

func (u *UI) notifyChannelEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, err := u.App.Notify.Channel(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderChannelForm(w, r, http.StatusOK, c, nil)
}

func (u *UI) notifyChannelUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in, keep := channelFromForm(r)
	if _, err := u.App.Notify.UpdateChannel(r.Context(), id, in, keep); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.ID = id
			if old, gerr := u.App.Notify.Channel(r.Context(), id); gerr == nil {
				in.Kind, in.PasswordSet, in.SecretSet = old.Kind, old.PasswordSet, old.SecretSet
			}
			u.renderChannelForm(w, r, 0, formAgain(in), err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify", "flash.saved")
}

func (u *UI) notifyChannelDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Notify.DeleteChannel(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify", "flash.deleted")
}

func (u *UI) notifyChannelTest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, err := u.App.Notify.Channel(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := c.Settings.Lang
	if _, err := u.App.Notify.SendTest(r.Context(), id, i18n.T(lang, "notify.test.title"), i18n.T(lang, "notify.test.body", c.Name)); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify/deliveries", "flash.notify_test_queued")
}

func (u *UI) notifyRuleCreate(w http.ResponseWriter, r *http.Request) {
	channel, _ := strconv.ParseInt(r.PostFormValue("channel_id"), 10, 64)
	if _, err := u.App.Notify.CreateRule(r.Context(), r.PostFormValue("event_kind"), channel, true); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderNotifyAdmin(w, r, 0, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify#rules", "flash.saved")
}

func (u *UI) notifyRuleToggle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = u.App.Notify.SetRuleEnabled(r.Context(), id, r.PostFormValue("enabled") == "1")
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify#rules", "flash.saved")
}

func (u *UI) notifyRuleDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Notify.DeleteRule(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify#rules", "flash.deleted")
}

type notifyDeliveriesData struct {
	Items    []notify.Delivery
	Status   string
	Statuses []string
	Labels   map[string]string
	Next     int64 // id to continue before, 0 on the last page
}

const deliveriesPerPage = 100

func (u *UI) notifyDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	f := notify.DeliveryFilter{Status: q.Get("status"), Before: before, Limit: deliveriesPerPage}
	items, err := u.App.Notify.Deliveries(r.Context(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := notifyDeliveriesData{Items: items, Status: f.Status, Statuses: notify.Statuses, Labels: kindLabels()}
	if len(items) == deliveriesPerPage {
		d.Next = items[len(items)-1].ID
	}
	v := u.view(r, "notify", d)
	v.Title = i18n.T(v.Lang, "notify.deliveries.title")
	u.render(w, r, http.StatusOK, "notify_deliveries", v)
}

type notifyDeliveryData struct {
	Delivery notify.Delivery
	Attempts []notify.Attempt
	Labels   map[string]string
}

// notifyDelivery shows one delivery with every attempt at sending it.
func (u *UI) notifyDelivery(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.App.Notify.Delivery(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	att, err := u.App.Notify.Attempts(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "notify", notifyDeliveryData{Delivery: d, Attempts: att, Labels: kindLabels()})
	v.Title = d.Title
	u.render(w, r, http.StatusOK, "notify_delivery", v)
}

func (u *UI) notifyRetry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = u.App.Notify.Retry(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/notify/deliveries", "flash.notify_retry_queued")
}
