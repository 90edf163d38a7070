package main

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"time"
)

const (
	seedDevices = 32 // devices (one officer each) the stored records spread over
	seedWorkers = 8  // concurrent pushers while seeding
	probeRuns   = 5  // pushes and pull pages timed at each point
)

// scalePoint is what was measured at one store size.
type scalePoint struct {
	records                 int
	seedRate                float64
	push, pull              latencies
	submit, dash            latencies
	rss                     memory
	fileBytes               int64
	submitFail, submitFail5 int
}

// seed pushes issues from the seed devices until the server holds target
// records or the deadline passes; it returns how many it added.
func seed(ctx context.Context, a *api, devs []*device, have, target int, deadline time.Time) (int, error) {
	var added atomic.Int64
	need := int64(target - have)
	var wg gosync.WaitGroup
	errs := make([]error, seedWorkers)
	for w := range seedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ; round++ {
				d := devs[w+seedWorkers*(round%(len(devs)/seedWorkers))]
				k := int64(pushBatch)
				if added.Add(k) > need {
					added.Add(-k)
					return
				}
				if time.Now().After(deadline) || ctx.Err() != nil {
					added.Add(-k)
					return
				}
				muts, _, err := d.issueMutations(int(k))
				if err == nil {
					err = d.push(ctx, a, muts)
				}
				if err != nil {
					added.Add(-k)
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return int(added.Load()), errors.Join(errs...)
}

// benchScale seeds the store through the real protocol and measures push,
// pull, submit and dashboard latency at each size, and the server's RSS.
func benchScale(ctx context.Context, e *env, rep *report) error {
	srv, err := e.serve(ctx, "scale", true)
	if err != nil {
		return err
	}
	defer srv.stop()
	a := &api{base: srv.url, hc: newClient(nil, 2*seedWorkers)}
	devs, err := pairDevices(ctx, srv.url, e.src, 100, seedDevices+1)
	if err != nil {
		return err
	}
	probe, seeders := devs[0], devs[1:]
	var probeTexts []string // codes the probe has synced, for victims
	start := time.Now()
	deadline := start.Add(e.scaleBudget)

	// The trainer dashboard: an officer's page, as a signed-in trainer sees
	// it. Without it (not built yet, or sign-in failed) the admin summary API
	// stands in, and a note says so.
	tr, dashErr := signInTrainer(ctx, srv.url)
	if dashErr == nil {
		dashErr = tr.officerPage(ctx, seeders[0].officerID)
	}
	dashboardRoute := dashErr == nil

	have := 0
	var points []scalePoint
	for _, target := range e.scalePoints {
		if target <= have {
			continue
		}
		// Will it fit? Judge from the seeding rate so far (first point: try).
		if len(points) > 0 {
			rate := points[len(points)-1].seedRate
			left := time.Until(deadline)
			if rate > 0 && time.Duration(float64(target-have)/rate*float64(time.Second))*11/10 > left {
				rep.note("scale: %s records would take about %.0f s to seed at %s records/s, past the time budget (%.0f s left): the curve stops at %s.",
					num(float64(target)), float64(target-have)/rate, num(rate), left.Seconds(), num(float64(have)))
				break
			}
		}
		t0 := time.Now()
		added, err := seed(ctx, a, seeders, have, target, deadline)
		have += added
		if err != nil {
			return fmt.Errorf("seeding to %d: %w", target, err)
		}
		p := scalePoint{records: have, seedRate: float64(added) / time.Since(t0).Seconds()}
		if have < target {
			rep.note("scale: seeding stopped at %s of %s records at the time budget.", num(float64(have)), num(float64(target)))
		}

		// push: the probe device pushes batches of 500.
		for range probeRuns {
			muts, texts, err := probe.issueMutations(pushBatch)
			if err != nil {
				return err
			}
			probeTexts = append(probeTexts, texts...)
			t := time.Now()
			if err := probe.push(ctx, a, muts); err != nil {
				return fmt.Errorf("probe push: %w", err)
			}
			p.push = append(p.push, time.Since(t))
		}
		// pull: pages of 1000 from the start of the probe's feed.
		cursor := ""
		for range probeRuns {
			t := time.Now()
			resp, err := probe.pull(ctx, a, cursor, pullPage)
			if err != nil {
				return fmt.Errorf("probe pull: %w", err)
			}
			p.pull = append(p.pull, time.Since(t))
			cursor = resp.Cursor
			if !resp.More {
				cursor = ""
			}
		}
		// submit: one victim at a time, on codes the probe has synced.
		var v *victim
		for i := 0; i < e.scaleSubmits && len(points)*e.scaleSubmits+i < len(probeTexts); i++ {
			if i%submitsPerSource == 0 {
				if v != nil {
					v.close()
				}
				v = newVictim(srv.url, e.src.next())
			}
			tok := probeTexts[len(points)*e.scaleSubmits+i]
			if v.field == "" {
				if err := v.page(ctx, tok); err != nil {
					return fmt.Errorf("feedback page: %w", err)
				}
			}
			t := time.Now()
			if err := v.submit(ctx, tok, 1+i%5); err != nil {
				p.submitFail++
				if is5xx(err) {
					p.submitFail5++
				}
				continue
			}
			p.submit = append(p.submit, time.Since(t))
		}
		if v != nil {
			v.close()
		}
		// dashboard: the summary of an officer holding a share of the records.
		for range 20 {
			t := time.Now()
			if dashboardRoute {
				if err := tr.officerPage(ctx, seeders[0].officerID); err != nil {
					return fmt.Errorf("dashboard officer page: %w", err)
				}
			} else {
				var sum map[string]any
				if err := a.do(ctx, "GET", "/api/v1/admin/officers/"+seeders[0].officerID+"/summary", adminToken, nil, &sum); err != nil {
					return fmt.Errorf("summary: %w", err)
				}
			}
			p.dash = append(p.dash, time.Since(t))
		}
		p.rss, _ = srv.memory()
		p.fileBytes = srv.dataSize()
		points = append(points, p)
		if have < target {
			break
		}
	}
	if len(points) == 0 {
		return errors.New("scale: no point measured")
	}
	dashName := "dashboard"
	if !dashboardRoute {
		dashName = "summary API"
	}
	for _, p := range points {
		rep.add("scale", fmt.Sprintf("%s records: push 500 / pull 1000 / submit / %s, p50", num(float64(p.records)), dashName),
			fmt.Sprintf("%s / %s / %s / %s", ms(p.push.median()), ms(p.pull.median()), ms(p.submit.median()), ms(p.dash.median())),
			fmt.Sprintf("p99 %s / %s / %s / %s; seeded at %s records/s; file %s; RSS %s",
				ms(p.push.p99()), ms(p.pull.p99()), ms(p.submit.p99()), ms(p.dash.p99()),
				num(p.seedRate), kib(int(p.fileBytes)), kib(p.rss.RSS*1024)), "", nil)
		if p.submitFail > 0 {
			rep.note("scale: at %s records %d submits failed (%d 5xx)", num(float64(p.records)), p.submitFail, p.submitFail5)
		}
	}
	last := points[len(points)-1]
	m, _ := srv.memory()
	rep.add("scale", fmt.Sprintf("server peak RSS (VmHWM) at %s records", num(float64(last.records))), kib(m.HWM*1024),
		fmt.Sprintf("now: anon %s, file-backed (bbolt mmap) %s", kib(m.Anon*1024), kib(m.File*1024)),
		"< 200 MB at 1,000,000", rssVerdict(m.HWM*1024, last.records))
	rep.add("scale", "time to seed the curve through the protocol", fmt.Sprintf("%.0f s", time.Since(start).Seconds()),
		fmt.Sprintf("%d devices, %d concurrent pushers, batches of %d", seedDevices, seedWorkers, pushBatch), "", nil)
	if dashboardRoute {
		rep.note("scale: the dashboard column is GET /dashboard/officers/{id} (the officer's page, rendered on the server and audited) for an officer holding 1/%d of the records, by a trainer signed in through /login.", seedDevices)
	} else {
		rep.note("scale: the trainer dashboard could not be used (%v), so the dashboard column is GET /api/v1/admin/officers/{id}/summary (aggregates kept on write) for an officer holding 1/%d of the records.", dashErr, seedDevices)
	}
	rep.note("scale: records are issuances pushed by %d devices of %d officers in batches of %d; push and pull are timed on a separate probe device (its feed grows by 2,500 per point), submits on codes the probe synced, one victim address per %d submits.", seedDevices, seedDevices, pushBatch, submitsPerSource)
	return nil
}

// rssVerdict judges the peak RSS aim, which is set at 1,000,000 records.
func rssVerdict(bytes, records int) *bool {
	if records < 1_000_000 {
		return nil
	}
	return boolp(bytes < 200_000_000)
}
