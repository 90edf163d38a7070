package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestQuickSmoke runs the harness in its quickest mode. It builds and drives
// the real binary and headless Chromium for about a minute, so it runs only
// when DOORSTEP_BENCH_SMOKE=1 and -short is not set.
func TestQuickSmoke(t *testing.T) {
	if testing.Short() || os.Getenv("DOORSTEP_BENCH_SMOKE") != "1" {
		t.Skip("set DOORSTEP_BENCH_SMOKE=1 (without -short) to run the benchmark harness")
	}
	var out, errs bytes.Buffer
	code := run([]string{"-quick"}, &out, &errs)
	t.Logf("stderr:\n%s", errs.String())
	if code != 0 {
		t.Fatalf("bench -quick exited %d:\n%s", code, out.String())
	}
	for _, want := range []string{"| issue |", "| durable |", "| sync |", "| scale |", "5xx"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("results lack %q:\n%s", want, out.String())
		}
	}
}

func TestQuantiles(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, 0+timeMs(i))
	}
	if l.median() != timeMs(50) || l.p99() != timeMs(99) {
		t.Errorf("median %v p99 %v", l.median(), l.p99())
	}
	if num(1234567) != "1,234,567" || num(999) != "999" {
		t.Errorf("num: %s %s", num(1234567), num(999))
	}
}
