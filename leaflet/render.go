package leaflet

import (
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"golang.org/x/text/unicode/norm"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
)

// Options are the per-leaflet inputs.
type Options struct {
	// Format is doorstep.FormatA4 (the default when empty) or
	// doorstep.FormatThermal: an 80 mm wide roll, one page as long as the
	// content needs.
	Format string
	// LargePrint sets every text at 16 pt or more. On A4 this takes more pages
	// (five to six) than the normal leaflet's two.
	LargePrint bool
	// Discreet leaves police branding out of the title, the header, the first
	// lines and the PDF metadata: the leaflet is titled with the neutral
	// "discreet_title" label ("Support information") and still lists the
	// rights and the support lines.
	Discreet bool
	// Language picks the content when Render is given none: the best match in
	// the embedded content set (an Accept-Language value or a tag; English when
	// empty).
	Language string
	// OfficerName and CollarNumber are required; Borough may be empty.
	OfficerName, CollarNumber, Borough string
	// CrimeRef may be empty (a line is left to write it on).
	CrimeRef string
	// IssuedAt is the visit; its date is printed in IssuedAt's own location.
	IssuedAt time.Time
	// FeedbackURL is printed as text and drawn as the QR code.
	FeedbackURL string
	// QR, when set, is FeedbackURL already encoded (a caller that also makes a
	// PNG of it saves encoding it twice); it must encode exactly FeedbackURL.
	QR *qrcode.Code
	// CreationDate is the PDF's creation and modification date; zero means
	// IssuedAt. Fix it for byte-identical output.
	CreationDate time.Time
	// Fallback is the English content printed when the requested language
	// cannot be printed (Content.PDFSupported false); nil means the embedded
	// English.
	Fallback *Content
}

// Limits on option fields, in characters.
const (
	maxOptionText = 100
	maxCrimeRef   = 64
	maxURL        = 200
)

// Renderer renders leaflets. It holds the fonts, read once, and is safe for
// concurrent use.
type Renderer struct {
	full   *fontSet // DejaVu Sans as shipped: metrics for every character it has
	subset *fontSet // the same faces cut to the characters leaflets use
	lib    *Library // the embedded content set
}

// NewRenderer reads DejaVu Sans (regular and bold) once: it cuts both faces down
// to the Latin characters leaflets use and has fpdf parse the cut faces once,
// keeping the parse for every document. Text outside the cut (an officer's name
// in another script, say) is embedded from the full faces, which are parsed the
// first time they are needed.
func NewRenderer() (*Renderer, error) {
	full, err := newFontSet(dejavusans.TTF, dejavusansbold.TTF)
	if err != nil {
		return nil, err
	}
	lib, err := Default()
	if err != nil {
		return nil, err
	}
	var cut []rune
	for _, rg := range baseCutset() {
		for r := rg[0]; r <= rg[1]; r++ {
			cut = append(cut, r)
		}
	}
	var seen runeSet
	for _, r := range cut {
		seen.add(r)
	}
	addText := func(s string) {
		for _, r := range s {
			if !seen.has(r) {
				seen.add(r)
				cut = append(cut, r)
			}
		}
	}
	for _, lang := range lib.Languages() {
		c, _ := lib.Get(lang)
		if c.PDFSupported {
			eachText(c, func(_ string, s *string) { addText(*s) })
		}
		addText(c.Labels["pdf_name"])
	}
	subset, err := subsetFontSet(full, cut)
	if err != nil {
		return nil, err
	}
	if err := subset.prepare(); err != nil {
		return nil, err
	}
	r := &Renderer{full: full, subset: subset, lib: lib}
	if subset.tmpl != nil && !r.templateMatches() {
		subset.tmpl = nil
	}
	return r, nil
}

// templateMatches renders a probe leaflet with the parsed-once fonts and with
// fonts parsed through fpdf's public API, and reports whether both PDFs are
// identical.
func (r *Renderer) templateMatches() bool {
	en, _ := r.lib.Get(DefaultLanguage)
	opt := Options{
		Format: doorstep.FormatThermal, OfficerName: "Probe", CollarNumber: "0",
		IssuedAt: time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC), FeedbackURL: "HTTPS://EXAMPLE.ORG/F/0",
	}
	var a, b strings.Builder
	if _, err := r.render(&a, en, opt, false); err != nil {
		return false
	}
	if _, err := r.render(&b, en, opt, true); err != nil {
		return false
	}
	return a.String() == b.String()
}

