package leaflet

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/text/unicode/norm"

	doorstep "github.com/doorstep-project/doorstep"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/")

// The renderer is safe for concurrent use; tests share one.
var (
	rendererOnce sync.Once
	renderer     *Renderer
	rendererErr  error
)

func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	rendererOnce.Do(func() { renderer, rendererErr = NewRenderer() })
	if rendererErr != nil {
		t.Fatal(rendererErr)
	}
	return renderer
}

// needTools skips the test when a system tool is missing (CI installs
// poppler-utils and zbar-tools).
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install poppler-utils zbar-tools): %v", tool, err)
		}
	}
}

func render(t testing.TB, lang string, opt Options) ([]byte, string) {
	t.Helper()
	var c *Content
	if lang != "" {
		var ok bool
		c, ok = defaultLibrary(t).Get(lang)
		if !ok {
			t.Fatalf("no content for %q", lang)
		}
	}
	var b bytes.Buffer
	v, err := testRenderer(t).Render(&b, c, opt)
	if err != nil {
		t.Fatalf("Render(%s): %v", lang, err)
	}
	return b.Bytes(), v
}

func writeTemp(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "leaflet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %v: %v: %s", name, args, err, stderr)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

// pdfText is the text pdftotext extracts, with all white space as single
// spaces, so that titles wrapped over lines can be found.
func pdfText(t *testing.T, path string) (flat string, lines []string) {
	out := run(t, "pdftotext", "-enc", "UTF-8", path, "-")
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return spaces.ReplaceAllString(out, " "), lines
}

type pdfInfo struct {
	pages         int
	width, height float64 // points
	title         string
}

func info(t *testing.T, path string) pdfInfo {
	out := run(t, "pdfinfo", "-enc", "UTF-8", path)
	var pi pdfInfo
	for _, l := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Pages":
			pi.pages, _ = strconv.Atoi(v)
		case "Title":
			pi.title = v
		case "Page size":
			fmt.Sscanf(v, "%g x %g", &pi.width, &pi.height)
		}
	}
	return pi
}

