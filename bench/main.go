// Command bench measures Doorstep's hot paths end to end through the real
// binary and compares each with a baseline measured in the same run: offline
// issue against headless Chromium printing the same leaflet, durable submits
// with group commit against one fsync per request and a raw fsync loop, sync
// throughput, a scale curve up to 1,000,000 stored records, and a load test.
//
//	go run ./bench            # everything, under 10 minutes
//	go run ./bench -quick     # the same baselines, fewer runs, under 1 minute
//	go run ./bench -load -duration 60s   # the load test alone; exit 1 on any 5xx
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

// env is one benchmark run's setup.
type env struct {
	tmp   string
	bin   string
	src   *sources
	flags map[string]bool
	seq   int
	quick bool

	issueRuns   int
	issueBudget time.Duration
	coldRuns    int
	warmRuns    int
	warmBudget  time.Duration

	fsyncDur, submitDur, inprocDur time.Duration

	syncOps int

	scalePoints  []int
	scaleBudget  time.Duration
	scaleSubmits int

	loadDur time.Duration
}

// serve starts the binary on a fresh data dir. With noSubmitLimit it turns
// the per-address submit limit off when the binary has the flag .
func (e *env) serve(ctx context.Context, name string, noSubmitLimit bool) (*serveProc, error) {
	e.seq++
	dir := filepath.Join(e.tmp, fmt.Sprintf("serve-%d-%s", e.seq, name))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var extra []string
	if noSubmitLimit && e.flags["submits-per-minute"] {
		extra = append(extra, "--submits-per-minute=0")
	}
	return startServe(ctx, e.bin, dir, extra...)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "fewer runs and smaller points, same baselines: under a minute")
	load := fs.Bool("load", false, "run only the load test (victim submits and device syncs together)")
	duration := fs.Duration("duration", 60*time.Second, "length of the -load test")
	only := fs.String("only", "", "comma-separated sections to run: issue,durable,sync,scale,load (default all)")
	maxRecords := fs.Int("max-records", 1_000_000, "largest point of the scale curve")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the harness process (clients and in-process servers) to `FILE`")
	keep := fs.Bool("keep", false, "keep the temporary directory (binary, data dirs, logs, PDFs)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *duration <= 0 || *duration > time.Hour || *maxRecords < 10_000 {
		fmt.Fprintln(stderr, "bench: bad usage (see -h)")
		return 2
	}

	e := &env{src: &sources{}, quick: *quick}
	limit := 10 * time.Minute
	if *quick {
		e.issueRuns, e.issueBudget, e.coldRuns, e.warmRuns, e.warmBudget = 40, 3*time.Second, 2, 4, 6*time.Second
		e.fsyncDur, e.submitDur, e.inprocDur = 500*time.Millisecond, 2*time.Second, time.Second
		e.syncOps = 10_000
		e.scalePoints, e.scaleBudget, e.scaleSubmits = []int{10_000, 30_000}, 12*time.Second, 20
		e.loadDur = 4 * time.Second
		limit = 90 * time.Second
	} else {
		e.issueRuns, e.issueBudget, e.coldRuns, e.warmRuns, e.warmBudget = 400, 15*time.Second, 5, 40, 25*time.Second
		e.fsyncDur, e.submitDur, e.inprocDur = 3*time.Second, 10*time.Second, 5*time.Second
		e.syncOps = 50_000
		e.scalePoints, e.scaleBudget, e.scaleSubmits = []int{10_000, 100_000, 1_000_000}, 6*time.Minute, 50
		e.loadDur = 10 * time.Second
		limit = 14 * time.Minute
	}
	var pts []int
	for _, p := range e.scalePoints {
		if p < *maxRecords {
			pts = append(pts, p)
		}
	}
	e.scalePoints = append(pts, *maxRecords)
	if *quick && *maxRecords == 1_000_000 {
		e.scalePoints = pts
	}
	sections := map[string]bool{"issue": true, "durable": true, "sync": true, "scale": true, "load": true}
	if *load {
		sections = map[string]bool{"load": true}
		e.loadDur = *duration
		limit = *duration + 3*time.Minute
	}
	if *only != "" {
		sections = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			sections[strings.TrimSpace(s)] = true
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	ctx, stopSig := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSig()

	tmp, err := os.MkdirTemp("", "doorstep-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if *keep {
		fmt.Fprintln(stderr, "bench: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	e.tmp = tmp
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	started := time.Now()
	load0 := loadAvg()
	fmt.Fprintln(stderr, "bench: building ./cmd/doorstep")
	if e.bin, err = buildBinary(tmp); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	e.flags = serveFlags(e.bin)

	rep := &report{}
	failed := false
	steps := []struct {
		name string
		fn   func(context.Context, *env, *report) error
	}{
		{"issue", benchIssue},
		{"durable", benchDurable},
		{"sync", benchSync},
		{"scale", benchScale},
		{"load", func(ctx context.Context, e *env, rep *report) error { return benchLoad(ctx, e, rep, e.loadDur) }},
	}
	for _, s := range steps {
		if !sections[s.name] {
			continue
		}
		t := time.Now()
		fmt.Fprintf(stderr, "bench: %s…\n", s.name)
		if err := s.fn(ctx, e, rep); err != nil {
			fmt.Fprintf(stderr, "bench: %s: %v\n", s.name, err)
			rep.note("%s FAILED: %v", s.name, err)
			failed = true
		}
		fmt.Fprintf(stderr, "bench: %s took %.1f s\n", s.name, time.Since(t).Seconds())
	}
	mode := "go run ./bench"
	switch {
	case *load:
		mode = fmt.Sprintf("go run ./bench -load -duration %s", *duration)
	case *quick:
		mode = "go run ./bench -quick"
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "## %s\n\n%s UTC, %s, %d CPUs (%s), %s %s/%s, took %.0f s; load average at start %s, at end %s\n\n", mode,
		started.UTC().Format("2006-01-02 15:04"), host, runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		time.Since(started).Seconds(), load0, loadAvg())
	fmt.Fprint(stdout, rep.markdown())
	if failed {
		return 1
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAvg is the 1-minute load average: other work on the machine skews every
// figure, so the report says how busy it was.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