// Render writes one leaflet as PDF to w and returns the version of the content
// it printed. c is the victim's language; nil picks one from the embedded set by
// opt.Language. Content that cannot be printed (Arabic, Urdu, Bengali) gives an
// English leaflet with a line, in English and naming the language in its own
// script where the font can draw it, sending the victim to the feedback URL,
// whose page the browser renders in their language. Nothing is written when
// an error is returned: doorstep.EINVALID for bad options or content.
func (r *Renderer) Render(w io.Writer, c *Content, opt Options) (version string, err error) {
	return r.render(w, c, opt, false)
}

func (r *Renderer) render(w io.Writer, c *Content, opt Options, parseFonts bool) (string, error) {
	if c == nil {
		c, _ = r.lib.Get(r.lib.Match(opt.Language))
	}
	if err := checkOptions(&opt); err != nil {
		return "", err
	}
	requested := c
	if !c.PDFSupported {
		c = opt.Fallback
		if c == nil {
			c, _ = r.lib.Get(DefaultLanguage)
		}
		if !c.PDFSupported || c.Labels["fallback_note"] == "" {
			return "", invalid("fallback content %q cannot be printed", c.Language)
		}
	} else {
		requested = nil
	}
	if err := validate(c); err != nil {
		return "", err
	}
	code := opt.QR
	if code == nil {
		var err error
		if code, err = qrcode.Encode(opt.FeedbackURL); err != nil {
			return "", err
		}
	} else if code.Text() != opt.FeedbackURL {
		return "", invalid("the QR code given does not encode the feedback URL")
	}

	l := newLayout(r, c, opt, requested, code.Bitmap())
	pages, err := l.run()
	if err != nil {
		return "", err
	}
	fonts := r.subset
	if l.needFull {
		fonts = r.full
	}
	pdf := l.newDocument()
	if parseFonts {
		fonts.addByParsing(pdf)
	} else if err := fonts.install(pdf); err != nil {
		return "", err
	}
	l.draw(pdf, pages)
	if err := pdf.Error(); err != nil {
		return "", doorstep.Errorf(doorstep.EINTERNAL, "render leaflet: %v", err)
	}
	if err := pdf.Output(w); err != nil {
		return "", doorstep.Errorf(doorstep.EINTERNAL, "write leaflet: %v", err)
	}
	return c.Version, nil
}

// checkOptions validates and normalises the options.
func checkOptions(opt *Options) error {
	switch opt.Format {
	case "":
		opt.Format = doorstep.FormatA4
	case doorstep.FormatA4, doorstep.FormatThermal:
	default:
		return invalid("format %q is neither %q nor %q", clip(opt.Format), doorstep.FormatA4, doorstep.FormatThermal)
	}
	fields := []struct {
		name  string
		s     *string
		limit int
		need  bool
	}{
		{"officer name", &opt.OfficerName, maxOptionText, true},
		{"collar number", &opt.CollarNumber, maxOptionText, true},
		{"borough", &opt.Borough, maxOptionText, false},
		{"crime reference", &opt.CrimeRef, maxCrimeRef, false},
		{"feedback URL", &opt.FeedbackURL, maxURL, true},
	}
	for _, f := range fields {
		if !utf8.ValidString(*f.s) {
			return invalid("%s is not valid UTF-8", f.name)
		}
		*f.s = norm.NFC.String(strings.TrimSpace(*f.s))
		if *f.s == "" && f.need {
			return invalid("%s is required", f.name)
		}
		if n := utf8.RuneCountInString(*f.s); n > f.limit {
			return invalid("%s is %d characters, over the limit of %d", f.name, n, f.limit)
		}
		if i := strings.IndexFunc(*f.s, badRune); i >= 0 {
			return invalid("%s contains a character that is not allowed", f.name)
		}
	}
	u := strings.ToLower(opt.FeedbackURL)
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || strings.ContainsAny(opt.FeedbackURL, " \u00a0") {
		return invalid("feedback URL must be an http(s) URL without spaces")
	}
	if opt.IssuedAt.IsZero() {
		return invalid("issue time is required")
	}
	if opt.CreationDate.IsZero() {
		opt.CreationDate = opt.IssuedAt
	}
	return nil
}

// Page geometry and type sizes, in millimetres and points.
const (
	ptMM         = 25.4 / 72
	a4W, a4H     = 210.0, 297.0
	thermalW     = 80.0
	a4MaxPages   = 2    // normal print; large print flows on
	maxPageMM    = 5000 // PDF viewers' limit is 200 in (5080 mm)
	largeMinSize = 16.0
)

