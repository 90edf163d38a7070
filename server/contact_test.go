package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
)

// feedbackFor is the feedback stored for code counter of p.
func (e *env) feedbackFor(p *paired, counter uint32) *doorstep.Feedback {
	e.t.Helper()
	fb, err := e.store.FeedbackFor(context.Background(), doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: counter})
	if err != nil {
		e.t.Fatalf("FeedbackFor: %v", err)
	}
	return fb
}

// contactFor is the contact request stored for code counter of p.
func (e *env) contactFor(p *paired, counter uint32) *doorstep.ContactRequest {
	e.t.Helper()
	r, err := e.store.ContactRequestFor(context.Background(), doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: counter})
	if err != nil {
		e.t.Fatalf("ContactRequestFor: %v", err)
	}
	return r
}

func TestContactRequestFlow(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	text, _ := e.sign(p, 1, t0())

	// the feedback page links to the contact form
	_, rec := e.open("/F/" + text)
	wantPage(t, rec, 200, `href="/F/`+text+`/contact"`, "Ask us to contact you")

	v, rec := e.open("/F/" + text + "/contact")
	wantPage(t, rec, 200, "Ask us to contact you", `name="phone"`, `name="email"`, `name="best_time"`, `name="safe"`, `name="language"`,
		"deleted after 30 days", "999")
	v.path = "/F/" + text + "/contact"

	long := strings.Repeat("n", doorstep.MaxContactName+1)
	for _, c := range []struct {
		name   string
		values []string
		status int
		says   string
	}{
		{"nothing", []string{"name", "Sam"}, 400, "Give a phone number or an email address"},
		{"bad phone", []string{"phone", "call me maybe"}, 400, "Enter a phone number"},
		{"long phone", []string{"phone", strings.Repeat("1", 40)}, 400, "Enter a phone number"},
		{"bad email", []string{"email", "sam at example"}, 400, "Enter an email address"},
		{"long name", []string{"phone", "101", "name", long}, 400, "Your name is too long"},
		{"invalid UTF-8", []string{"phone", "101", "name", "\xff"}, 400, "characters we cannot store"},
		{"best time", []string{"phone", "101", "best_time", "midnight"}, 400, "Choose one of the options"},
		{"safe", []string{"phone", "101", "safe", "maybe"}, 400, "Choose one of the options"},
		{"language", []string{"phone", "101", "language", "xx"}, 400, "Choose one of the options"},
		{"no csrf", []string{"phone", "101", "csrf", ""}, 403, "reload the page"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantPage(t, e.submit(v, answers(c.values...)), c.status, c.says)
		})
	}
	if _, err := e.store.ContactRequestFor(context.Background(), doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: 1}); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("refused input stored a request: %v", err)
	}

	rec = e.submit(v, answers("name", "Sam", "phone", "+44 7700 900123", "best_time", "evening", "safe", "no", "language", "pl"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/F/"+text+"/contact/sent" {
		t.Fatalf("contact submit -> %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	_, rec = e.open("/F/" + text + "/contact/sent")
	wantPage(t, rec, 200, "We have your request")
	r := e.contactFor(p, 1)
	if r.Name != "Sam" || r.Phone != "+44 7700 900123" || r.BestTime != "evening" || r.SafeToLeaveMessage != "no" || r.Language != "pl" ||
		r.OfficerID != o.ID || !r.IssuedAt.Equal(t0()) {
		t.Fatalf("stored %+v", r)
	}
	// a second request is refused kindly; the page no longer offers the link
	wantPage(t, e.submit(v, answers("phone", "101")), http.StatusConflict, "already have a request")
	_, rec = e.open("/F/" + text + "/contact")
	wantPage(t, rec, 200, "already have a request")
	_, rec = e.open("/F/" + text)
	if strings.Contains(rec.Body.String(), "/contact\"") {
		t.Fatal("the feedback page still offers the contact form")
	}
	// the feedback stays apart: nothing of the request in it, nor in the logs
	if rec := e.submit(mustOpen(e, "/F/"+text), answers("rating", "5")); rec.Code != http.StatusSeeOther {
		t.Fatalf("feedback after a contact request -> %d", rec.Code)
	}
	fb := e.feedbackFor(p, 1)
	if strings.Contains(fb.Comment+fb.AgeBand, "7700") {
		t.Fatalf("feedback %+v holds contact details", fb)
	}
	logs := e.logs.String()
	for _, secret := range []string{"7700", "Sam", text} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs hold %q", secret)
		}
	}

	// the admin API lists it (audited) and marks it handled (audited)
	var list []doorstep.ContactRequest
	e.admin("GET", "/api/v1/admin/contact-requests", "", 200, &list)
	if len(list) != 1 || list[0].Phone != "+44 7700 900123" || list[0].Handled() {
		t.Fatalf("listed %+v", list)
	}
	var handled doorstep.ContactRequest
	e.admin("POST", "/api/v1/admin/contact-requests/"+list[0].ID+"/handled", "", 200, &handled)
	if !handled.Handled() || handled.HandledBy != "admin-token" {
		t.Fatalf("handled %+v", handled)
	}
	e.admin("GET", "/api/v1/admin/contact-requests", "", 200, &list)
	if len(list) != 0 {
		t.Fatalf("open requests after handling: %+v", list)
	}
	e.admin("GET", "/api/v1/admin/contact-requests?all=true", "", 200, &list)
	if len(list) != 1 {
		t.Fatalf("all requests: %+v", list)
	}
	apiErr(t, e.do("POST", "/api/v1/admin/contact-requests/nope/handled", nil, adminHeader()), 404, doorstep.ENOTFOUND)
	apiErr(t, e.do("POST", "/api/v1/admin/contact-requests/"+doorstep.NewID(t0())+"/handled", nil, adminHeader()), 404, doorstep.ENOTFOUND)
	apiErr(t, e.do("GET", "/api/v1/admin/contact-requests?all=maybe", nil, adminHeader()), 400, doorstep.EINVALID)
	apiErr(t, e.do("GET", "/api/v1/admin/contact-requests", nil, nil), 401, doorstep.EUNAUTHORIZED)
	var audit []doorstep.AuditEntry
	e.admin("GET", "/api/v1/admin/audit", "", 200, &audit)
	actions := map[string]int{}
	for _, a := range audit {
		actions[a.Action]++
	}
	if actions["view_contact_requests"] != 3 || actions["contact_handled"] != 1 {
		t.Fatalf("audit %v", actions)
	}
}

