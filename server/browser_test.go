package server_test

// End-to-end tests of the victim pages in headless Chromium (Debian's
// /usr/bin/chromium, driven by chromedp), at a 320 px wide viewport, with
// axe-core (tools/node_modules, installed by `cd tools && npm ci`) checking
// every page against WCAG 2.2 AA.
//
// The helpers named browser* are a reusable harness (the dashboard tests may
// use them too):
//
//	ctx := browserStart(t)                    // skips when Chromium is absent
//	browserScripts(t, ctx, false)             // the page's own JavaScript off
//	status := browserNavigate(t, ctx, url)    // the document's HTTP status
//	browserAxe(t, ctx, "form page")           // zero WCAG 2.2 AA violations
//	browserFitsWidth(t, ctx, "form page", 320) // no horizontal scroll
//
// Scripts are switched off while pages load and forms are submitted, proving
// that the pages work without JavaScript; browserAxe and browserFitsWidth
// switch them on for their check (DevTools evaluation on the loaded page) and
// off again.

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/server"
)

// browserPath is Debian's Chromium.
const browserPath = "/usr/bin/chromium"

// browserWidth is the narrowest phone the victim pages are built for.
const browserWidth = 320

// axeTags are the rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const axeTags = `["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22aa"]`

// browserStart starts a fresh headless Chromium (its own user-data-dir) with
// a 320 px wide mobile viewport and returns its context; it is stopped when
// the test ends. It skips the test when Chromium is not installed.
func browserStart(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(browserPath); err != nil {
		t.Skipf("Chromium is not installed at %s (apt-get install chromium): browser tests skipped", browserPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browserPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(browserWidth, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: browserWidth, Height: 640, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// browserScripts turns the page's JavaScript on or off.
func browserScripts(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("switching scripts: %v", err)
	}
}

// browserNavigate loads url and returns the main document's HTTP status.
func browserNavigate(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	browserSettle(t, ctx)
	return statusOf(resp)
}

// browserSubmit runs actions that end in a navigation (a click on a submit
// button) and returns the status of the document it lands on.
func browserSubmit(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		t.Fatalf("submitting: %v", err)
	}
	browserSettle(t, ctx)
	return statusOf(resp)
}

// browserSettle waits until the new document's body is in the DOM, so that
// later queries do not reach for nodes of the page before.
func browserSettle(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("waiting for the page: %v", err)
	}
}

func statusOf(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// browserAxeSource reads axe-core from tools/node_modules; it fails the test
// when it is missing (CI installs it with npm ci).
func browserAxeSource(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "tools", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core is not installed (run `cd tools && npm ci`): %v", err)
	}
	return string(b)
}

// axeViolation is the part of an axe-core result the failure message shows.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target         []any  `json:"target"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// browserAxe injects axe-core into the loaded page and fails the test on any
// WCAG 2.2 A/AA violation.
func browserAxe(t *testing.T, ctx context.Context, what, axeSource string) {
	t.Helper()
	browserScripts(t, ctx, true)
	defer browserScripts(t, ctx, false)
	script := axeSource + `;
		axe.run(document, {runOnly: {type: "tag", values: ` + axeTags + `}, resultTypes: ["violations"]})
			.then(r => JSON.stringify(r.violations))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", what, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		t.Fatalf("%s: axe-core answered %q: %v", what, out, err)
	}
	for _, v := range violations {
		for _, n := range v.Nodes {
			t.Errorf("%s: axe %s (%s) at %v: %s", what, v.ID, v.Help, n.Target, n.FailureSummary)
		}
	}
}

// browserFitsWidth fails the test when the page scrolls sideways at width.
func browserFitsWidth(t *testing.T, ctx context.Context, what string, width int) {
	t.Helper()
	browserScripts(t, ctx, true)
	defer browserScripts(t, ctx, false)
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`))
	if err != nil {
		t.Fatalf("%s: measuring: %v", what, err)
	}
	if w > width {
		t.Errorf("%s: page is %d px wide at a %d px viewport (horizontal scroll)", what, w, width)
	}
}

// browserText is the page's visible text and <html lang dir>, read through
// the DOM (no page script needed).
func browserText(t *testing.T, ctx context.Context) (text, lang, dir, title string) {
	t.Helper()
	var err error
	var l, d chromedp.AttributeResult
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body"))); err == nil {
		if l, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang")); err == nil {
			if d, err = chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "dir")); err == nil {
				title, err = chromedp.Run(ctx, chromedp.Title())
			}
		}
	}
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return text, l.Value, d.Value, title
}

