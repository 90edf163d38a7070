package server

import (
	"fmt"
	"io"
	"runtime"
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
	purged    map[string]uint64 // records purged by retention, by kind
	retention time.Time         // when the last retention pass succeeded
	retFailed uint64            // retention passes that failed
	started   time.Time         // when the server was built, for uptime
	backups   [2]uint64         // backups streamed whole, failed
	backupAt  time.Time         // when the last whole backup ended
	backupLen int64             // its size
}

func newMetrics() *metrics {
	return &metrics{
		buckets:   []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		requests:  make(map[requestKey]uint64),
		latency:   make(map[string]*histogram),
		mutations: make(map[string]uint64),
		purged:    make(map[string]uint64),
		started:   time.Now(),
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

// retentionPass records one retention pass: what it purged, by kind, or
// that it failed.
func (m *metrics) retentionPass(at time.Time, purged map[string]int, failed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, n := range purged {
		m.purged[k] += uint64(n)
	}
	if failed {
		m.retFailed++
	} else {
		m.retention = at
	}
}

// backup records one backup stream: whole (ok) or failed.
func (m *metrics) backup(at time.Time, n int64, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !ok {
		m.backups[1]++
		return
	}
	m.backups[0]++
	m.backupAt, m.backupLen = at, n
}

// StoreStats are the embedded store's figures about its file and its
// transactions, for /metrics (Options.StoreStats). Counters (the *Total
// fields and the times) only grow while the store is open.
type StoreStats struct {
	FileBytes       int64 // the store file's size on disk
	DataBytes       int64 // the part of it in use
	FreePages       int   // pages free to reuse
	PendingPages    int   // pages freed but still held by an open reader
	FreeBytes       int   // bytes in free pages
	ReadTxTotal     int   // read transactions started
	OpenReadTx      int   // read transactions open now
	PageWritesTotal int64 // pages written by commits
	WriteTime       time.Duration
	SpillTime       time.Duration
	RebalanceTime   time.Duration
	NodeSplitsTotal int64
	RebalancesTotal int64
}

// writeStoreStats prints st as doorstep_bolt_* metrics.
func writeStoreStats(b *strings.Builder, st StoreStats) {
	metric := func(name, typ, help string, v any) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", name, help, name, typ, name, v)
	}
	sec := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) }
	metric("doorstep_bolt_file_size_bytes", "gauge", "Size of the bbolt file on disk.", st.FileBytes)
	metric("doorstep_bolt_data_size_bytes", "gauge", "Bytes of the bbolt file in use by the newest transaction.", st.DataBytes)
	metric("doorstep_bolt_free_pages", "gauge", "Pages on the bbolt freelist, free to reuse.", st.FreePages)
	metric("doorstep_bolt_pending_pages", "gauge", "Pages freed but still held by an open read transaction.", st.PendingPages)
	metric("doorstep_bolt_free_bytes", "gauge", "Bytes in free bbolt pages.", st.FreeBytes)
	metric("doorstep_bolt_read_tx_total", "counter", "bbolt read transactions started.", st.ReadTxTotal)
	metric("doorstep_bolt_open_read_tx", "gauge", "bbolt read transactions open now (a backup holds one).", st.OpenReadTx)
	metric("doorstep_bolt_page_writes_total", "counter", "Pages written to disk by bbolt commits.", st.PageWritesTotal)
	metric("doorstep_bolt_write_seconds_total", "counter", "Time bbolt commits spent writing pages to disk.", sec(st.WriteTime))
	metric("doorstep_bolt_spill_seconds_total", "counter", "Time bbolt commits spent spilling nodes to pages.", sec(st.SpillTime))
	metric("doorstep_bolt_rebalance_seconds_total", "counter", "Time bbolt commits spent rebalancing nodes.", sec(st.RebalanceTime))
	metric("doorstep_bolt_node_splits_total", "counter", "bbolt B+tree node splits.", st.NodeSplitsTotal)
	metric("doorstep_bolt_rebalances_total", "counter", "bbolt B+tree node rebalances.", st.RebalancesTotal)
}