// metrics are the sizes of one format and print size.
type metrics struct {
	pageW, margin, top, bottom float64 // mm; bottom is the lowest y text may reach (A4)
	body, small, h3, h2, title float64 // pt
	qr, lead, gap              float64
	thermal, large             bool
}

func metricsFor(opt Options, body float64) metrics {
	switch {
	case opt.Format == doorstep.FormatThermal && opt.LargePrint:
		return metrics{pageW: thermalW, margin: 4, top: 4, body: 16, small: 16, h3: 17, h2: 18, title: 21, qr: 60, lead: 1.25, gap: 4, thermal: true, large: true}
	case opt.Format == doorstep.FormatThermal:
		return metrics{pageW: thermalW, margin: 4, top: 4, body: 9, small: 7.5, h3: 10, h2: 11.5, title: 15, qr: 56, lead: 1.3, gap: 3, thermal: true}
	case opt.LargePrint:
		return metrics{pageW: a4W, margin: 15, top: 15, bottom: a4H - 18, body: 16, small: 16, h3: 18, h2: 21, title: 26, qr: 50, lead: 1.3, gap: 5, large: true}
	default:
		return metrics{pageW: a4W, margin: 14, top: 13, bottom: a4H - 15, body: body, small: math.Min(8, body-1.5), h3: body + 1.5, h2: body + 3, title: 21, qr: 38, lead: 1.27, gap: 3.5}
	}
}

type rgb struct{ r, g, b int }

// colours returns the palette: navy on A4, greys when discreet, black only on
// thermal paper.
func colours(m metrics, discreet bool) palette {
	switch {
	case m.thermal:
		k := rgb{0, 0, 0}
		return palette{text: k, muted: k, accent: k, badge: k, panel: rgb{255, 255, 255}, band: k, rule: k, note: rgb{255, 255, 255}}
	case discreet:
		return palette{text: rgb{26, 26, 26}, muted: rgb{80, 80, 80}, accent: rgb{45, 55, 64}, badge: rgb{70, 80, 90}, panel: rgb{242, 242, 242}, band: rgb{45, 55, 64}, rule: rgb{190, 190, 190}, note: rgb{242, 242, 242}}
	default:
		return palette{text: rgb{26, 26, 26}, muted: rgb{75, 80, 90}, accent: rgb{11, 42, 91}, badge: rgb{11, 42, 91}, panel: rgb{236, 241, 247}, band: rgb{11, 42, 91}, rule: rgb{185, 195, 210}, note: rgb{255, 244, 214}}
	}
}

type palette struct{ text, muted, accent, badge, panel, band, rule, note rgb }

type opKind uint8

const (
	opText opKind = iota
	opRect
	opFrame
	opLine
	opCircle
	opQR
	opLink
)

// op is one drawing operation, positioned relative to its block's top.
type op struct {
	kind       opKind
	x, y, w, h float64 // text: x and baseline y; circle: centre and radius in w
	bold       bool
	size       float64
	colour     rgb
	text       string
}

// block is a unit the paginator keeps on one page.
type block struct {
	h, after     float64 // height and space after
	ops          []op
	keepWithNext bool
	fullBleed    bool // drawn from the page's top edge (the header band)
}

type layout struct {
	r         *Renderer
	c         *Content
	requested *Content // the language that could not be printed, or nil
	opt       Options
	qr        [][]bool
	m         metrics
	p         palette
	x0, w     float64
	blocks    []*block
	needFull  bool
	missing   rune
	pageH     float64 // thermal: computed
	pageCount int
}

func newLayout(r *Renderer, c *Content, opt Options, requested *Content, qr [][]bool) *layout {
	return &layout{r: r, c: c, opt: opt, requested: requested, qr: qr}
}

// placed is a block at a y on a page.
type placed struct {
	b *block
	y float64
}

// run lays the leaflet out and paginates it. A4 at normal size shrinks the
// body text in half-point steps (not below 9 pt) until it fits two pages.
func (l *layout) run() ([][]placed, error) {
	sizes := []float64{10, 9.5, 9}
	if l.opt.Format == doorstep.FormatThermal || l.opt.LargePrint {
		sizes = sizes[:1]
	}
	var pages [][]placed
	for _, s := range sizes {
		l.m = metricsFor(l.opt, s)
		l.p = colours(l.m, l.opt.Discreet)
		l.x0, l.w = l.m.margin, l.m.pageW-2*l.m.margin
		l.blocks, l.needFull, l.missing = nil, false, 0
		l.build()
		if l.missing != 0 {
			return nil, invalid("the leaflet font cannot print the character U+%04X", l.missing)
		}
		var err error
		pages, err = l.paginate()
		if err != nil {
			return nil, err
		}
		if len(pages) <= a4MaxPages {
			break
		}
	}
	l.pageCount = len(pages)
	return pages, nil
}

