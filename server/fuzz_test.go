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
)

// FuzzFeedbackForm posts arbitrary form bodies (with a valid CSRF field
// appended) to a fresh feedback code each time. The server must never fail
// with a 5xx; it stores feedback only for a 303, and what it stores is in
// range.
func FuzzFeedbackForm(f *testing.F) {
	for _, seed := range []string{
		"rating=4&comment=Kind+and+clear",
		"rating=5&respect=yes&rights=no&updates=unsure&comment=",
		"rating=0",
		"rating=6&respect=maybe",
		"rating=%FF&comment=%00",
		"rating=3&rating=4",
		"comment=" + strings.Repeat("%C3%A9", 2001) + "&rating=2",
		"rating=1&comment=%E2%80%AE%F0%9F%98%80",
		"%%%&&==",
		"",
	} {
		f.Add(seed)
	}
	e := newEnv(f)
	o := e.officer()
	p := e.pair(o)
	first, _ := e.sign(p, 1, t0())
	v, _ := e.open("/F/" + first)
	if v.csrf == "" {
		f.Fatal("no CSRF field on the page")
	}
	var counter atomic.Uint32
	counter.Store(1)
	f.Fuzz(func(t *testing.T, body string) {
		n := counter.Add(1)
		text, tok, err := qrcode.Sign(p.resp.TokenKey, doorstep.TokenRef{DeviceID: p.resp.DeviceID, Counter: n}, t0(), 90*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/F/"+text, strings.NewReader(body+"&csrf="+v.csrf))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range v.cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		fb, err := e.store.FeedbackFor(context.Background(), tok.Ref)
		switch rec.Code {
		case http.StatusSeeOther:
			if err != nil {
				t.Fatalf("303 but nothing stored: %v", err)
			}
			if fb.Rating < 1 || fb.Rating > 5 || !utf8.ValidString(fb.Comment) || utf8.RuneCountInString(fb.Comment) > 2000 {
				t.Fatalf("stored out-of-range feedback %+v", fb)
			}
			for _, a := range []string{fb.Respect, fb.Rights, fb.Updates} {
				if a != "" && a != doorstep.AnswerYes && a != doorstep.AnswerNo && a != doorstep.AnswerUnsure {
					t.Fatalf("stored answer %q", a)
				}
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
				t.Fatalf("%d but feedback stored: %+v %v", rec.Code, fb, err)
			}
		default:
			t.Fatalf("body %q -> %d: %.300s", body, rec.Code, rec.Body)
		}
	})
}
