package main

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	dsync "github.com/doorstep-project/doorstep/sync"
)

const (
	pushBatch = dsync.MaxPushMutations // 500
	pullPage  = dsync.MaxPullLimit     // 1000
)

// pushN pushes n issues from d in batches of pushBatch; it returns the push
// latencies. Mutations are built before the clock starts for each push.
func pushN(ctx context.Context, a *api, d *device, n int) (latencies, time.Duration, error) {
	var lat latencies
	var busy time.Duration
	for done := 0; done < n; {
		k := min(pushBatch, n-done)
		muts, _, err := d.issueMutations(k)
		if err != nil {
			return lat, busy, err
		}
		t := time.Now()
		if err := d.push(ctx, a, muts); err != nil {
			return lat, busy, err
		}
		el := time.Since(t)
		lat = append(lat, el)
		busy += el
		done += k
	}
	return lat, busy, nil
}

// benchSync measures push ops/s, pull changes/s and a first sync of a device
// holding 10,000 records.
func benchSync(ctx context.Context, e *env, rep *report) error {
	srv, err := e.serve(ctx, "sync", true)
	if err != nil {
		return err
	}
	defer srv.stop()
	a := &api{base: srv.url, hc: newClient(nil, 16)}
	const conc = 4
	devs, err := pairDevices(ctx, srv.url, e.src, 1, 2+conc)
	if err != nil {
		return err
	}

	// One device, batches of 500, one after another.
	n := e.syncOps
	t0 := time.Now()
	pushLat, _, err := pushN(ctx, a, devs[0], n)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	pushRate := float64(n) / time.Since(t0).Seconds()

	// One device pulls them back in pages of 1000.
	var pullLat latencies
	t0 = time.Now()
	got := 0
	for pages := 0; pages < n/pullPage+5; pages++ {
		t := time.Now()
		resp, err := devs[0].pull(ctx, a, devs[0].cursor, pullPage)
		if err != nil {
			return fmt.Errorf("pull: %w", err)
		}
		pullLat = append(pullLat, time.Since(t))
		got += len(resp.Changes)
		devs[0].cursor = resp.Cursor
		if !resp.More {
			break
		}
	}
	pullRate := float64(got) / time.Since(t0).Seconds()
	if got < n {
		return fmt.Errorf("pulled %d changes, pushed %d", got, n)
	}

	// Several devices at once.
	per := n / conc
	var wg gosync.WaitGroup
	errs := make([]error, conc)
	t0 = time.Now()
	for i := range conc {
		wg.Add(1)
		go func() { defer wg.Done(); _, _, errs[i] = pushN(ctx, a, devs[2+i], per) }()
	}
	wg.Wait()
	cPushRate := float64(per*conc) / time.Since(t0).Seconds()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("concurrent push: %w", err)
	}
	counts := make([]int, conc)
	t0 = time.Now()
	for i := range conc {
		wg.Add(1)
		go func() { defer wg.Done(); counts[i], _, errs[i] = devs[2+i].pullAll(ctx, a, pullPage, per/pullPage+5) }()
	}
	wg.Wait()
	cPullRate := 0.0
	for _, c := range counts {
		cPullRate += float64(c)
	}
	cPullRate /= time.Since(t0).Seconds()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("concurrent pull: %w", err)
	}

	// First sync of a device that issued 10,000 codes offline: push them all,
	// then pull its feed to the end.
	const firstN = 10_000
	fd := devs[1]
	t0 = time.Now()
	if _, _, err := pushN(ctx, a, fd, firstN); err != nil {
		return fmt.Errorf("first sync push: %w", err)
	}
	tPush := time.Since(t0)
	pulled, pages, err := fd.pullAll(ctx, a, pullPage, firstN/pullPage+5)
	if err != nil {
		return fmt.Errorf("first sync pull: %w", err)
	}
	tFirst := time.Since(t0)

	rep.add("sync", fmt.Sprintf("push, one device, batches of %d (%s ops)", pushBatch, num(float64(n))), num(pushRate)+" ops/s",
		"push p50 "+ms(pushLat.median())+", p99 "+ms(pushLat.p99()), "≥ 20,000 ops/s", boolp(pushRate >= 20_000))
	rep.add("sync", fmt.Sprintf("push, %d devices at once", conc), num(cPushRate)+" ops/s", "", "", nil)
	rep.add("sync", fmt.Sprintf("pull, one device, pages of %d", pullPage), num(pullRate)+" changes/s",
		"page p50 "+ms(pullLat.median())+", p99 "+ms(pullLat.p99()), "≥ 50,000 changes/s", boolp(pullRate >= 50_000))
	rep.add("sync", fmt.Sprintf("pull, %d devices at once", conc), num(cPullRate)+" changes/s", "", "", nil)
	rep.add("sync", "first sync of a device with 10,000 records (20 pushes + pull to the end)", ms(tFirst),
		fmt.Sprintf("push %s, pull %s (%s changes, %d pages)", ms(tPush), ms(tFirst-tPush), num(float64(pulled)), pages), "", nil)
	rep.note("sync: devices speak the wire protocol directly (POST /api/v1/device/push, GET /api/v1/device/pull) with tokens signed by their paired keys, as mobileapi does. Per-request latencies exclude building and signing a batch but include its JSON encoding and the decoding of the answer; ops/s and changes/s count the wall time of the whole run, client work included.")
	return nil
}
