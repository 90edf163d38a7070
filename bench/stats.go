package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// latencies collects durations and summarises them.
type latencies []time.Duration

func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func (l latencies) median() time.Duration { return l.quantile(0.5) }
func (l latencies) p99() time.Duration    { return l.quantile(0.99) }

// ints is a list of sizes or counts.
type ints []int

func (v ints) quantile(q float64) int {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return s[min(i, len(s)-1)]
}

// ms formats a duration in milliseconds with sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f ms", f)
	case f >= 10:
		return fmt.Sprintf("%.1f ms", f)
	default:
		return fmt.Sprintf("%.2f ms", f)
	}
}

// num formats a number with thousands separators.
func num(f float64) string {
	neg := f < 0
	if neg {
		f = -f
	}
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func kib(n int) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
}

// ratio formats a/b as "12.3×".
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a/b) || math.IsInf(a/b, 0) {
		return "n/a"
	}
	r := a / b
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	default:
		return fmt.Sprintf("%.2f×", r)
	}
}

// row is one line of the results table.
type row struct {
	section string
	what    string
	figure  string
	against string // baseline or ratio
	aim     string
	verdict string // "met", "MISSED", "" (no aim)
}

// report collects rows and notes.
type report struct {
	rows  []row
	notes []string
}

func (r *report) add(section, what, figure, against, aim string, met *bool) {
	v := ""
	if met != nil {
		if *met {
			v = "met"
		} else {
			v = "MISSED"
		}
	}
	r.rows = append(r.rows, row{section, what, figure, against, aim, v})
}

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func boolp(b bool) *bool { return &b }

// markdown renders the table and notes.
func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("| section | measure | figure | baseline / ratio | aim | |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", x.section, x.what, x.figure, x.against, x.aim, x.verdict)
	}
	if len(r.notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range r.notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}

func timeMs(n int) time.Duration { return time.Duration(n) * time.Millisecond }