// write prints every metric; ready is the store's readiness (1 or 0), stats
// the store's figures when the store gives any.
func (m *metrics) write(w io.Writer, ready bool, stats *StoreStats) error {
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
	b.WriteString("# HELP doorstep_retention_purged_total Records purged by the retention job, by kind (contact_request, feedback_text).\n")
	b.WriteString("# TYPE doorstep_retention_purged_total counter\n")
	for _, k := range []string{purgedContact, purgedText} {
		fmt.Fprintf(&b, "doorstep_retention_purged_total{kind=%q} %d\n", k, m.purged[k])
	}
	b.WriteString("# HELP doorstep_retention_failures_total Retention passes that failed (see the log).\n")
	b.WriteString("# TYPE doorstep_retention_failures_total counter\n")
	fmt.Fprintf(&b, "doorstep_retention_failures_total %d\n", m.retFailed)
	b.WriteString("# HELP doorstep_retention_last_success_timestamp_seconds When the last retention pass succeeded (0: none yet).\n")
	b.WriteString("# TYPE doorstep_retention_last_success_timestamp_seconds gauge\n")
	last := int64(0)
	if !m.retention.IsZero() {
		last = m.retention.Unix()
	}
	fmt.Fprintf(&b, "doorstep_retention_last_success_timestamp_seconds %d\n", last)
	b.WriteString("# HELP doorstep_backups_total Backups streamed by GET /api/v1/admin/backup, by result.\n")
	b.WriteString("# TYPE doorstep_backups_total counter\n")
	fmt.Fprintf(&b, "doorstep_backups_total{result=\"ok\"} %d\ndoorstep_backups_total{result=\"failed\"} %d\n", m.backups[0], m.backups[1])
	b.WriteString("# HELP doorstep_backup_last_success_timestamp_seconds When the last whole backup was streamed (0: none since start).\n")
	b.WriteString("# TYPE doorstep_backup_last_success_timestamp_seconds gauge\n")
	last = 0
	if !m.backupAt.IsZero() {
		last = m.backupAt.Unix()
	}
	fmt.Fprintf(&b, "doorstep_backup_last_success_timestamp_seconds %d\n", last)
	b.WriteString("# HELP doorstep_backup_last_size_bytes Size of the last whole backup.\n")
	b.WriteString("# TYPE doorstep_backup_last_size_bytes gauge\n")
	fmt.Fprintf(&b, "doorstep_backup_last_size_bytes %d\n", m.backupLen)
	m.mu.Unlock()

	b.WriteString("# HELP doorstep_store_ready 1 while the store is open and serving.\n")
	b.WriteString("# TYPE doorstep_store_ready gauge\n")
	if ready {
		b.WriteString("doorstep_store_ready 1\n")
	} else {
		b.WriteString("doorstep_store_ready 0\n")
	}
	if stats != nil {
		writeStoreStats(&b, *stats)
	}
	writeProcess(&b, m.started)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeProcess prints the process figures an operator graphs beside the
// requests: start time, goroutines, heap in use, and the Go version.
func writeProcess(b *strings.Builder, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(b, "# HELP doorstep_start_time_seconds When the server started, Unix time.\n# TYPE doorstep_start_time_seconds gauge\ndoorstep_start_time_seconds %d\n", started.Unix())
	fmt.Fprintf(b, "# HELP doorstep_goroutines Goroutines running now.\n# TYPE doorstep_goroutines gauge\ndoorstep_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(b, "# HELP doorstep_heap_inuse_bytes Bytes of heap spans in use.\n# TYPE doorstep_heap_inuse_bytes gauge\ndoorstep_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(b, "# HELP doorstep_build_info The Go version the server was built with.\n# TYPE doorstep_build_info gauge\ndoorstep_build_info{go_version=%s} 1\n", label(runtime.Version()))
}

// label quotes a label value as the exposition format wants: backslash,
// double quote and newline escaped.
func label(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}
