package server

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
)

// Charts are SVG drawn on the server: no script, inline in the page (so
// the CSP needs nothing), with a <title> and <desc> for assistive
// technology and, beside every chart, a table of the same figures. Colours
// hold 3:1 against white (WCAG 1.4.11).

const (
	chartBar  = "#1d70b8"
	chartLine = "#0b0c0c"
	chartGrid = "#b1b4b6"
	chartText = "#0b0c0c"
)

func esc(s string) string { return html.EscapeString(s) }

// distributionSVG draws the 1–5 rating distribution as horizontal bars.
func distributionSVG(ratings [5]int, scope string) template.HTML {
	const w, rowH, left, right = 480, 32, 70, 90
	total, most := 0, 0
	for _, n := range ratings {
		total += n
		most = max(most, n)
	}
	h := 5*rowH + 10
	var b strings.Builder
	var parts []string
	for i := 4; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("%d star: %d", i+1, ratings[i]))
	}
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="dist-title dist-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="dist-title">Ratings given, %s</title>`, esc(scope))
	fmt.Fprintf(&b, `<desc id="dist-desc">%d responses. %s.</desc>`, total, esc(strings.Join(parts, "; ")))
	for row, i := 0, 4; i >= 0; row, i = row+1, i-1 {
		y := 5 + row*rowH
		bw := 0.0
		if most > 0 {
			bw = float64(w-left-right) * float64(ratings[i]) / float64(most)
		}
		share := "0%"
		if total > 0 {
			share = strconv.FormatFloat(float64(ratings[i])*100/float64(total), 'f', 0, 64) + "%"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="%s" text-anchor="end">%d star</text>`, left-10, y+rowH/2+5, chartText, i+1)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, left, y+4, bw, rowH-8, chartBar)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="14" fill="%s">%d (%s)</text>`, float64(left)+bw+6, y+rowH/2+5, chartText, ratings[i], share)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is a number or escaped
}

// trendSVG draws responses per bucket as bars (left axis) and the mean
// rating as a line with points (right axis, 1 to 5).
func trendSVG(rows []trendRow, caption string) template.HTML {
	const w, h, left, right, top, bottom = 640, 260, 48, 48, 16, 48
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	most := 0
	var described []string
	for _, r := range rows {
		most = max(most, r.Responses)
		if r.Responses > 0 {
			described = append(described, fmt.Sprintf("%s: %d responses, mean %.2f", r.Label, r.Responses, *r.Mean))
		}
	}
	if most == 0 {
		most = 1
	}
	desc := "No responses in this period."
	if len(described) > 0 {
		if len(described) > 12 {
			described = append(described[:1], append([]string{"…"}, described[len(described)-11:]...)...)
		}
		desc = strings.Join(described, "; ") + "."
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="trend-title trend-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="trend-title">%s</title><desc id="trend-desc">Bars: responses (left scale). Line: mean rating (right scale, 1 to 5). %s</desc>`, esc(caption), esc(desc))
	// grid and axes
	for i := 0; i <= 4; i++ {
		y := float64(top) + ph - ph*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, w-right, y, y, chartGrid)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" fill="%s" text-anchor="end">%d</text>`, left-6, y+4, chartText, (most*i+3)/4)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="12" fill="%s">%d</text>`, w-right+6, y+4, chartText, i+1)
	}
	n := len(rows)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := pw / float64(n)
	every := (n + 7) / 8 // at most about eight labels
	var points []string
	for i, r := range rows {
		x := float64(left) + slot*float64(i)
		bh := ph * float64(r.Responses) / float64(most)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+slot*0.15, float64(top)+ph-bh, slot*0.7, bh, chartBar)
		if r.Mean != nil {
			y := float64(top) + ph - ph*(*r.Mean-1)/4
			points = append(points, fmt.Sprintf("%.1f,%.1f", x+slot/2, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`, x+slot/2, y, chartLine)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="%s" text-anchor="middle">%s</text>`, x+slot/2, h-bottom+18, chartText, esc(r.Label))
		}
	}
	if len(points) > 1 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(points, " "), chartLine)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="%s">Responses</text>`, 0, h-6, chartText)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="%s" text-anchor="end">Mean rating</text>`, w, h-6, chartText)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
