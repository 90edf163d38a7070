package bolt_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// Benchmarks run with fsync on, as in production.

// BenchmarkApplyMutations pushes batches of sync.MaxPushMutations issuances
// from one device, each batch one transaction.
func BenchmarkApplyMutations(b *testing.B) {
	db := MustOpen(b)
	_, d := setup(b, db)
	const batch = dsync.MaxPushMutations
	next := uint64(1)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		muts := issues(d, next, batch)
		b.StartTimer()
		res, err := db.ApplyMutations(ctx(), d.ID, muts, t0())
		if err != nil {
			b.Fatal(err)
		}
		next = res.LastMutationID + 1
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkApplyMutationsParallel pushes batches of 500 from many devices at
// once, sharing commits.
func BenchmarkApplyMutationsParallel(b *testing.B) {
	db := MustOpen(b)
	o, _ := setup(b, db)
	const batch = dsync.MaxPushMutations
	var devs atomic.Int32
	var ops atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		code := "P" + doorstep.NewID(time.Now())
		if err := db.CreatePairingCode(ctx(), &doorstep.PairingCode{Code: code, OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}); err != nil {
			b.Error(err)
			return
		}
		d := &doorstep.Device{Name: "bench"}
		if _, err := db.Pair(ctx(), code, t0(), d); err != nil {
			b.Error(err)
			return
		}
		devs.Add(1)
		next := uint64(1)
		for pb.Next() {
			res, err := db.ApplyMutations(ctx(), d.ID, issues(d, next, batch), t0())
			if err != nil {
				b.Error(err)
				return
			}
			next = res.LastMutationID + 1
			ops.Add(batch)
		}
	})
	b.ReportMetric(float64(ops.Load())/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkChanges pulls a device's feed in pages of sync.MaxPullLimit from a
// store where 9 other devices' changes are interleaved with its own.
func BenchmarkChanges(b *testing.B) {
	db := mustOpenAt(b, filepath.Join(b.TempDir(), bolt.DefaultFileName), bolt.Options{CheckToken: testOptions().CheckToken, NoSync: true})
	o, d := setup(b, db)
	others := make([]*doorstep.Device, 9)
	for i := range others {
		code := "P" + doorstep.NewID(time.Now())
		if err := db.CreatePairingCode(ctx(), &doorstep.PairingCode{Code: code, OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		others[i] = &doorstep.Device{Name: "other"}
		if _, err := db.Pair(ctx(), code, t0(), others[i]); err != nil {
			b.Fatal(err)
		}
	}
	const perDevice = 20_000
	for start := uint64(1); start <= perDevice; start += 500 {
		for _, dev := range append([]*doorstep.Device{d}, others...) {
			if _, err := db.ApplyMutations(ctx(), dev.ID, issues(dev, start, 500), t0()); err != nil {
				b.Fatal(err)
			}
		}
	}
	pulled := 0
	var cur uint64
	b.ResetTimer()
	for b.Loop() {
		page, next, more, err := db.Changes(ctx(), d.ID, cur, dsync.MaxPullLimit)
		if err != nil {
			b.Fatal(err)
		}
		pulled += len(page)
		cur = next
		if !more {
			cur = 0
		}
	}
	b.ReportMetric(float64(pulled)/b.Elapsed().Seconds(), "changes/s")
}

// BenchmarkSubmitFeedbackParallel submits feedback from many goroutines
// (64 per CPU by default), each submit durable when it returns.
func BenchmarkSubmitFeedbackParallel(b *testing.B) {
	db := MustOpen(b)
	_, d := setup(b, db)
	var counter atomic.Uint32
	b.SetParallelism(32) // 64 writers on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: counter.Add(1)}, Rating: 4, Comment: "Very kind and patient."}
			if err := db.SubmitFeedback(ctx(), f); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}

// BenchmarkSubmitFeedbackSerial is one writer: every submit its own commit.
func BenchmarkSubmitFeedbackSerial(b *testing.B) {
	db := MustOpen(b)
	_, d := setup(b, db)
	var counter uint32
	for b.Loop() {
		counter++
		if err := db.SubmitFeedback(ctx(), &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: counter}, Rating: 4}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}
