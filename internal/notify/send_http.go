package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Webhook payload: the generic JSON a receiver gets.
type webhookPayload struct {
	ID        int64    `json:"id"`
	Event     string   `json:"event"`
	EventName string   `json:"event_name"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Link      string   `json:"link"`
	Roles     []string `json:"roles"`
	CreatedAt string   `json:"created_at"`
}

// WebhookSignature is the X-Bulwark-Signature value: "sha256=" and the hex
// HMAC-SHA256, keyed with the channel's secret, of the timestamp (Unix
// seconds, also sent as X-Bulwark-Timestamp), a dot, and the body. Receivers
// recompute it and reject old timestamps to stop replays.
func WebhookSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// DingTalkSign is the "sign" query parameter of DingTalk's robot security
// setting (加签): Base64 of HMAC-SHA256, keyed with the secret, of
// "<timestamp in ms>\n<secret>" (the caller URL-encodes it).
func DingTalkSign(secret string, ms int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ms, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// FeishuSign is the "sign" field of Feishu's robot signature check (签名校验):
// Base64 of HMAC-SHA256 keyed with "<timestamp in s>\n<secret>" over an empty
// message, as Feishu documents it.
func FeishuSign(secret string, sec int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(sec, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sendWebhook posts the generic JSON payload.
func (d *Dispatcher) sendWebhook(ctx context.Context, c Channel, m Message) (int, error) {
	dl := m.Delivery
	body, err := json.Marshal(webhookPayload{ID: dl.ID, Event: dl.EventKind, EventName: m.Kind, Title: dl.Title, Body: dl.Body,
		Link: m.Link, Roles: dl.Roles, CreatedAt: dl.CreatedAt.UTC().Format(time.RFC3339)})
	if err != nil {
		return 0, err
	}
	h := http.Header{}
	h.Set("X-Bulwark-Event", dl.EventKind)
	h.Set("X-Bulwark-Delivery", strconv.FormatInt(dl.ID, 10))
	if c.Settings.Secret != "" {
		ts := strconv.FormatInt(d.now().Unix(), 10)
		h.Set("X-Bulwark-Timestamp", ts)
		h.Set("X-Bulwark-Signature", WebhookSignature(c.Settings.Secret, ts, body))
	}
	code, _, err := d.post(ctx, c.Settings.URL, h, body)
	return code, err
}

// sendDingTalk posts a markdown message, signed when a secret is set.
func (d *Dispatcher) sendDingTalk(ctx context.Context, c Channel, m Message) (int, error) {
	target := c.Settings.URL
	if c.Settings.Secret != "" {
		ms := d.now().UnixMilli()
		u, err := url.Parse(target)
		if err != nil {
			return 0, fmt.Errorf("robot URL: %w", err)
		}
		q := u.Query()
		q.Set("timestamp", strconv.FormatInt(ms, 10))
		q.Set("sign", DingTalkSign(c.Settings.Secret, ms))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	body, _ := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Subject, "text": m.Markdown},
	})
	return d.postRobot(ctx, target, body)
}

// sendWeCom posts a markdown message to a WeCom group robot.
func (d *Dispatcher) sendWeCom(ctx context.Context, c Channel, m Message) (int, error) {
	body, _ := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": m.Markdown},
	})
	return d.postRobot(ctx, c.Settings.URL, body)
}

// sendFeishu posts a text message, with timestamp and sign when a secret is set.
func (d *Dispatcher) sendFeishu(ctx context.Context, c Channel, m Message) (int, error) {
	payload := map[string]any{
		"msg_type": "text",
		"content":  map[string]string{"text": m.Subject + "\n" + m.Text},
	}
	if c.Settings.Secret != "" {
		sec := d.now().Unix()
		payload["timestamp"] = strconv.FormatInt(sec, 10)
		payload["sign"] = FeishuSign(c.Settings.Secret, sec)
	}
	body, _ := json.Marshal(payload)
	return d.postRobot(ctx, c.Settings.URL, body)
}

// postRobot posts to a group robot, which answers 200 even when it refuses
// the message: the refusal is in errcode (DingTalk, WeCom) or code (Feishu).
func (d *Dispatcher) postRobot(ctx context.Context, target string, body []byte) (int, error) {
	code, resp, err := d.post(ctx, target, nil, body)
	if err != nil {
		return code, err
	}
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(resp, &r) == nil {
		if r.ErrCode != nil && *r.ErrCode != 0 {
			return code, fmt.Errorf("robot refused: errcode %d: %s", *r.ErrCode, r.ErrMsg)
		}
		if r.Code != nil && *r.Code != 0 {
			return code, fmt.Errorf("robot refused: code %d: %s", *r.Code, r.Msg)
		}
	}
	return code, nil
}

// post sends body as JSON; any status but 2xx is an error. The error text
// names the status and the start of the answer, never the URL (robot URLs
// carry access tokens).
func (d *Dispatcher) post(ctx context.Context, target string, h http.Header, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("build request: bad URL")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Bulwark-Notify/1")
	res, err := d.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL from the message
		}
		return 0, nil, fmt.Errorf("post: %w", err)
	}
	defer res.Body.Close()
	resp, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, resp, fmt.Errorf("HTTP %d: %s", res.StatusCode, snippet(resp))
	}
	return res.StatusCode, resp, nil
}

func snippet(b []byte) string {
	s := string(b)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
