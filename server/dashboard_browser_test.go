package server_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/server"
)

// TestBrowserDashboard signs in through the real form in headless Chromium
// with JavaScript off, opens the force overview, a borough, an officer page
// and a filtered officer page, marks a comment reviewed and signs out, and
// runs axe-core (WCAG 2.2 A/AA) on every page, at a desktop width and at
// 320 px. It reuses the browser* harness of browser_test.go.
func TestBrowserDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ctx := browserStart(t)
	axeSource := browserAxeSource(t)
	e := newEnv(t, func(o *server.Options) { o.PublicURL = "http://127.0.0.1" }) // plain http: cookies not Secure here
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	seed := e.dashSeed()
	e.account("trainer1", doorstep.RoleTrainer)
	browserScripts(t, ctx, false)

	check := func(what string, wantStatus, gotStatus int, says ...string) {
		t.Helper()
		body, lang, _, title := browserText(t, ctx)
		if gotStatus != wantStatus {
			t.Fatalf("%s: status %d, want %d: %.300s", what, gotStatus, wantStatus, body)
		}
		for _, s := range says {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q", what, s)
			}
		}
		if lang != "en-GB" || title == "" {
			t.Errorf("%s: lang %q, title %q", what, lang, title)
		}
		for _, width := range []int64{320, 1280} { // ends wide: screenshots show the desktop layout
			if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 800, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
				t.Fatal(err)
			}
			browserAxe(t, ctx, what, axeSource)
			if width == browserWidth {
				browserFitsWidth(t, ctx, what, browserWidth)
			}
		}
	}

	// not signed in: the dashboard sends the browser to the sign-in form
	check("sign-in page", 200, browserNavigate(t, ctx, ts.URL+"/dashboard"), "Sign in", "Username", "Password")
	status := browserSubmit(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "trainer1"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "not it"),
		chromedp.Click(chromedp.CSS(`form.login button[type="submit"]`)),
	)
	check("wrong password", 401, status, "Wrong username or password")
	status = browserSubmit(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#username`), "trainer1"),
		chromedp.SendKeys(chromedp.CSS(`#password`), dashPassword),
		chromedp.Click(chromedp.CSS(`form.login button[type="submit"]`)),
	)
	check("force overview", 200, status, "Force overview", "Signed in as trainer1", "Responses", "Response rate",
		"Recognition shortlist", "1001 Ada Star", "Low-rating alerts", "Hackney")
	browserScreenshot(t, ctx, "dashboard-overview")

	check("borough", 200, browserNavigate(t, ctx, ts.URL+"/dashboard?borough=Hackney"), "Borough Hackney", "Teams in Hackney", "Response 1")
	cy := seed.officers["1003"]
	check("officer page", 200, browserNavigate(t, ctx, ts.URL+"/dashboard/officers/"+cy.ID), "1003 Cy Low", "Collar number 1003",
		"Likely training need", "Flag this officer for", "Cy Low feedback 0 rated 1")
	browserScreenshot(t, ctx, "dashboard-officer")

	// mark the newest comment reviewed, with the real form
	status = browserSubmit(t, ctx, chromedp.Click(chromedp.CSS(`article[id^="c-"] form.inline button[type="submit"]`)))
	if status != 200 {
		t.Fatalf("review -> %d", status)
	}
	fbs, err := e.store.OfficerFeedback(t.Context(), cy.ID, doorstep.FeedbackFilter{Limit: 1})
	if err != nil || !fbs[0].Reviewed {
		t.Fatalf("the comment was not marked reviewed: %+v %v", fbs, err)
	}
	check("filtered officer page", 200, browserNavigate(t, ctx, ts.URL+"/dashboard/officers/"+cy.ID+"?min_rating=4"), "Clear filter")

	audit, err := e.store.Audit(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, a := range audit {
		if a.Action == "view_officer" && a.OfficerID == cy.ID && a.Actor == "trainer1" {
			views++
		}
	}
	if views < 3 {
		t.Fatalf("%d audited views of the officer, want at least 3", views)
	}

	status = browserSubmit(t, ctx, chromedp.Click(chromedp.CSS(`.dash-bar form button[type="submit"]`)))
	check("signed out", 200, status, "Sign in")
	check("after sign-out", 200, browserNavigate(t, ctx, ts.URL+"/dashboard/officers/"+cy.ID), "Sign in")
}
