package bolt

import (
	"context"
	"errors"
	"path/filepath"
	stdsync "sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// When one function of a batch fails, bbolt rolls the batch back and runs the
// others again: they must store their change once, and report the outcome of
// the run that committed.
func TestBatchRerunIsIdempotent(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), DefaultFileName), Options{MaxBatchSize: 1000, MaxBatchDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	o := &doorstep.Officer{CollarNumber: "1", Name: "A"}
	if err := db.CreateOfficer(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePairingCode(ctx, &doorstep.PairingCode{Code: "P", OfficerID: o.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d := &doorstep.Device{Name: "phone"}
	if _, err := db.Pair(ctx, "P", time.Now(), d); err != nil {
		t.Fatal(err)
	}

	if err := db.SubmitFeedback(ctx, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 100}, Rating: 2}); err != nil {
		t.Fatal(err)
	}

	db.writers.Add(1) // as if another writer were in flight: everyone batches
	defer db.writers.Add(-1)
	var wg stdsync.WaitGroup
	fbErrs := make([]error, 10)
	for i := range fbErrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fbErrs[i] = db.SubmitFeedback(ctx, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(i + 1)}, Rating: 4})
		}()
	}
	wg.Add(1)
	var dup error
	go func() { // a refusal in the same batch
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		dup = db.SubmitFeedback(ctx, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 100}, Rating: 1})
	}()
	var res *doorstep.PushResult
	var pushErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, pushErr = db.ApplyMutations(ctx, d.ID, []doorstep.Mutation{{ID: 1, Kind: "bogus"}, {ID: 2, Kind: "bogus"}}, time.Now())
	}()
	time.Sleep(40 * time.Millisecond)
	boom := errors.New("boom")
	failed := db.bdb.Batch(func(*bbolt.Tx) error { return boom }) // fails the batch
	wg.Wait()

	if !errors.Is(failed, boom) {
		t.Fatalf("failing batch function returned %v", failed)
	}
	for i, err := range fbErrs {
		if err != nil {
			t.Fatalf("SubmitFeedback %d in a failed batch: %v", i, err)
		}
	}
	if doorstep.ErrorCode(dup) != doorstep.ECONFLICT {
		t.Fatalf("duplicate submit in the batch: %v, want conflict", dup)
	}
	if pushErr != nil || res.LastMutationID != 2 || len(res.Results) != 2 || res.Results[1].Status != doorstep.StatusRejected {
		t.Fatalf("ApplyMutations in a failed batch = %+v, %v", res, pushErr)
	}
	s, err := db.Summary(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Responses != 11 || s.Unlinked != 11 || s.Ratings["4"] != 10 || s.Ratings["2"] != 1 || s.Ratings["1"] != 0 {
		t.Fatalf("Summary after reruns = %+v, want 10 responses counted once and the first one", s)
	}
	ch, _, _, err := db.Changes(ctx, d.ID, 0, 100)
	if err != nil || len(ch) != 11 {
		t.Fatalf("feed after reruns holds %d changes (%v), want 11", len(ch), err)
	}
	dev, _ := db.Device(ctx, d.ID)
	if dev.LastMutationID != 2 {
		t.Fatalf("LastMutationID = %d, want 2", dev.LastMutationID)
	}
}
