package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/doorstep-project/doorstep/leaflet"
	mobileapi "github.com/doorstep-project/doorstep/mobile-api"
	"github.com/doorstep-project/doorstep/qrcode"
)

const chromiumPath = "/usr/bin/chromium"

// chromiumFlags are the flags every baseline Chromium runs with.
func chromiumFlags(userDataDir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + userDataDir}
}

// issueCrimeRef is the crime reference every benchmark leaflet prints.
const issueCrimeRef = "CR/1234/26"

// benchIssue measures an offline issue on the device (token, QR PNG, A4
// leaflet, durable local write) against the same leaflet printed from HTML by
// headless Chromium, cold and warm.
func benchIssue(ctx context.Context, e *env, rep *report) error {
	srv, err := e.serve(ctx, "issue", true)
	if err != nil {
		return err
	}
	defer srv.stop()
	a := &api{base: srv.url, hc: newClient(nil, 4)}
	oid, err := a.newOfficer(ctx, 1)
	if err != nil {
		return err
	}

	// The device library, as the phone app links it.
	code, err := a.pairingCode(ctx, oid)
	if err != nil {
		return err
	}
	dev, err := mobileapi.Open(filepath.Join(e.tmp, "phone"))
	if err != nil {
		return err
	}
	defer dev.Close()
	if err := dev.Pair(srv.url, code, "bench phone"); err != nil {
		return fmt.Errorf("pair: %w", err)
	}
	opts := &mobileapi.IssueOptions{CrimeRef: issueCrimeRef, Language: "en", Format: "a4"}
	t0 := time.Now()
	first, err := dev.Issue(opts)
	if err != nil {
		return err
	}
	firstTime := time.Since(t0)
	for range 3 { // warm up
		if _, err := dev.Issue(opts); err != nil {
			return err
		}
	}
	var times latencies
	var sizes, pdfSizes ints
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	deadline := time.Now().Add(e.issueBudget)
	for i := 0; i < e.issueRuns && time.Now().Before(deadline); i++ {
		t := time.Now()
		is, err := dev.Issue(opts)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t))
		sizes = append(sizes, len(is.PDF)+len(is.QRPNG))
		pdfSizes = append(pdfSizes, len(is.PDF))
	}
	runtime.ReadMemStats(&ms1)
	allocPer := int(ms1.TotalAlloc-ms0.TotalAlloc) / max(len(times), 1)
	if err := os.WriteFile(filepath.Join(e.tmp, "doorstep-leaflet.pdf"), first.PDF, 0o600); err != nil {
		return err
	}

	// One process per leaflet: the binary's "device issue", like a cold Chromium.
	bin := e.bin
	coldState := filepath.Join(e.tmp, "phone-cli")
	code2, err := a.pairingCode(ctx, oid)
	if err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, bin, "device", "--state", coldState, "pair", "--server", srv.url, "--code", code2).CombinedOutput(); err != nil {
		return fmt.Errorf("device pair: %v: %s", err, out)
	}
	var cliTimes latencies
	for i := 0; i < e.coldRuns; i++ {
		pdf := filepath.Join(e.tmp, fmt.Sprintf("cli-%d.pdf", i))
		qr := filepath.Join(e.tmp, fmt.Sprintf("cli-%d.png", i))
		t := time.Now()
		out, err := exec.CommandContext(ctx, bin, "device", "--state", coldState, "issue", "--crime-ref", issueCrimeRef, "--lang", "en", "--pdf", pdf, "--qr", qr).CombinedOutput()
		if err != nil {
			return fmt.Errorf("device issue: %v: %s", err, out)
		}
		cliTimes = append(cliTimes, time.Since(t))
	}

	// The baseline: the same leaflet as HTML, printed by Chromium.
	lib, err := leaflet.Default()
	if err != nil {
		return err
	}
	content, _ := lib.Get("en")
	tmpl, err := template.New("leaflet").Parse(leafletHTML)
	if err != nil {
		return err
	}
	html := func(i int) (string, error) {
		url := first.URL
		c, err := qrcode.Encode(url)
		if err != nil {
			return "", err
		}
		png, err := c.PNG(mobileapi.QRSize)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		err = tmpl.Execute(&b, map[string]any{
			"C": content, "Officer": "Bench Officer 1", "Collar": "B00001XX", "Borough": "Hackney",
			"CrimeRef": issueCrimeRef, "Date": time.Now().Format("2 January 2006"), "URL": url,
			"QR": template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		})
		if err != nil {
			return "", err
		}
		p := filepath.Join(e.tmp, fmt.Sprintf("leaflet-%d.html", i))
		return p, os.WriteFile(p, b.Bytes(), 0o600)
	}

	var coldTimes latencies
	var coldSizes ints
	for i := 0; i < e.coldRuns; i++ {
		t := time.Now()
		p, err := html(i)
		if err != nil {
			return err
		}
		out := filepath.Join(e.tmp, fmt.Sprintf("chromium-cold-%d.pdf", i))
		udd, err := os.MkdirTemp(e.tmp, "chromium-profile-")
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		args := append(chromiumFlags(udd), "--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+p)
		cmdOut, err := exec.CommandContext(cctx, chromiumPath, args...).CombinedOutput()
		cancel()
		if err != nil {
			return fmt.Errorf("chromium --print-to-pdf: %v: %.500s", err, cmdOut)
		}
		coldTimes = append(coldTimes, time.Since(t))
		fi, err := os.Stat(out)
		if err != nil {
			return fmt.Errorf("chromium wrote no PDF: %.500s", cmdOut)
		}
		coldSizes = append(coldSizes, int(fi.Size()))
	}

	warmTimes, warmSizes, warmStart, err := chromiumWarm(ctx, e, html)
	if err != nil {
		return err
	}

	med := times.median()
	rep.add("issue", "offline issue on the device (mobileapi.Issue: token + QR PNG + A4 PDF + local commit), median",
		ms(med), "", "< 10 ms", boolp(med < 10*time.Millisecond))
	rep.add("issue", "offline issue, p99", ms(times.p99()), fmt.Sprintf("%d runs", len(times)), "", nil)
	rep.add("issue", "offline issue, bytes out (PDF + PNG), median / p99",
		kib(sizes.quantile(0.5))+" / "+kib(sizes.quantile(0.99)), "PDF alone "+kib(pdfSizes.quantile(0.5)), "", nil)
	rep.add("issue", "offline issue, Go heap allocated per issue", kib(allocPer), "", "", nil)
	rep.add("issue", "first issue after Open (fonts parsed)", ms(firstTime), "", "", nil)
	wm := warmTimes.median()
	rep.add("issue", "baseline: warm Chromium (chromedp PrintToPDF, one browser reused), median / p99",
		ms(wm)+" / "+ms(warmTimes.p99()), "Doorstep "+ratio(float64(wm), float64(med))+" faster",
		"≥ 100× faster", boolp(float64(wm) >= 100*float64(med)))
	rep.add("issue", "baseline: warm Chromium, bytes (PDF) median", kib(warmSizes.quantile(0.5)),
		fmt.Sprintf("%d runs; browser start %s", len(warmTimes), ms(warmStart)), "", nil)
	cm := coldTimes.median()
	rep.add("issue", "baseline: cold Chromium process per leaflet (--print-to-pdf), median / p99",
		ms(cm)+" / "+ms(coldTimes.p99()), "Doorstep "+ratio(float64(cm), float64(med))+" faster", "", nil)
	rep.add("issue", "baseline: cold Chromium, bytes (PDF) median", kib(coldSizes.quantile(0.5)), fmt.Sprintf("%d runs", len(coldTimes)), "", nil)
	clm := cliTimes.median()
	rep.add("issue", "one doorstep process per leaflet (doorstep device issue), median",
		ms(clm), "vs cold Chromium: "+ratio(float64(cm), float64(clm))+" faster", "", nil)
	return nil
}

