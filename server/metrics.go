package server

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type requestKey struct {
	route, method string
	status        int
}

type histogram struct {
	counts []uint64 // per bucket, non-cumulative; summed when written
	count  uint64
	sum    float64
}

// metrics are the server's counters, written by hand in the Prometheus text
// exposition format (version 0.0.4).
type metrics struct {
	buckets   []float64 // latency histogram upper bounds, seconds
	mu        sync.Mutex
	requests  map[requestKey]uint64
	latency   map[string]*histogram // by route
	mutations map[string]uint64     // by result status
	feedback  uint64
}

func newMetrics() *metrics {
	return &metrics{
		buckets:   []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		requests:  make(map[requestKey]uint64),
		latency:   make(map[string]*histogram),
		mutations: make(map[string]uint64),
	}
}

func (m *metrics) request(route, method string, status int, took time.Duration) {
	sec := took.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, method, status}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(m.buckets))}
		m.latency[route] = h
	}
	h.count++
	h.sum += sec
	for i, le := range m.buckets {
		if sec <= le {
			h.counts[i]++
			break
		}
	}
}

func (m *metrics) mutation(status string, n int) {
	m.mu.Lock()
	m.mutations[status] += uint64(n)
	m.mu.Unlock()
}

func (m *metrics) feedbackReceived() {
	m.mu.Lock()
	m.feedback++
	m.mu.Unlock()
}

// write prints every metric; ready is the store's readiness (1 or 0).
func (m *metrics) write(w io.Writer, ready bool) error {
	var b strings.Builder
	m.mu.Lock()
	b.WriteString("# HELP doorstep_http_requests_total HTTP requests answered, by route template, method and status.\n")
	b.WriteString("# TYPE doorstep_http_requests_total counter\n")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.route != c.route {
			return a.route < c.route
		}
		if a.method != c.method {
			return a.method < c.method
		}
		return a.status < c.status
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "doorstep_http_requests_total{route=%s,method=%s,status=\"%d\"} %d\n",
			label(k.route), label(k.method), k.status, m.requests[k])
	}

	b.WriteString("# HELP doorstep_http_request_duration_seconds Time to answer HTTP requests, by route template.\n")
	b.WriteString("# TYPE doorstep_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.latency[r]
		var cum uint64
		for i, le := range m.buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "doorstep_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", label(r), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "doorstep_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", label(r), h.count)
		fmt.Fprintf(&b, "doorstep_http_request_duration_seconds_sum{route=%s} %s\n", label(r), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "doorstep_http_request_duration_seconds_count{route=%s} %d\n", label(r), h.count)
	}

	b.WriteString("# HELP doorstep_sync_mutations_total Device mutations answered by push, by result.\n")
	b.WriteString("# TYPE doorstep_sync_mutations_total counter\n")
	for _, st := range []string{"applied", "rejected"} {
		fmt.Fprintf(&b, "doorstep_sync_mutations_total{status=%q} %d\n", st, m.mutations[st])
	}
	b.WriteString("# HELP doorstep_feedback_received_total Victim feedback stored.\n")
	b.WriteString("# TYPE doorstep_feedback_received_total counter\n")
	fmt.Fprintf(&b, "doorstep_feedback_received_total %d\n", m.feedback)
	m.mu.Unlock()

	b.WriteString("# HELP doorstep_store_ready 1 while the store is open and serving.\n")
	b.WriteString("# TYPE doorstep_store_ready gauge\n")
	if ready {
		b.WriteString("doorstep_store_ready 1\n")
	} else {
		b.WriteString("doorstep_store_ready 0\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// label quotes a label value as the exposition format wants: backslash,
// double quote and newline escaped.
func label(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}