func (l *layout) paginate() ([][]placed, error) {
	if l.m.thermal {
		y := l.m.top
		var page []placed
		for _, b := range l.blocks {
			page = append(page, placed{b, y})
			y += b.h + b.after
		}
		l.pageH = math.Ceil(y + 8) // paper to tear off below the last line
		if l.pageH > maxPageMM {
			return nil, invalid("the leaflet is %.0f mm long, over the %d mm a PDF page can be", l.pageH, maxPageMM)
		}
		return [][]placed{page}, nil
	}
	l.pageH = a4H
	var pages [][]placed
	var page []placed
	y := 0.0
	for i, b := range l.blocks {
		if b.h > l.m.bottom-l.m.top {
			return nil, invalid("a section of the content is too long to fit on a page")
		}
		need := b.h
		if b.keepWithNext && i+1 < len(l.blocks) {
			need += b.after + l.blocks[i+1].h
		}
		if b.fullBleed {
			page = append(page, placed{b, 0})
			y = b.h + b.after
			continue
		}
		if len(page) == 0 {
			y = l.m.top
		} else if y+need > l.m.bottom {
			pages = append(pages, page)
			page, y = nil, l.m.top
		}
		page = append(page, placed{b, y})
		y += b.h + b.after
	}
	return append(pages, page), nil
}

// --- building blocks ---

func (l *layout) lineH(size float64) float64 { return size * ptMM * l.m.lead }

// use records that s is drawn, for the choice of font.
func (l *layout) use(s string) {
	for _, r := range s {
		if l.r.subset.cover.has(r) {
			continue
		}
		if l.r.full.cover.has(r) {
			l.needFull = true
		} else if l.missing == 0 {
			l.missing = r
		}
	}
}

func (l *layout) textW(s string, bold bool, size float64) float64 {
	f := l.r.full.regular
	if bold {
		f = l.r.full.bold
	}
	return float64(f.width(s)) * size / 1000 * ptMM
}