// browserScreenshot saves a full-page PNG when DOORSTEP_SCREENSHOTS names a
// directory (for a person to look at the page).
func browserScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DOORSTEP_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserVictimJourney drives Chromium, with JavaScript off, through
// scan → a refused answer → rate → thank-you, the already-answered page, the
// contact form, Arabic (right-to-left) form and contact pages and the
// refusals, and runs axe-core on each.
func TestBrowserVictimJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ctx := browserStart(t)
	axeSource := browserAxeSource(t)
	lib, err := leaflet.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *server.Options) {
		o.Leaflets = lib
		o.PublicURL = "http://127.0.0.1" // plain http: the CSRF cookie must not be Secure here
	})
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	o := e.officer()
	p := e.pair(o)
	text, tok := e.sign(p, 1, t0())
	other, _ := e.sign(p, 2, t0())
	page := ts.URL + "/F/" + text
	browserScripts(t, ctx, false)

	check := func(what string, wantStatus, gotStatus int, says ...string) {
		t.Helper()
		if gotStatus != wantStatus {
			body, _, _, _ := browserText(t, ctx)
			t.Fatalf("%s: status %d, want %d: %.300s", what, gotStatus, wantStatus, body)
		}
		body, lang, dir, title := browserText(t, ctx)
		for _, s := range says {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q", what, s)
			}
		}
		if lang == "" || (dir != "ltr" && dir != "rtl") {
			t.Errorf("%s: <html lang=%q dir=%q>", what, lang, dir)
		}
		if strings.Contains(strings.ToLower(title), "police") {
			t.Errorf("%s: title %q names the police", what, title)
		}
		browserAxe(t, ctx, what, axeSource)
		browserFitsWidth(t, ctx, what, browserWidth)
	}

	// scan: the form, English by default
	check("form page", 200, browserNavigate(t, ctx, page), "Alex Smith", "1234AB", "Quick exit", "Your 12 rights", "Victim Support")
	browserScreenshot(t, ctx, "form-320")

	// a refused answer: the form comes back with an error summary (the
	// browser's own check of the required rating is lifted first, as an old
	// browser would not make it)
	browserScripts(t, ctx, true)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("[required]").forEach(e => e.removeAttribute("required"))`)); err != nil {
		t.Fatal(err)
	}
	browserScripts(t, ctx, false)
	status := browserSubmit(t, ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	check("form with errors", 400, status, "Please check your answers", "Choose a rating from 1 to 5")
	browserScreenshot(t, ctx, "form-errors-320")

	// rate, with the real form and no JavaScript
	status = browserSubmit(t, ctx,
		chromedp.Click(chromedp.CSS(`label[for="rating-4"]`)),
		chromedp.Click(chromedp.CSS(`label[for="respect-yes"]`)),
		chromedp.Click(chromedp.CSS(`label[for="age-35-44"]`)),
		chromedp.SendKeys(chromedp.CSS(`#comment`), "Calm and kind."),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	)
	check("thank-you page", 200, status, "Thank you for your feedback")
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/thanks") {
		t.Fatalf("after submit at %q (%v), want the thank-you page", loc, err)
	}
	fb := e.feedbackFor(p, 1)
	if fb.Rating != 4 || fb.Respect != "yes" || fb.AgeBand != "35-44" || fb.Comment != "Calm and kind." || fb.Language != "en" {
		t.Fatalf("stored %+v", fb)
	}
	browserScreenshot(t, ctx, "thanks-320")

	// the same code again
	check("already-answered page", 200, browserNavigate(t, ctx, page), "already in")

	// please contact me, without JavaScript
	check("contact form", 200, browserNavigate(t, ctx, page+"/contact"), "Ask us to contact you", "999")
	browserScreenshot(t, ctx, "contact-320")
	status = browserSubmit(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#phone`), "07700 900123"),
		chromedp.Click(chromedp.CSS(`label[for="safe-no"]`)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	)
	check("contact sent", 200, status, "We have your request")
	if r := e.contactFor(p, 1); r.Phone != "07700 900123" || r.SafeToLeaveMessage != "no" {
		t.Fatalf("stored contact request %+v", r)
	}

	// right to left: Arabic from the switcher, remembered by the cookie
	check("Arabic page", 200, browserNavigate(t, ctx, ts.URL+"/F/"+other+"?lang=ar"))
	_, lang, dir, _ := browserText(t, ctx)
	if lang != "ar" || dir != "rtl" {
		t.Fatalf("Arabic page has <html lang=%q dir=%q>", lang, dir)
	}
	browserScreenshot(t, ctx, "arabic-320")
	check("Arabic contact form", 200, browserNavigate(t, ctx, ts.URL+"/F/"+other+"/contact"), "999")
	if _, lang, _, _ = browserText(t, ctx); lang != "ar" {
		t.Fatalf("the language choice was not remembered: lang %q", lang)
	}
	browserScreenshot(t, ctx, "arabic-contact-320")
	browserNavigate(t, ctx, ts.URL+"/F/"+other+"?lang=en")

	// refusals
	mid := len(text) / 2
	forged := text[:mid] + flip(text[mid]) + text[mid+1:]
	check("forged code", 404, browserNavigate(t, ctx, ts.URL+"/F/"+forged), "could not find")
	e.clock.Set(tok.ExpiresAt)
	check("expired code", 410, browserNavigate(t, ctx, ts.URL+"/F/"+other), "has closed")
}