func mustOpen(e *env, path string) *victim {
	v, _ := e.open(path)
	return v
}

func TestContactRefusedCodesAndRateLimit(t *testing.T) {
	e := newEnv(t, func(o *server.Options) { o.SubmitsPerMinute = 2 })
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	mid := len(text) / 2
	forged := text[:mid] + flip(text[mid]) + text[mid+1:]
	_, rec := e.open("/F/" + forged + "/contact")
	wantPage(t, rec, 404, "could not find")
	wantPage(t, e.form("/F/"+forged+"/contact", answers("phone", "101"), nil), 404, "could not find")

	v, _ := e.open("/F/" + text + "/contact")
	v.path = "/F/" + text + "/contact"
	for i := 0; i < 2; i++ {
		wantPage(t, e.submit(v, answers("phone", "x")), 400, "Enter a phone number")
	}
	wantPage(t, e.submit(v, answers("phone", "101")), http.StatusTooManyRequests, "wait a minute")
	e.clock.Set(t0().Add(time.Minute))
	e.clock.Set(tok.ExpiresAt)
	_, rec = e.open("/F/" + text + "/contact")
	wantPage(t, rec, http.StatusGone, "has closed")
}

// FuzzContactForm posts arbitrary bodies (with a valid CSRF field appended)
// to the contact form of a fresh code each time: never a 5xx, a request is
// stored only for a 303, and what is stored is within its limits.
func FuzzContactForm(f *testing.F) {
	for _, seed := range []string{
		"phone=07700+900123&safe=no&best_time=evening&language=pl",
		"email=a%40example.org&name=Sam",
		"name=" + strings.Repeat("%C3%A9", 101) + "&phone=101",
		"phone=%FF&email=%00",
		"phone=101&phone=999",
		"language=zz&phone=101",
		"",
	} {
		f.Add(seed)
	}
	e := newEnv(f)
	p := e.pair(e.officer())
	first, _ := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + first + "/contact")
	if v.csrf == "" {
		f.Fatal("no CSRF field on the contact form")
	}
	var counter atomic.Uint32
	counter.Store(1)
	f.Fuzz(func(t *testing.T, body string) {
		n := counter.Add(1)
		text, tok, err := qrcode.Sign(p.resp.TokenKey, doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: n}, t0(), 90*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/F/"+text+"/contact", strings.NewReader(body+"&csrf="+v.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range v.cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		r, err := e.store.ContactRequestFor(context.Background(), tok.Ref)
		switch rec.Code {
		case http.StatusSeeOther:
			if err != nil {
				t.Fatalf("303 but nothing stored: %v", err)
			}
			if (r.Phone == "" && r.Email == "") || utf8.RuneCountInString(r.Name) > doorstep.MaxContactName ||
				utf8.RuneCountInString(r.Phone) > doorstep.MaxContactPhone || !utf8.ValidString(r.Name+r.Phone+r.Email) {
				t.Fatalf("stored %+v", r)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
				t.Fatalf("%d but a request was stored: %+v", rec.Code, r)
			}
		default:
			t.Fatalf("body %q -> %d: %.300s", body, rec.Code, rec.Body)
		}
	})
}
