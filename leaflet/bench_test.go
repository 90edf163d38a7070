package leaflet

import (
	"io"
	"testing"

	doorstep "github.com/doorstep-project/doorstep"
)

// benchRender renders one leaflet per iteration; run with -cpu 1 for figures
// that are not inflated by the garbage collector sharing a busy second CPU.
func benchRender(b *testing.B, lang, format string, large bool) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	lib, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	c, _ := lib.Get(lang)
	opt := testOptions()
	opt.Format, opt.LargePrint = format, large
	var n countWriter
	b.ReportAllocs()
	for b.Loop() {
		n = 0
		if _, err := r.Render(&n, c, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "pdf-bytes")
}

type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkRenderA4 renders the Polish A4 leaflet (UTF-8 font, QR code).
func BenchmarkRenderA4(b *testing.B) { benchRender(b, "pl", doorstep.FormatA4, false) }

// BenchmarkRenderA4LargePrint renders the Polish A4 large-print leaflet.
func BenchmarkRenderA4LargePrint(b *testing.B) { benchRender(b, "pl", doorstep.FormatA4, true) }

// BenchmarkRenderThermal renders the Romanian thermal leaflet.
func BenchmarkRenderThermal(b *testing.B) { benchRender(b, "ro", doorstep.FormatThermal, false) }

// BenchmarkNewRenderer reads and cuts the fonts and has fpdf parse them.
func BenchmarkNewRenderer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewRenderer(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderA4ParsingFonts renders as BenchmarkRenderA4 but has fpdf parse
// the (cut) fonts for every document through its public API, for comparison
// with the parsed-once template.
func BenchmarkRenderA4ParsingFonts(b *testing.B) {
	r, err := NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	c, _ := r.lib.Get("pl")
	opt := testOptions()
	var n countWriter
	b.ReportAllocs()
	for b.Loop() {
		n = 0
		if _, err := r.render(&n, c, opt, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "pdf-bytes")
}