// chromiumWarm prints leaflets with one browser kept running (chromedp).
func chromiumWarm(ctx context.Context, e *env, html func(int) (string, error)) (latencies, ints, time.Duration, error) {
	udd, err := os.MkdirTemp(e.tmp, "chromium-warm-")
	if err != nil {
		return nil, nil, 0, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(udd),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	t0 := time.Now()
	// The first call starts the browser; it must not carry a timeout (that
	// would stop the browser), the run's own deadline bounds it.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		return nil, nil, 0, fmt.Errorf("chromedp start: %w", err)
	}
	start := time.Since(t0)
	var times latencies
	var sizes ints
	deadline := time.Now().Add(e.warmBudget)
	const warmup = 1 // the first print warms the page machinery up
	for i := 0; i < e.warmRuns+warmup && time.Now().Before(deadline); i++ {
		t := time.Now()
		p, err := html(1000 + i)
		if err != nil {
			return nil, nil, 0, err
		}
		rctx, cancel := context.WithTimeout(bctx, 30*time.Second)
		err = chromedp.Do(rctx, chromedp.Navigate("file://"+p))
		var pdf []byte
		if err == nil {
			pdf, err = chromedp.Run(rctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(), chromedp.PDFPreferCSSPageSize()))
		}
		cancel()
		if err != nil {
			return nil, nil, 0, fmt.Errorf("chromedp print: %w", err)
		}
		if i < warmup {
			continue
		}
		times = append(times, time.Since(t))
		sizes = append(sizes, len(pdf))
	}
	return times, sizes, start, nil
}

// leafletHTML is the Victims' Code leaflet as a team would write it for a
// browser to print: the same content, officer details, QR code and URL.
const leafletHTML = `<!doctype html>
<html lang="{{.C.Language}}"><head><meta charset="utf-8"><title>{{.C.Title}}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.3; color: #000; }
h1 { font-size: 18pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 4mm 0 2mm; }
.visit { border: 1px solid #000; padding: 3mm; display: flex; gap: 5mm; align-items: center; }
.visit img { width: 40mm; height: 40mm; }
ol { padding-left: 6mm; } li { margin-bottom: 1.5mm; }
.contacts { columns: 2; } .contact { break-inside: avoid; margin-bottom: 2mm; }
</style></head><body>
<h1>{{.C.Title}}</h1>
<div class="visit"><img src="{{.QR}}" alt="QR code">
<div><p><strong>{{.Officer}}</strong> ({{.Collar}}), {{.Borough}}</p>
<p>Crime reference: {{.CrimeRef}}</p><p>Date: {{.Date}}</p>
<p>Tell us how we did: {{.URL}}</p></div></div>
<p>{{.C.Intro}}</p>
<h2>Your rights</h2>
<ol>{{range .C.Rights}}<li><strong>{{.Title}}</strong>. {{.Gist}}</li>{{end}}</ol>
<p>{{.C.EnhancedRights}}</p>
<ul>{{range .C.TimeLimits}}<li>{{.}}</li>{{end}}</ul>
<p>{{.C.VictimStatement}}</p>
<h2>{{.C.FocusDesk.Name}}</h2><p>{{.C.FocusDesk.Phone}} {{.C.FocusDesk.Hours}} {{.C.FocusDesk.Note}}</p>
<div class="contacts">{{range .C.Contacts}}<div class="contact"><strong>{{.Name}}</strong><br>{{.Phone}} {{.Hours}}<br>{{.Note}}</div>{{end}}</div>
<p>Content version {{.C.Version}}</p>
</body></html>
`
