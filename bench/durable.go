package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
)

// submitClients is the number of concurrent victims submitting.
const submitClients = 64

// submitsPerSource is how many submits one simulated victim address sends
// before the next takes over: under the server's per-address limit (10 a
// minute, burst 10).
const submitsPerSource = 10

// tokenSource signs a device's codes, as the device does offline; safe for
// concurrent use.
type tokenSource struct {
	id  uint32
	key []byte
	n   atomic.Uint32
}

func newTokenSource(d *device, from uint32) *tokenSource {
	t := &tokenSource{id: d.id, key: d.key}
	t.n.Store(from)
	return t
}

func (t *tokenSource) next() (string, error) {
	ref := doorstep.TokenRef{DeviceID: t.id, Counter: t.n.Add(1)}
	text, _, err := qrcode.Sign(t.key, ref, time.Now(), qrcode.DefaultValidity)
	return text, err
}

// submitResult is one submit run.
type submitResult struct {
	ok, fail, fail5xx int64
	elapsed           time.Duration
	lat               latencies
	firstErr          error
}

func (r *submitResult) perSec() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// runSubmits has clients victims submit feedback on fresh codes for dur (and
// at most maxSubmits), each address sending at most submitsPerSource.
// A perSource of 0 keeps one connection (and address) per client for the
// whole run.
func runSubmits(ctx context.Context, base string, src *sources, ts *tokenSource, clients, perSource int, dur time.Duration, maxSubmits int64) (*submitResult, error) {
	if perSource <= 0 {
		perSource = int(maxSubmits)
	}
	// One feedback page visit gives the CSRF cookie and field; the field is
	// a MAC of the cookie, valid for any code, so every client reuses them.
	first, err := ts.next()
	if err != nil {
		return nil, err
	}
	v0 := newVictim(base, src.next())
	if err := v0.page(ctx, first); err != nil {
		return nil, fmt.Errorf("feedback page: %w", err)
	}
	v0.close()
	res := &submitResult{}
	var mu gosync.Mutex
	var issued atomic.Int64
	stop := time.Now().Add(dur)
	t0 := time.Now()
	var wg gosync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat latencies
			for time.Now().Before(stop) && issued.Load() < maxSubmits && ctx.Err() == nil {
				v := newVictim(base, src.next())
				v.cookie, v.field = v0.cookie, v0.field
				for i := 0; i < perSource && time.Now().Before(stop) && issued.Add(1) <= maxSubmits; i++ {
					tok, err := ts.next()
					if err != nil {
						mu.Lock()
						res.firstErr = cmpErr(res.firstErr, err)
						mu.Unlock()
						return
					}
					t := time.Now()
					err = v.submit(ctx, tok, 1+i%5)
					d := time.Since(t)
					mu.Lock()
					if err != nil {
						res.fail++
						if is5xx(err) {
							res.fail5xx++
						}
						res.firstErr = cmpErr(res.firstErr, err)
					} else {
						res.ok++
					}
					mu.Unlock()
					lat = append(lat, d)
				}
				v.close()
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res, nil
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}

// fsyncLoop writes one 4 KiB page and fdatasyncs it, in a loop, on a file in
// dir: the most durable writes a second this disk gives one writer.
// With grow, each write appends a new page instead, as a growing store does.
func fsyncLoop(dir string, dur time.Duration, maxN int, grow bool) (float64, latencies, error) {
	f, err := os.CreateTemp(dir, "fsync-")
	if err != nil {
		return 0, nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	rand.Read(buf)
	var lat latencies
	t0 := time.Now()
	stop := t0.Add(dur)
	for i := 0; i < maxN && time.Now().Before(stop); i++ {
		t := time.Now()
		off := int64(i%256) * 4096
		if grow {
			off = int64(i) * 4096
		}
		if _, err := f.WriteAt(buf, off); err != nil {
			return 0, nil, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return 0, nil, err
		}
		lat = append(lat, time.Since(t))
	}
	return float64(len(lat)) / time.Since(t0).Seconds(), lat, nil
}

// inProcess is server.New on a loopback listener, for store options the
// binary has no flag for.
type inProcess struct {
	url string
	hs  *http.Server
	db  *bolt.DB
}

func startInProcess(dir string, bo bolt.Options) (*inProcess, error) {
	key := make([]byte, server.ServerKeySize)
	rand.Read(key)
	check, err := server.TokenChecker(key)
	if err != nil {
		return nil, err
	}
	bo.CheckToken = check
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, bolt.DefaultFileName), bo)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	srv, err := server.New(server.Options{
		Store: db, PublicURL: base, AdminTokenHash: server.HashAdminToken(adminToken), ServerKey: key,
		SubmitsPerMinute: -1, PairsPerMinute: -1,
	})
	if err != nil {
		ln.Close()
		db.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return &inProcess{url: base, hs: hs, db: db}, nil
}

func (p *inProcess) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.hs.Shutdown(ctx)
	p.db.Close()
}