// wrap breaks s into lines no wider than width, at spaces, and inside words
// (URLs) only when a word alone is too wide.
func (l *layout) wrap(s string, bold bool, size, width float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		if word == "" {
			continue
		}
		try := word
		if line != "" {
			try = line + " " + word
		}
		if l.textW(try, bold, size) <= width {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for l.textW(word, bold, size) > width {
			cut := 0
			for i := range word {
				if i > 0 && l.textW(word[:i], bold, size) > width {
					break
				}
				cut = i
			}
			if cut == 0 {
				_, cut = utf8.DecodeRuneInString(word)
			}
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func (l *layout) add(b *block) *block {
	l.blocks = append(l.blocks, b)
	return b
}

// text adds wrapped text at x (relative to the content box) starting at y in
// b, and returns the y below it.
func (b *block) text(l *layout, s string, x, y, width float64, bold bool, size float64, colour rgb) float64 {
	lh := l.lineH(size)
	for _, line := range l.wrap(s, bold, size, width) {
		l.use(line)
		b.ops = append(b.ops, op{kind: opText, x: x, y: y + (lh-size*ptMM)/2 + 0.8*size*ptMM, bold: bold, size: size, colour: colour, text: line})
		y += lh
	}
	return y
}

func (l *layout) paragraph(s string, size float64, bold bool, colour rgb) *block {
	b := &block{after: l.m.gap}
	b.h = b.text(l, s, l.x0, 0, l.w, bold, size, colour)
	return l.add(b)
}

func (l *layout) heading(s string) *block {
	b := &block{after: l.m.gap / 2, keepWithNext: true}
	y := 1.0
	if !l.m.thermal {
		y = 2
	}
	y = b.text(l, s, l.x0, y, l.w, true, l.m.h2, l.p.accent)
	b.ops = append(b.ops, op{kind: opLine, x: l.x0, y: y + 0.6, w: l.w, h: 0.35, colour: l.p.rule})
	if l.m.thermal {
		b.ops[len(b.ops)-1].h = 0.5
	}
	b.h = y + 1.2
	return l.add(b)
}

func (l *layout) build() {
	c, m, p := l.c, l.m, l.p
	// Header.
	hdr := &block{after: m.gap}
	if !m.thermal && !l.opt.Discreet {
		hdr.fullBleed = true
		y := 8.0
		y = hdr.text(l, c.Labels["org"], l.x0, y, l.w, true, math.Max(m.small+1, 9), rgb{255, 255, 255})
		y = hdr.text(l, c.Title, l.x0, y+1, l.w, true, m.title, rgb{255, 255, 255})
		hdr.h = y + 6
		hdr.ops = append([]op{{kind: opRect, x: 0, y: 0, w: m.pageW, h: hdr.h, colour: p.band}}, hdr.ops...)
		hdr.after = m.gap + 1
	} else {
		y := 0.0
		title := c.Title
		if l.opt.Discreet {
			title = c.Labels["discreet_title"]
		} else {
			y = hdr.text(l, c.Labels["org"], l.x0, y, l.w, true, m.small, p.text)
		}
		y = hdr.text(l, title, l.x0, y, l.w, true, m.title, p.accent)
		hdr.ops = append(hdr.ops, op{kind: opLine, x: l.x0, y: y + 1, w: l.w, h: 0.8, colour: p.band})
		hdr.h = y + 2
	}
	l.add(hdr)

	if l.requested != nil {
		l.fallbackNote()
	}
	l.paragraph(c.Intro, m.body, false, p.text)
	l.visitPanel()
	l.focusDesk()

	l.heading(c.Labels["your_rights"])
	for _, rt := range c.Rights {
		l.right(rt)
	}
	l.blocks[len(l.blocks)-1].after = m.gap * 1.5

	l.heading(c.Labels["enhanced"])
	l.paragraph(c.EnhancedRights, m.body, false, p.text).after = m.gap * 1.5

	l.heading(c.Labels["time_limits"])
	for i, t := range c.TimeLimits {
		b := &block{after: 1}
		if i == len(c.TimeLimits)-1 {
			b.after = m.gap * 1.5
		}
		ind := m.body * ptMM * 1.1
		b.text(l, "•", l.x0, 0, ind, false, m.body, p.accent)
		b.h = b.text(l, t, l.x0+ind, 0, l.w-ind, false, m.body, p.text)
		l.add(b)
	}

	l.heading(c.Labels["vps"])
	l.paragraph(c.VictimStatement, m.body, false, p.text).after = m.gap * 1.5

	l.contacts()
	l.paragraph(c.Labels["code_note"], m.small, false, p.muted)
	if m.thermal {
		l.add(&block{h: 0.5, after: 1.5, ops: []op{{kind: opLine, x: l.x0, y: 0, w: l.w, h: 0.3, colour: p.rule}}})
		l.paragraph(l.versionLine(), m.small, false, p.muted)
	}
}

func (l *layout) versionLine() string {
	return l.c.Labels["version"] + " " + l.c.Version + " (" + l.c.Language + ")"
}

// fallbackNote tells, in English and naming the language in its own script
// where the font can draw it, where to read the leaflet in the victim's language.
func (l *layout) fallbackNote() {
	req := l.requested
	name := req.Labels["name_en"]
	if name == "" {
		name = req.Language
	}
	if own := req.Labels["pdf_name"]; own != "" && l.drawable(own) {
		name += " (" + own + ")"
	}
	text := strings.NewReplacer("{language}", name, "{url}", l.opt.FeedbackURL).Replace(l.c.Labels["fallback_note"])
	l.box(func(b *block, x, y, w float64) float64 {
		return b.text(l, text, x, y, w, true, l.m.body, l.p.text)
	}, l.p.note, true)
}

func (l *layout) drawable(s string) bool {
	for _, r := range s {
		if !l.r.full.cover.has(r) {
			return false
		}
	}
	return true
}

// box adds a padded panel around content drawn by fill.
func (l *layout) box(fill func(b *block, x, y, w float64) float64, colour rgb, framed bool) *block {
	pad := 3.5
	if l.m.thermal {
		pad = 2.5
	}
	b := &block{after: l.m.gap}
	y := fill(b, l.x0+pad, pad, l.w-2*pad)
	b.h = y + pad
	bg := []op{}
	if !l.m.thermal {
		bg = append(bg, op{kind: opRect, x: l.x0, y: 0, w: l.w, h: b.h, colour: colour})
	}
	if l.m.thermal || framed {
		bg = append(bg, op{kind: opFrame, x: l.x0, y: 0, w: l.w, h: b.h, colour: l.p.band})
	}
	b.ops = append(bg, b.ops...)
	return l.add(b)
}

func (l *layout) formatDate(t time.Time) string {
	months := strings.Split(l.c.Labels["months"], ",")
	return strings.NewReplacer(
		"{day}", strconv.Itoa(t.Day()),
		"{month}", strings.TrimSpace(months[int(t.Month())-1]),
		"{year}", strconv.Itoa(t.Year()),
	).Replace(l.c.Labels["date_format"])
}

// visitPanel holds the officer, the crime reference and the date, and the QR
// code with its invitation and the URL in text.
func (l *layout) visitPanel() {
	c, m, p := l.c, l.m, l.p
	type row struct{ label, value string }
	rows := []row{{c.Labels["officer"], l.opt.OfficerName}, {c.Labels["collar"], l.opt.CollarNumber}}
	if l.opt.Borough != "" {
		rows = append(rows, row{c.Labels["borough"], l.opt.Borough})
	}
	rows = append(rows, row{c.Labels["crime_ref"], l.opt.CrimeRef}, row{c.Labels["date"], l.formatDate(l.opt.IssuedAt)})

	details := func(b *block, x, y, w float64) float64 {
		y = b.text(l, c.Labels["your_visit"], x, y, w, true, m.h3, p.accent) + 0.8
		labelW := 0.0
		for _, r := range rows {
			labelW = math.Max(labelW, l.textW(r.label, false, m.small))
		}
		stacked := m.large || m.thermal && labelW > w*0.42 || labelW > w*0.45
		for _, r := range rows {
			if stacked {
				y = b.text(l, r.label, x, y, w, false, m.small, p.muted)
				y = l.value(b, r.value, x, y, w)
				y += 1
				continue
			}
			vx := x + labelW + 3
			// Align the label's baseline with the value's first line.
			lh, lv := l.lineH(m.small), l.lineH(m.body)
			yl := b.text(l, r.label, x, y+(lv-lh)/2+0.2, labelW, false, m.small, p.muted)
			y = math.Max(yl, l.value(b, r.value, vx, y, w-(vx-x))) + 0.6
		}
		return y
	}
	scan := func(b *block, x, y, w float64) float64 {
		y = b.text(l, c.Labels["scan"], x, y, w, true, m.h3, p.accent) + 0.5
		y = b.text(l, c.Labels["feedback_url"], x, y, w, false, m.small, p.muted)
		urlSize := m.small
		if !m.large {
			urlSize = m.small + 0.5
		}
		top := y
		y = b.text(l, l.opt.FeedbackURL, x, y, w, false, urlSize, p.text)
		b.ops = append(b.ops, op{kind: opLink, x: x, y: top, w: w, h: y - top, text: l.opt.FeedbackURL})
		return b.text(l, c.Labels["feedback_note"], x, y+1, w, false, m.small, p.muted)
	}
	qr := func(b *block, x, y float64) float64 {
		b.ops = append(b.ops, op{kind: opQR, x: x, y: y, w: m.qr})
		return y + m.qr
	}

	l.box(func(b *block, x, y, w float64) float64 {
		switch {
		case m.thermal:
			y = details(b, x, y, w) + 2
			y = qr(b, x+(w-m.qr)/2, y) + 2
			return scan(b, x, y, w)
		case m.large:
			y = details(b, x, y, w) + 3
			tx := x + m.qr + 5
			return math.Max(qr(b, x, y), scan(b, tx, y, w-(tx-x)))
		default:
			dw := w * 0.47
			qx := x + dw + 5
			tx := qx + m.qr + 5
			return math.Max(details(b, x, y, dw), math.Max(qr(b, qx, y), scan(b, tx, y, w-(tx-x))))
		}
	}, p.panel, false)
}

// value prints one visit detail, or a line to write it on when it is empty.
func (l *layout) value(b *block, s string, x, y, w float64) float64 {
	if s == "" {
		lh := l.lineH(l.m.body)
		b.ops = append(b.ops, op{kind: opLine, x: x, y: y + lh*0.85, w: math.Min(w, 45), h: 0.3, colour: l.p.muted})
		return y + lh
	}
	return b.text(l, s, x, y, w, true, l.m.body, l.p.text)
}

// focusDesk is the panel on how to get updates: the Victim Focus Desk, its
// hours, and its number or, when no number is sourced, whom to ask.
func (l *layout) focusDesk() {
	c, m, p := l.c, l.m, l.p
	fd := c.FocusDesk
	l.box(func(b *block, x, y, w float64) float64 {
		y = b.text(l, c.Labels["focus_desk"], x, y, w, true, m.h3, p.accent) + 0.5
		y = b.text(l, fd.Name, x, y, w, true, m.body, p.text)
		y = b.text(l, fd.Hours, x, y, w, false, m.body, p.text)
		if fd.Phone != "" {
			y = b.text(l, fd.Phone, x, y, w, true, m.h3, p.text)
		} else {
			y = b.text(l, c.Labels["no_number"], x, y, w, true, m.body, p.text)
		}
		if fd.Note != "" {
			y = b.text(l, fd.Note, x, y, w, false, m.body, p.text)
		}
		return y
	}, p.panel, false).after = m.gap * 1.5
}

// right is one of the twelve: a numbered badge, the short title and the gist.
func (l *layout) right(rt Right) {
	m, p := l.m, l.p
	ns := m.body * 0.8 // the number in the badge
	d := m.body * ptMM * 1.55
	if m.large {
		ns = m.body
		d = ns * ptMM * 1.7
	}
	ind := d + 2.5
	b := &block{after: 1.6}
	if m.large {
		b.after = 2.5
	}
	y := b.text(l, rt.Title, l.x0+ind, 0, l.w-ind, true, m.body, p.accent)
	y = b.text(l, rt.Gist, l.x0+ind, y, l.w-ind, false, m.body, p.text)
	b.h = math.Max(y, d)
	num := strconv.Itoa(rt.Number)
	cy := math.Max(l.lineH(m.body), d) / 2
	b.ops = append(b.ops,
		op{kind: opCircle, x: l.x0 + d/2, y: cy, w: d / 2, colour: p.badge},
		op{kind: opText, x: l.x0 + d/2 - l.textW(num, true, ns)/2, y: cy + 0.36*ns*ptMM, bold: true, size: ns, colour: rgb{255, 255, 255}, text: num},
	)
	l.use(num)
	l.add(b)
}

// contacts lists the support lines: name, hours and note, and the number; in
// two columns on normal-size A4.
func (l *layout) contacts() {
	c, m, p := l.c, l.m, l.p
	l.heading(c.Labels["contacts"])
	cols, gutter := 1, 6.0
	if !m.thermal && !m.large {
		cols = 2
	}
	cw := (l.w - gutter*float64(cols-1)) / float64(cols)
	for i := 0; i < len(c.Contacts); i += cols {
		b := &block{after: 1.5}
		for j := 0; j < cols && i+j < len(c.Contacts); j++ {
			b.h = math.Max(b.h, l.contact(b, c.Contacts[i+j], l.x0+float64(j)*(cw+gutter), cw))
		}
		b.h++
		if i+cols < len(c.Contacts) {
			b.ops = append(b.ops, op{kind: opLine, x: l.x0, y: b.h, w: l.w, h: 0.2, colour: p.rule})
			b.h += 0.3
		} else {
			b.after = m.gap
		}
		l.add(b)
	}
}

// contact places one support line in b at x, w wide, and returns its height.
func (l *layout) contact(b *block, ct Contact, x, w float64) float64 {
	m, p := l.m, l.p
	stack := m.thermal || m.large
	textW, phoneW := w, 0.0
	if !stack && ct.Phone != "" {
		phoneW = l.textW(ct.Phone, true, m.h3)
		textW = w - phoneW - 3
	}
	y := b.text(l, ct.Name, x, 0, textW, true, m.body, p.text)
	if stack && ct.Phone != "" {
		y = b.text(l, ct.Phone, x, y, w, true, m.h3, p.text)
	}
	info := ct.Hours
	if ct.Note != "" {
		if info != "" {
			info += ". "
		}
		info += ct.Note
	}
	if info != "" {
		y = b.text(l, info, x, y, textW, false, m.small, p.muted)
	}
	if !stack && ct.Phone != "" {
		y = math.Max(y, b.text(l, ct.Phone, x+w-phoneW, 0, phoneW+1, true, m.h3, p.text))
	}
	return y
}

// --- drawing ---

func (l *layout) newDocument() *fpdf.Fpdf {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: fpdf.SizeType{Wd: l.m.pageW, Ht: l.pageH}})
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(l.opt.CreationDate)
	pdf.SetModificationDate(l.opt.CreationDate)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("Doorstep", true)
	pdf.SetProducer("Doorstep", true)
	pdf.SetLang(l.c.Language)
	pdf.SetKeywords("content "+l.c.Language+" "+l.c.Version, true)
	if l.opt.Discreet {
		pdf.SetTitle(l.c.Labels["discreet_title"], true)
	} else {
		pdf.SetTitle(l.c.Title, true)
		pdf.SetAuthor(l.c.Labels["org"], true)
		pdf.SetSubject(l.c.Labels["your_rights"], true)
	}
	return pdf
}

type pen struct {
	pdf   *fpdf.Fpdf
	bold  bool
	size  float64
	text  rgb
	valid bool
}

func (pn *pen) font(bold bool, size float64) {
	if pn.valid && pn.bold == bold && pn.size == size {
		return
	}
	style := styleRegular
	if bold {
		style = styleBold
	}
	pn.pdf.SetFont(fontFamily, style, size)
	pn.bold, pn.size, pn.valid = bold, size, true
}

func (l *layout) draw(pdf *fpdf.Fpdf, pages [][]placed) {
	for i, page := range pages {
		pdf.AddPage()
		pn := &pen{pdf: pdf}
		for _, pl := range page {
			for _, o := range pl.b.ops {
				l.drawOp(pn, o, pl.y)
			}
		}
		if !l.m.thermal {
			l.footer(pn, i+1, len(pages))
		}
	}
}

func (l *layout) footer(pn *pen, page, pages int) {
	m, p := l.m, l.p
	size := math.Max(m.small, 7.5)
	y := a4H - 9
	left := l.versionLine()
	right := strings.NewReplacer("{page}", strconv.Itoa(page), "{pages}", strconv.Itoa(pages)).Replace(l.c.Labels["page"])
	pn.pdf.SetDrawColor(p.rule.r, p.rule.g, p.rule.b)
	pn.pdf.SetLineWidth(0.2)
	pn.pdf.Line(l.x0, y-size*ptMM-1.5, l.x0+l.w, y-size*ptMM-1.5)
	l.drawOp(pn, op{kind: opText, x: l.x0, y: y, size: size, colour: p.muted, text: left}, 0)
	rw := l.textW(right, false, size)
	l.drawOp(pn, op{kind: opText, x: l.x0 + l.w - rw, y: y, size: size, colour: p.muted, text: right}, 0)
}

func (l *layout) drawOp(pn *pen, o op, top float64) {
	pdf := pn.pdf
	y := top + o.y
	switch o.kind {
	case opText:
		pn.font(o.bold, o.size)
		pdf.SetTextColor(o.colour.r, o.colour.g, o.colour.b)
		pdf.Text(o.x, y, o.text)
	case opRect:
		pdf.SetFillColor(o.colour.r, o.colour.g, o.colour.b)
		pdf.Rect(o.x, y, o.w, o.h, "F")
	case opFrame:
		pdf.SetDrawColor(o.colour.r, o.colour.g, o.colour.b)
		pdf.SetLineWidth(0.4)
		pdf.Rect(o.x, y, o.w, o.h, "D")
	case opLine:
		pdf.SetDrawColor(o.colour.r, o.colour.g, o.colour.b)
		pdf.SetLineWidth(o.h)
		pdf.Line(o.x, y, o.x+o.w, y)
	case opCircle:
		pdf.SetFillColor(o.colour.r, o.colour.g, o.colour.b)
		pdf.Circle(o.x, y, o.w, "F")
	case opLink:
		pdf.LinkString(o.x, y, o.w, o.h, o.text)
	case opQR:
		l.drawQR(pdf, o.x, y, o.w)
	}
}

// drawQR draws the code as vector squares: one white square for the whole
// symbol with its quiet zone, then one filled path of all dark modules, row runs
// merged, so that no seams show between modules at any resolution.
func (l *layout) drawQR(pdf *fpdf.Fpdf, x, y, size float64) {
	n := len(l.qr)
	if n == 0 {
		return
	}
	mod := size / float64(n)
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(x, y, size, size, "F")
	pdf.SetFillColor(0, 0, 0)
	for j, row := range l.qr {
		for i := 0; i < len(row); {
			if !row[i] {
				i++
				continue
			}
			start := i
			for i < len(row) && row[i] {
				i++
			}
			x0, x1 := x+float64(start)*mod, x+float64(i)*mod
			y0, y1 := y+float64(j)*mod, y+float64(j+1)*mod
			pdf.MoveTo(x0, y0)
			pdf.LineTo(x1, y0)
			pdf.LineTo(x1, y1)
			pdf.LineTo(x0, y1)
			pdf.ClosePath()
		}
	}
	pdf.DrawPath("F")
}
