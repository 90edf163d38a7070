package main

import (
	"context"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"time"
)

const (
	loadVictims     = 32 // concurrent victims: page, then submit, each from its own address
	loadDevices     = 8  // devices syncing in a loop
	loadSyncIssues  = 20 // issues each device pushes per sync
	loadMaxRequests = 5_000_000
)

// loadResult is a load run's outcome.
type loadResult struct {
	elapsed                  time.Duration
	submits, pages, syncs    int64
	pushed, pulled           int64
	submitLat, pageLat, sync latencies
	status5xx, otherErrs     int64
	firstErr                 error
}

// runLoad holds victim submits and device syncs together on one server for
// dur.
func runLoad(ctx context.Context, e *env, base string, dur time.Duration) (*loadResult, error) {
	a := &api{base: base, hc: newClient(nil, 2*loadDevices)}
	devs, err := pairDevices(ctx, base, e.src, 1000, loadDevices+1)
	if err != nil {
		return nil, err
	}
	offline := newTokenSource(devs[loadDevices], 0) // a device that never syncs: unlinked feedback
	synced := make(chan string, 1<<16)
	// Prime: every device pushes a batch so victims start on synced codes.
	for _, d := range devs[:loadDevices] {
		muts, texts, err := d.issueMutations(pushBatch)
		if err != nil {
			return nil, err
		}
		if err := d.push(ctx, a, muts); err != nil {
			return nil, fmt.Errorf("prime push: %w", err)
		}
		for _, t := range texts {
			select {
			case synced <- t:
			default:
			}
		}
		if _, _, err := d.pullAll(ctx, a, pullPage, 10); err != nil {
			return nil, err
		}
	}

	res := &loadResult{}
	var mu gosync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if is5xx(err) {
			res.status5xx++
		} else {
			res.otherErrs++
		}
		res.firstErr = cmpErr(res.firstErr, err)
	}
	var requests atomic.Int64
	stop := time.Now().Add(dur)
	running := func() bool {
		return time.Now().Before(stop) && ctx.Err() == nil && requests.Load() < loadMaxRequests
	}
	t0 := time.Now()
	var wg gosync.WaitGroup
	for range loadVictims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sl, pl latencies
			for running() {
				var tok string
				select {
				case tok = <-synced:
				default:
					var err error
					if tok, err = offline.next(); err != nil {
						fail(err)
						return
					}
				}
				v := newVictim(base, e.src.next())
				requests.Add(2)
				t := time.Now()
				err := v.page(ctx, tok)
				pl = append(pl, time.Since(t))
				if err == nil {
					t = time.Now()
					err = v.submit(ctx, tok, 1+len(sl)%5)
					if err == nil {
						sl = append(sl, time.Since(t))
					}
				}
				v.close()
				if err != nil && ctx.Err() == nil {
					fail(err)
				}
			}
			mu.Lock()
			res.submitLat = append(res.submitLat, sl...)
			res.pageLat = append(res.pageLat, pl...)
			mu.Unlock()
		}()
	}
	for _, d := range devs[:loadDevices] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat latencies
			var pushed, pulled int64
			for running() {
				muts, texts, err := d.issueMutations(loadSyncIssues)
				if err != nil {
					fail(err)
					return
				}
				requests.Add(2)
				t := time.Now()
				if err := d.push(ctx, a, muts); err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					return // the outbox numbering is broken now
				}
				n, _, err := d.pullAll(ctx, a, pullPage, 100)
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					return
				}
				lat = append(lat, time.Since(t))
				pushed += int64(len(muts))
				pulled += int64(n)
				for _, t := range texts {
					select {
					case synced <- t:
					default:
					}
				}
			}
			mu.Lock()
			res.sync = append(res.sync, lat...)
			res.pushed += pushed
			res.pulled += pulled
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	res.submits = int64(len(res.submitLat))
	res.pages = int64(len(res.pageLat))
	res.syncs = int64(len(res.sync))
	return res, nil
}

// benchLoad runs the load test through the binary and reports it; it
// returns an error when any answer was a 5xx.
func benchLoad(ctx context.Context, e *env, rep *report, dur time.Duration) error {
	srv, err := e.serve(ctx, "load", false)
	if err != nil {
		return err
	}
	r, err := runLoad(ctx, e, srv.url, dur)
	m, _ := srv.memory()
	stopErr := srv.stop()
	if err != nil {
		return err
	}
	secs := r.elapsed.Seconds()
	label := fmt.Sprintf("load %.0f s", dur.Seconds())
	rep.add(label, fmt.Sprintf("victims (%d at once, each a new address: page + submit)", loadVictims),
		fmt.Sprintf("%s submits/s", num(float64(r.submits)/secs)),
		fmt.Sprintf("submit p50 %s, p99 %s; page p99 %s", ms(r.submitLat.median()), ms(r.submitLat.p99()), ms(r.pageLat.p99())), "", nil)
	rep.add(label, fmt.Sprintf("device syncs (%d devices, push %d + pull to the end)", loadDevices, loadSyncIssues),
		fmt.Sprintf("%s syncs/s", num(float64(r.syncs)/secs)),
		fmt.Sprintf("sync p50 %s, p99 %s; %s ops up, %s changes down", ms(r.sync.median()), ms(r.sync.p99()), num(float64(r.pushed)), num(float64(r.pulled))), "", nil)
	rep.add(label, "5xx answers / other failures", fmt.Sprintf("%d / %d", r.status5xx, r.otherErrs),
		fmt.Sprintf("server peak RSS %s", kib(m.HWM*1024)), "zero 5xx", boolp(r.status5xx == 0))
	if r.firstErr != nil {
		rep.note("%s: first failure: %v", label, r.firstErr)
	}
	if r.status5xx > 0 {
		return fmt.Errorf("load: %d answers were 5xx (first failure: %v)", r.status5xx, r.firstErr)
	}
	if stopErr != nil {
		return stopErr
	}
	return nil
}