// benchDurable measures durable feedback submits over HTTP with group commit
// against one fsync per request and against a raw fsync loop.
func benchDurable(ctx context.Context, e *env, rep *report) error {
	fsyncRate, fsyncLat, err := fsyncLoop(e.tmp, e.fsyncDur, 200_000, false)
	if err != nil {
		return fmt.Errorf("fsync loop: %w", err)
	}
	growRate, growLat, err := fsyncLoop(e.tmp, e.fsyncDur, 200_000, true)
	if err != nil {
		return fmt.Errorf("fsync loop: %w", err)
	}

	// The real binary, as deployed (its store's defaults: group commit).
	srv, err := e.serve(ctx, "durable", true)
	if err != nil {
		return err
	}
	d, err := pairDevice(ctx, srv.url, e.src, 1)
	if err != nil {
		srv.stop()
		return err
	}
	perSource := submitsPerSource
	if e.flags["submits-per-minute"] {
		perSource = 0 // the limit is off: one keep-alive connection per client
	}
	m0 := srv.metrics("doorstep_bolt_")
	bin, err := runSubmits(ctx, srv.url, e.src, newTokenSource(d, 0), submitClients, perSource, e.submitDur, 2_000_000)
	m1 := srv.metrics("doorstep_bolt_")
	stopErr := srv.stop()
	if err != nil {
		return err
	}
	if bin.ok == 0 {
		return fmt.Errorf("no submit succeeded through the binary: %v", bin.firstErr)
	}

	type cfg struct {
		name string
		bo   bolt.Options
	}
	cfgs := []cfg{
		{"in-process, group commit (bolt defaults: MaxBatchSize 64, MaxBatchDelay 2 ms)", bolt.Options{}},
		{"in-process, one fsync per request (MaxBatchSize -1: batching off)", bolt.Options{MaxBatchSize: -1}},
		{"in-process, bbolt's own batch defaults (MaxBatchSize 1000, MaxBatchDelay 10 ms)", bolt.Options{MaxBatchSize: 1000, MaxBatchDelay: 10 * time.Millisecond}},
		{"in-process, NoSync (not durable: the ceiling without fsync)", bolt.Options{NoSync: true}},
	}
	results := make([]*submitResult, len(cfgs))
	for i, c := range cfgs {
		p, err := startInProcess(filepath.Join(e.tmp, fmt.Sprintf("inproc-%d", i)), c.bo)
		if err != nil {
			return err
		}
		d, err := pairDevice(ctx, p.url, e.src, 1)
		if err != nil {
			p.stop()
			return err
		}
		results[i], err = runSubmits(ctx, p.url, e.src, newTokenSource(d, 0), submitClients, perSource, e.inprocDur, 2_000_000)
		p.stop()
		if err != nil {
			return err
		}
		if results[i].ok == 0 {
			return fmt.Errorf("%s: no submit succeeded: %v", c.name, results[i].firstErr)
		}
	}
	group, single, bboltDef := results[0], results[1], results[2]

	rep.add("durable", "raw fdatasync loop on the same disk (4 KiB page, one writer)", num(fsyncRate)+" fsyncs/s",
		"p50 "+ms(fsyncLat.median())+", p99 "+ms(fsyncLat.p99()), "", nil)
	rep.add("durable", "raw fdatasync loop, appending a 4 KiB page each time (the file grows)", num(growRate)+" fsyncs/s",
		"p50 "+ms(growLat.median())+", p99 "+ms(growLat.p99()), "", nil)
	rep.add("durable", fmt.Sprintf("feedback submits/s through the binary (%d clients, group commit)", submitClients),
		num(bin.perSec())+"/s", ratio(bin.perSec(), single.perSec())+" one-fsync-per-request; "+ratio(bin.perSec(), fsyncRate)+" raw fsync rate",
		"≥ 10,000/s, ≥ 5×", boolp(bin.perSec() >= 10_000 && bin.perSec() >= 5*single.perSec()))
	rep.add("durable", "  submit latency through the binary, p50 / p99", ms(bin.lat.median())+" / "+ms(bin.lat.p99()),
		fmt.Sprintf("%s ok, %d failed (%d 5xx)", num(float64(bin.ok)), bin.fail, bin.fail5xx), "", nil)
	if pages := m1["doorstep_bolt_page_writes_total"] - m0["doorstep_bolt_page_writes_total"]; pages > 0 && bin.ok > 0 {
		wsec := m1["doorstep_bolt_write_seconds_total"] - m0["doorstep_bolt_write_seconds_total"]
		rep.add("durable", "  bbolt during that run (from /metrics)", fmt.Sprintf("%.1f pages written per submit", pages/float64(bin.ok)),
			fmt.Sprintf("commits spent %.1f s of %.1f s writing pages", wsec, bin.elapsed.Seconds()), "", nil)
	}
	for i, r := range results {
		rep.add("durable", cfgs[i].name, num(r.perSec())+"/s", "p50 "+ms(r.lat.median())+", p99 "+ms(r.lat.p99())+
			fmt.Sprintf("; %d failed", r.fail), "", nil)
	}
	rep.add("durable", "group commit vs one fsync per request (both in-process, same run)",
		ratio(group.perSec(), single.perSec()), "", "≥ 5×", boolp(group.perSec() >= 5*single.perSec()))
	rep.add("durable", "tuned batch vs bbolt's own defaults (both in-process)", ratio(group.perSec(), bboltDef.perSec()), "", "", nil)
	if bin.fail > 0 {
		rep.note("durable: %d submits through the binary failed; first: %v", bin.fail, bin.firstErr)
	}
	if perSource == 0 {
		rep.note("durable: serve runs with --submits-per-minute 0; each of the %d clients keeps one keep-alive connection and POSTs the feedback form (CSRF cookie and field from one GET of a feedback page) on fresh codes signed with the paired device's key.", submitClients)
	} else {
		rep.note("durable: the binary has no flag to turn the submit limit off, so victims come from distinct loopback addresses (127.10.x.y, %d submits each, a new connection each).", submitsPerSource)
	}
	rep.note("durable: the binary has no flag to turn group commit off, so the one-fsync-per-request baseline runs in-process: server.New on a loopback listener over bolt.Options{MaxBatchSize: -1}, same client, without request logging (the binary logs every request as JSON to a file). The in-process group-commit row is the like-for-like comparison.")
	if stopErr != nil {
		return errors.Join(errors.New("durable: serve did not stop cleanly"), stopErr)
	}
	return nil
}
