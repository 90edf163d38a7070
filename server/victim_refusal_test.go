package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestVictimRefusalTable: every kind of bad input and bad code, on the
// feedback form and the contact form, gets a clear page with its 4xx status
// (and the quick exit, security headers, no script: wantPage) and stores
// nothing.
func TestVictimRefusalTable(t *testing.T) {
	e := newEnv(t)
	o := e.officer()
	p := e.pair(o)
	good, _ := e.sign(p, 1, t0())
	expired, _ := e.sign(p, 2, t0().Add(-91*24*time.Hour))
	answered, _ := e.sign(p, 3, t0())
	revoked, _ := e.sign(p, 4, t0())
	mid := len(good) / 2
	forged := good[:mid] + flip(good[mid]) + good[mid+1:]

	va, _ := e.open("/F/" + answered)
	if rec := e.submit(va, answers("rating", "5")); rec.Code != http.StatusSeeOther {
		t.Fatalf("first submit %d", rec.Code)
	}
	v, _ := e.open("/F/" + good)
	vr, _ := e.open("/F/" + revoked)
	vc, _ := e.open("/F/" + good + "/contact")
	vc.path = "/F/" + good + "/contact"

	// the revoked-device cases come last: revoking refuses every code of the
	// device that never synced, good included.
	for _, c := range []struct {
		name   string
		path   string
		values url.Values
		v      *victim
		status int
		says   string
	}{
		{"rating 0", "", answers("rating", "0"), v, 400, "Choose a rating from 1 to 5"},
		{"rating 6", "", answers("rating", "6"), v, 400, "Choose a rating from 1 to 5"},
		{"rating text", "", answers("rating", "five"), v, 400, "Choose a rating from 1 to 5"},
		{"rating missing", "", answers("comment", "hi"), v, 400, "Choose a rating from 1 to 5"},
		{"answer unknown", "", answers("rating", "3", "rights", "perhaps"), v, 400, "Choose yes, no or not sure"},
		{"age unknown", "", answers("rating", "3", "age", "99"), v, 400, "Choose an age band"},
		{"comment oversized", "", answers("rating", "3", "comment", strings.Repeat("x", 2001)), v, 400, "too long"},
		{"comment invalid UTF-8", "", answers("rating", "3", "comment", "\xc3\x28"), v, 400, "characters we cannot store"},
		{"body oversized", "", answers("rating", "3", "comment", strings.Repeat("x", 17<<10)), v, 413, "too much"},
		{"csrf forged", "", answers("rating", "3", "csrf", v.csrf[:len(v.csrf)-1]+"A"), v, 403, "reload the page"},
		{"code forged", "/F/" + forged, answers("rating", "3"), v, 404, "could not find this feedback code"},
		{"code truncated", "/F/" + good[:len(good)-1], answers("rating", "3"), v, 404, "could not find this feedback code"},
		{"code expired", "/F/" + expired, answers("rating", "3"), v, 410, "has closed"},
		{"code answered", "", answers("rating", "3"), va, 409, "already in"}, // a GET says so with 200 (DESIGN)
		{"contact nothing", "", answers("name", "Sam"), vc, 400, "Give a phone number or an email address"},
		{"contact phone", "", answers("phone", "<script>"), vc, 400, "Enter a phone number"},
		{"contact invalid UTF-8", "", answers("email", "\xffa@b.c"), vc, 400, "characters we cannot store"},
		{"contact body oversized", "", answers("phone", "101", "name", strings.Repeat("x", 17<<10)), vc, 413, "too much"},
		{"contact forged", "/F/" + forged + "/contact", answers("phone", "101"), vc, 404, "could not find this feedback code"},
		{"contact expired", "/F/" + expired + "/contact", answers("phone", "101"), vc, 410, "has closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vv := *c.v
			if c.path != "" {
				vv.path = c.path
			}
			rec := e.submit(&vv, c.values)
			wantPage(t, rec, c.status, c.says)
			if c.path != "" { // a bad code refuses the GET the same way
				_, rec := e.open(c.path)
				wantPage(t, rec, c.status, c.says)
			}
		})
	}
	e.admin("POST", "/api/v1/admin/devices/1/revoke", "", 200, nil)
	for _, path := range []string{"/F/" + revoked, "/F/" + revoked + "/contact"} {
		_, rec := e.open(path)
		wantPage(t, rec, http.StatusForbidden, "can no longer be used")
		vv := *vr
		vv.path = path
		wantPage(t, e.submit(&vv, answers("rating", "3", "phone", "101")), http.StatusForbidden, "can no longer be used")
	}
	if n := e.feedbackCount(o.ID); n != 1 {
		t.Fatalf("%d feedback stored, want only the first answer", n)
	}
	var list []map[string]any
	e.admin("GET", "/api/v1/admin/contact-requests?all=true", "", 200, &list)
	if len(list) != 0 {
		t.Fatalf("refused contact forms stored %v", list)
	}
}