// decodeQR rasterises the top of the leaflet (A4: page 1; thermal: the first
// 590 mm of the roll, as ImageMagick, which zbarimg reads through, refuses
// images over 16,000 pixels) at 150 dpi, as a phone camera would see a print,
// and decodes the QR code with zbarimg and, in process, with gozxing.
// TestQRPlacement checks that the code lies in that part.
func decodeQR(t *testing.T, path string) (zbar, zxing []string) {
	dir := t.TempDir()
	run(t, "pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", "1300", "-H", strconv.Itoa(qrWindowPx), path, filepath.Join(dir, "page"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pngs) != 1 {
		t.Fatalf("pdftoppm wrote %d images", len(pngs))
	}
	out, err := exec.Command("zbarimg", "--raw", "-q", pngs[0]).Output()
	if err == nil {
		zbar = strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	}
	f, err := os.Open(pngs[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err == nil {
		zxing = append(zxing, res.GetText())
	}
	return zbar, zxing
}

// qrWindowPx is the height decodeQR rasterises: 590 mm at 150 dpi.
const qrWindowPx = 3500

// TestQRPlacement checks that the QR code is drawn once, on the first page,
// within the part of the page decodeQR rasterises, and square.
func TestQRPlacement(t *testing.T) {
	for _, lang := range []string{"en", "pl", "ro"} {
		for _, format := range []string{doorstep.FormatA4, doorstep.FormatThermal} {
			for _, large := range []bool{false, true} {
				opt := testOptions()
				opt.Format, opt.LargePrint = format, large
				l := layoutFor(t, lang, opt)
				pages, err := l.paginate()
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for pn, page := range pages {
					for _, pl := range page {
						for _, o := range pl.b.ops {
							if o.kind != opQR {
								continue
							}
							n++
							bottom := (pl.y + o.y + o.w) / 25.4 * 150
							if pn != 0 || bottom > qrWindowPx-50 {
								t.Errorf("%s %s large=%v: QR on page %d ending at %.0f px", lang, format, large, pn+1, bottom)
							}
							if o.w < 35 {
								t.Errorf("%s %s large=%v: QR only %.0f mm wide", lang, format, large, o.w)
							}
						}
					}
				}
				if n != 1 {
					t.Errorf("%s %s large=%v: %d QR codes", lang, format, large, n)
				}
			}
		}
	}
}

// policeWords are police branding in the languages printed.
var policeWords = regexp.MustCompile(`(?i)polic|poli[țt]i|polis|heddlu|metropolitan`)

func TestRenderMatrix(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo", "pdftoppm", "zbarimg")
	lib := defaultLibrary(t)
	for _, format := range []string{doorstep.FormatA4, doorstep.FormatThermal} {
		for _, mode := range []string{"normal", "large", "discreet"} {
			for _, lang := range []string{"en", "cy", "pl", "ro", "tr"} {
				t.Run(format+"/"+mode+"/"+lang, func(t *testing.T) {
					t.Parallel()
					opt := testOptions()
					opt.Format, opt.LargePrint, opt.Discreet = format, mode == "large", mode == "discreet"
					pdf, version := render(t, lang, opt)
					c, _ := lib.Get(lang)
					if version != c.Version {
						t.Errorf("version %q, want %q", version, c.Version)
					}
					if len(pdf) >= 150<<10 {
						t.Errorf("PDF is %d bytes, want < 150 KB", len(pdf))
					}
					path := writeTemp(t, pdf)

					text, lines := pdfText(t, path)
					for _, want := range []string{opt.OfficerName, opt.CollarNumber, opt.CrimeRef, opt.Borough, c.Labels["scan"], c.FocusDesk.Hours, "08 08 16 89 111", c.Version} {
						if !strings.Contains(text, want) {
							t.Errorf("pdftotext lacks %q", want)
						}
					}
					for _, r := range c.Rights {
						if !strings.Contains(text, r.Title) {
							t.Errorf("pdftotext lacks right %d %q", r.Number, r.Title)
						}
					}
					if lang == "ro" && !strings.Contains(text, "infracțiunii") {
						t.Error("Romanian ț not extracted")
					}

					pi := info(t, path)
					switch {
					case format == doorstep.FormatThermal:
						if pi.pages != 1 || fmt.Sprintf("%.2f", pi.width) != "226.77" {
							t.Errorf("thermal: %d pages %.2f pt wide, want 1 page 226.77 pt (80 mm)", pi.pages, pi.width)
						}
					case mode == "large":
						if pi.pages > 6 {
							t.Errorf("A4 large print: %d pages, want at most 6", pi.pages)
						}
					default:
						if pi.pages > 2 || pi.width < 595 || pi.width > 596 {
							t.Errorf("A4: %d pages %.2f pt wide, want at most 2 A4 pages", pi.pages, pi.width)
						}
					}

					if mode == "discreet" {
						if policeWords.MatchString(pi.title) || pi.title != c.Labels["discreet_title"] {
							t.Errorf("discreet PDF title %q", pi.title)
						}
						if first := strings.Join(lines[:min(8, len(lines))], " | "); policeWords.MatchString(first) {
							t.Errorf("discreet leaflet's first lines name the police: %s", first)
						}
					} else if pi.title != c.Title {
						t.Errorf("PDF title %q, want %q", pi.title, c.Title)
					}

					if mode == "large" {
						if min := minWordHeight(t, path); min < 16*1.15 {
							t.Errorf("large print: smallest word box %.1f pt high, want text of 16 pt or more", min)
						}
					}

					zbar, zxing := decodeQR(t, path)
					if len(zbar) != 1 || zbar[0] != opt.FeedbackURL {
						t.Errorf("zbarimg decoded %q, want exactly %q", zbar, opt.FeedbackURL)
					}
					if len(zxing) != 1 || zxing[0] != opt.FeedbackURL {
						t.Errorf("gozxing decoded %q, want exactly %q", zxing, opt.FeedbackURL)
					}
				})
			}
		}
	}
}

var wordBox = regexp.MustCompile(`<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">`)

// minWordHeight is the smallest word box pdftotext reports; DejaVu's boxes are
// 1.164 em high, so 16 pt text gives 18.6 pt.
func minWordHeight(t *testing.T, path string) float64 {
	out := run(t, "pdftotext", "-bbox", path, "-")
	least := 1e9
	for _, m := range wordBox.FindAllStringSubmatch(out, -1) {
		y0, _ := strconv.ParseFloat(m[1], 64)
		y1, _ := strconv.ParseFloat(m[2], 64)
		least = min(least, y1-y0)
	}
	return least
}

// TestLargePrintSizes checks every text the layout places, footer included.
func TestLargePrintSizes(t *testing.T) {
	for _, format := range []string{doorstep.FormatA4, doorstep.FormatThermal} {
		opt := testOptions()
		opt.Format, opt.LargePrint = format, true
		l := layoutFor(t, "pl", opt)
		if l.m.body < largeMinSize {
			t.Errorf("%s: body %.1f pt", format, l.m.body)
		}
		for _, b := range l.blocks {
			for _, o := range b.ops {
				if o.kind == opText && o.size < largeMinSize {
					t.Errorf("%s: %q set at %.1f pt", format, o.text, o.size)
				}
			}
		}
		if f := max(l.m.small, 7.5); f < largeMinSize {
			t.Errorf("%s: footer at %.1f pt", format, f)
		}
	}
}

func layoutFor(t *testing.T, lang string, opt Options) *layout {
	t.Helper()
	r := testRenderer(t)
	c, _ := defaultLibrary(t).Get(lang)
	if err := checkOptions(&opt); err != nil {
		t.Fatal(err)
	}
	l := newLayout(r, c, opt, nil, nil)
	if _, err := l.run(); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestNothingCutOff checks that every text the layout places fits inside the
// page's margins, in every language, format and mode.
func TestNothingCutOff(t *testing.T) {
	lib := defaultLibrary(t)
	for _, lang := range lib.Languages() {
		for _, format := range []string{doorstep.FormatA4, doorstep.FormatThermal} {
			for _, large := range []bool{false, true} {
				opt := testOptions()
				opt.Format, opt.LargePrint = format, large
				opt.OfficerName = "PC Bartholomew Featherstonehaugh-Wainwright"
				c, _ := lib.Get(lang)
				if !c.PDFSupported {
					continue
				}
				if err := checkOptions(&opt); err != nil {
					t.Fatal(err)
				}
				l := newLayout(testRenderer(t), c, opt, nil, nil)
				pages, err := l.run()
				if err != nil {
					t.Fatal(err)
				}
				for pn, page := range pages {
					for _, pl := range page {
						for _, o := range pl.b.ops {
							if o.kind != opText {
								continue
							}
							right := o.x + l.textW(o.text, o.bold, o.size)
							y := pl.y + o.y
							if o.x < l.m.margin-0.01 || right > l.m.pageW-l.m.margin+0.01 || y > l.pageH-l.m.margin/2 || (!l.m.thermal && !pl.b.fullBleed && y > l.m.bottom) {
								t.Errorf("%s %s large=%v page %d: %q at x %.1f–%.1f, y %.1f is outside the page's text area", lang, format, large, pn+1, o.text, o.x, right, y)
							}
						}
					}
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{doorstep.FormatA4, doorstep.FormatThermal} {
		opt := testOptions()
		opt.Format = format
		a, _ := render(t, "cy", opt)
		b, _ := render(t, "cy", opt)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of the same input differ", format)
		}
		opt.CreationDate = time.Time{} // falls back to IssuedAt: still deterministic
		c, _ := render(t, "cy", opt)
		if !bytes.Equal(a, c) {
			t.Errorf("%s: zero CreationDate did not default to IssuedAt", format)
		}
	}
}

// TestConcurrentRender renders in parallel (run with -race) and checks each
// result against a sequential render.
func TestConcurrentRender(t *testing.T) {
	langs := []string{"en", "cy", "pl", "ro", "pt", "es", "tr", "ar"}
	want := map[string][]byte{}
	for _, lang := range langs {
		want[lang], _ = render(t, lang, testOptions())
	}
	var wg sync.WaitGroup
	for i := range 3 * len(langs) {
		lang := langs[i%len(langs)]
		wg.Go(func() {
			var b bytes.Buffer
			c, _ := defaultLibrary(t).Get(lang)
			if _, err := testRenderer(t).Render(&b, c, testOptions()); err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(b.Bytes(), want[lang]) {
				t.Errorf("%s: concurrent render differs from sequential", lang)
			}
		})
	}
	wg.Wait()
}

// TestFontTemplate checks that fonts parsed once (the fast path, active with the
// pinned fpdf) give the same bytes as fonts parsed per document through
// fpdf's public API.
func TestFontTemplate(t *testing.T) {
	r := testRenderer(t)
	if r.subset.tmpl == nil {
		t.Fatal("fpdf's font internals changed: every document now parses the fonts (slower); update fontTemplate")
	}
	lib := defaultLibrary(t)
	for _, tc := range []struct {
		lang   string
		format string
		large  bool
		name   string
	}{
		{"en", doorstep.FormatA4, false, ""},
		{"ro", doorstep.FormatA4, true, ""},
		{"tr", doorstep.FormatThermal, false, ""},
		{"pl", doorstep.FormatA4, false, "PC Ιωάννης Παπαδόπουλος"}, // the full faces' template
	} {
		opt := testOptions()
		opt.Format, opt.LargePrint = tc.format, tc.large
		if tc.name != "" {
			opt.OfficerName = tc.name
		}
		c, _ := lib.Get(tc.lang)
		var fast, slow bytes.Buffer
		if _, err := r.render(&fast, c, opt, false); err != nil {
			t.Fatal(err)
		}
		if _, err := r.render(&slow, c, opt, true); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast.Bytes(), slow.Bytes()) {
			t.Errorf("%+v: template and parsed fonts give different PDFs", tc)
		}
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		opt        func(*Options)
	}{
		{"en-a4", "en", func(*Options) {}},
		{"cy-a4-discreet", "cy", func(o *Options) { o.Discreet = true }},
		{"ro-thermal-large", "ro", func(o *Options) { o.Format, o.LargePrint = doorstep.FormatThermal, true }},
		{"ar-thermal", "ar", func(o *Options) { o.Format = doorstep.FormatThermal; o.CrimeRef = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := testOptions()
			tc.opt(&opt)
			got, _ := render(t, tc.lang, opt)
			path := filepath.Join("testdata", tc.name+".golden.pdf")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (%d bytes, golden %d); if the change is intended, look at the new PDF and run go test -run TestGolden -update", path, len(got), len(want))
			}
		})
	}
}

func TestFallbackForUnsupportedScripts(t *testing.T) {
	needTools(t, "pdftotext", "pdftoppm", "zbarimg")
	lib := defaultLibrary(t)
	en, _ := lib.Get("en")
	for _, tc := range []struct{ lang, name, own string }{
		{"ar", "Arabic", "العربية"},
		{"ur", "Urdu", "اردو"},
		{"bn", "Bengali", ""}, // DejaVu Sans has no Bengali: English name only
	} {
		t.Run(tc.lang, func(t *testing.T) {
			pdf, version := render(t, tc.lang, testOptions())
			if version != en.Version {
				t.Errorf("version %q, want the English content's %q", version, en.Version)
			}
			path := writeTemp(t, pdf)
			text, _ := pdfText(t, path)
			if !strings.Contains(text, "This leaflet is in English") || !strings.Contains(text, tc.name) {
				t.Errorf("no fallback line naming %s in: %.300s", tc.name, text)
			}
			// pdftotext returns the Arabic presentation forms fpdf drew.
			if tc.own != "" && !strings.Contains(norm.NFKC.String(text), tc.own) {
				t.Errorf("fallback line lacks the language's own name %q", tc.own)
			}
			if !strings.Contains(text, en.Rights[0].Title) {
				t.Error("English rights missing")
			}
			zbar, _ := decodeQR(t, path)
			if len(zbar) != 1 || zbar[0] != testURL {
				t.Errorf("QR %q", zbar)
			}
		})
	}
}

func TestRenderPicksContentByLanguage(t *testing.T) {
	needTools(t, "pdftotext")
	opt := testOptions()
	opt.Language = "cy-GB,en;q=0.5"
	pdf, version := render(t, "", opt)
	if version != "2021-04.1" {
		t.Errorf("version %q", version)
	}
	text, _ := pdfText(t, writeTemp(t, pdf))
	if !strings.Contains(text, "Eich hawliau fel dioddefwr trosedd") || !strings.Contains(text, "21 Tachwedd 2026") {
		t.Errorf("not the Welsh leaflet: %.200s", text)
	}
}

func TestRenderOtherScriptsInNames(t *testing.T) {
	needTools(t, "pdftotext")
	opt := testOptions()
	opt.OfficerName = "PC Ιωάννης Παπαδόπουλος" // Greek: outside the cut fonts, inside DejaVu Sans
	opt.Borough = "Київ"
	pdf, _ := render(t, "en", opt)
	text, _ := pdfText(t, writeTemp(t, pdf))
	if !strings.Contains(text, opt.OfficerName) || !strings.Contains(text, opt.Borough) {
		t.Errorf("names in other scripts not extracted: %.300s", text)
	}
	if len(pdf) >= 150<<10 {
		t.Errorf("PDF with full-font subset is %d bytes", len(pdf))
	}

	opt.OfficerName = "PC 李小龍" // no CJK in DejaVu Sans
	_, err := testRenderer(t).Render(&bytes.Buffer{}, nil, opt)
	if doorstep.ErrorCode(err) != doorstep.EINVALID || !strings.Contains(err.Error(), "U+674E") {
		t.Errorf("unprintable name: %v", err)
	}
}

func TestRenderRejectsBadOptions(t *testing.T) {
	r := testRenderer(t)
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no officer", func(o *Options) { o.OfficerName = " " }, "officer name is required"},
		{"no collar", func(o *Options) { o.CollarNumber = "" }, "collar number is required"},
		{"format", func(o *Options) { o.Format = "a5" }, "format"},
		{"no URL", func(o *Options) { o.FeedbackURL = "" }, "feedback URL is required"},
		{"not http", func(o *Options) { o.FeedbackURL = "javascript:alert(1)" }, "http(s) URL"},
		{"long URL", func(o *Options) { o.FeedbackURL = "HTTPS://X.ORG/F/" + strings.Repeat("A", 180) }, "QR"},
		{"huge URL", func(o *Options) { o.FeedbackURL = "HTTPS://X.ORG/" + strings.Repeat("A", 300) }, "over the limit"},
		{"no time", func(o *Options) { o.IssuedAt = time.Time{} }, "issue time"},
		{"bad UTF-8", func(o *Options) { o.OfficerName = "PC \xff" }, "UTF-8"},
		{"control", func(o *Options) { o.CrimeRef = "CR\x1b[2J" }, "not allowed"},
		{"long name", func(o *Options) { o.OfficerName = strings.Repeat("A", 101) }, "over the limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := testOptions()
			tc.edit(&opt)
			var b bytes.Buffer
			_, err := r.Render(&b, nil, opt)
			if doorstep.ErrorCode(err) != doorstep.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want EINVALID with %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", b.Len())
			}
		})
	}

	bad := *mustGet(t, "en")
	bad.Rights = bad.Rights[:3]
	if _, err := r.Render(&bytes.Buffer{}, &bad, testOptions()); doorstep.ErrorCode(err) != doorstep.EINVALID {
		t.Errorf("invalid content: %v", err)
	}
}

func mustGet(t *testing.T, lang string) *Content {
	c, ok := defaultLibrary(t).Get(lang)
	if !ok {
		t.Fatal(lang)
	}
	return c
}

func TestEmptyCrimeRefLeavesALine(t *testing.T) {
	needTools(t, "pdftotext")
	opt := testOptions()
	opt.CrimeRef, opt.Borough = "", ""
	pdf, _ := render(t, "en", opt)
	text, _ := pdfText(t, writeTemp(t, pdf))
	if !strings.Contains(text, "Crime reference") || strings.Contains(text, "Borough") {
		t.Errorf("unexpected visit block: %.400s", text)
	}
}
