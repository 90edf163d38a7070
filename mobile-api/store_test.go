package mobileapi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesAPrivateStateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "state")
	d := openTest(t, dir, nil)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("state dir mode %v, want 0700", fi.Mode().Perm())
	}
	fi, err = os.Stat(filepath.Join(dir, stateFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v", fi, err)
	}
	s, err := d.Status()
	if err != nil || s.Paired || s.Pending != 0 {
		t.Fatalf("new state: %+v, %v", s, err)
	}
	if _, err := d.Sync(); doorstep.ErrorCode(err) != doorstep.EINVALID || !strings.Contains(err.Error(), "not paired") {
		t.Fatalf("Sync before pairing = %v", err)
	}
	if _, err := OpenWithOptions("", nil); err == nil {
		t.Fatal("Open(\"\") succeeded")
	}
}

// A second process (here: a second Open) gets a clear error, not a hang.
func TestOpenRefusesAStateInUse(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir, nil)
	start := time.Now()
	_, err := OpenWithOptions(dir, fastOptions())
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second Open = %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("second Open took %v", took)
	}
}

// Mutation IDs are 1, 2, 3… across restarts, never reused, and written with
// the change they carry.
func TestOutboxNumbersMutationsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	d := openTest(t, dir, nil)
	storePairing(t, d, "http://127.0.0.1:1")
	a := storeIssuance(t, d)
	b := storeIssuance(t, d)
	if err := d.Void(a, "printed twice"); err != nil {
		t.Fatal(err)
	}
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("outbox = %v, want [1 2 3]", got)
	}
	d.Close()

	d = openTest(t, dir, nil)
	if err := d.Void(b, ""); err != nil {
		t.Fatal(err)
	}
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{1, 2, 3, 4}) {
		t.Fatalf("outbox after restart = %v, want [1 2 3 4]", got)
	}
	// Acknowledged mutations leave; the numbering goes on after them.
	acked, rejected, err := d.storePush(mustBatch(t, d, 3), &dsync.PushResponse{PushResult: doorstep.PushResult{
		LastMutationID: 3,
		Results: []doorstep.MutationResult{
			{ID: 1, Status: doorstep.StatusApplied},
			{ID: 2, Status: doorstep.StatusRejected, Reason: "bad token"},
			{ID: 3, Status: doorstep.StatusApplied},
		},
	}})
	if err != nil || acked != 3 || rejected != 1 {
		t.Fatalf("storePush = %d, %d, %v", acked, rejected, err)
	}
	c := storeIssuance(t, d)
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{4, 5}) {
		t.Fatalf("outbox = %v, want [4 5]", got)
	}
	rej, err := d.RejectedJSON()
	if err != nil || !strings.Contains(rej, `"mutation_id":2`) || !strings.Contains(rej, "bad token") || !strings.Contains(rej, b) {
		t.Fatalf("RejectedJSON = %s, %v", rej, err)
	}
	s, err := d.Status()
	if err != nil || s.Pending != 2 || s.Issued != 3 || s.Synced != 1 || s.Rejected != 1 || s.LastAckedMutation != 3 {
		t.Fatalf("status = %+v, %v", s, err)
	}
	list, err := d.IssuedJSON(0)
	if err != nil || strings.Index(list, c) > strings.Index(list, a) {
		t.Fatalf("IssuedJSON not newest first: %s %v", list, err)
	}
}

// A server that claims more mutations than the device ever numbered means the
// device state went back in time: refuse rather than lose new work silently.
func TestStorePushRefusesAServerAheadOfTheDevice(t *testing.T) {
	d := openTest(t, "", nil)
	storePairing(t, d, "http://127.0.0.1:1")
	storeIssuance(t, d)
	_, _, err := d.storePush(mustBatch(t, d, 1), &dsync.PushResponse{PushResult: doorstep.PushResult{LastMutationID: 9}})
	if doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Fatalf("storePush with a server ahead = %v", err)
	}
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("outbox = %v, want the mutation kept", got)
	}
}

func TestNextBatchStaysWithinLimits(t *testing.T) {
	d := openTest(t, "", nil)
	storePairing(t, d, "http://127.0.0.1:1")
	err := d.db.Update(func(tx *bolt.Tx) error {
		for range dsync.MaxPushMutations + 20 {
			v := &doorstep.Void{IssuanceID: doorstep.NewID(time.Now()), Reason: strings.Repeat("x", dsync.MaxReasonLen), HLC: "000000000000000000000000"}
			if _, err := appendOutbox(tx, &doorstep.Mutation{Kind: doorstep.MutationVoid, Void: v}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	batch, body, err := d.nextBatch()
	if err != nil || len(batch) != dsync.MaxPushMutations || len(body) > dsync.MaxPushBytes {
		t.Fatalf("nextBatch = %d mutations, %d bytes, %v", len(batch), len(body), err)
	}
	p, err := dsync.DecodePush(strings.NewReader(string(body)))
	if err != nil || len(p.Mutations) != len(batch) || p.Mutations[0].ID != 1 {
		t.Fatalf("the server's decoder refuses the batch: %v", err)
	}
}

func TestVoidChecksItsInput(t *testing.T) {
	d := openTest(t, "", nil)
	if err := d.Void(doorstep.NewID(time.Now()), ""); doorstep.ErrorCode(err) != doorstep.EINVALID {
		t.Fatalf("Void before pairing = %v", err)
	}
	storePairing(t, d, "http://127.0.0.1:1")
	id := storeIssuance(t, d)
	for _, tc := range []struct{ id, reason, code string }{
		{"nope", "", doorstep.EINVALID},
		{doorstep.NewID(time.Now()), "", doorstep.ENOTFOUND},
		{id, strings.Repeat("x", dsync.MaxReasonLen+1), doorstep.EINVALID},
		{id, "a\x00b", doorstep.EINVALID},
	} {
		if err := d.Void(tc.id, tc.reason); doorstep.ErrorCode(err) != tc.code {
			t.Errorf("Void(%.20q, %.20q) = %v, want %s", tc.id, tc.reason, err, tc.code)
		}
	}
	if err := d.Void(id, "spoiled"); err != nil {
		t.Fatal(err)
	}
	if err := d.Void(id, "again"); doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Fatalf("second Void = %v", err)
	}
	if got := outboxIDs(t, d); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("outbox = %v", got)
	}
}

func TestPairRefusesBadInputAndRepairing(t *testing.T) {
	d := openTest(t, "", nil)
	for _, tc := range []struct{ url, code, name string }{
		{"", "ABC", ""},
		{"ftp://x", "ABC", ""},
		{"http://", "ABC", ""},
		{"http://h", "", ""},
		{"http://h", "ABC", strings.Repeat("n", dsync.MaxDeviceNameLen+1)},
		{"http://h", "ABC", "bad\nname"},
	} {
		if err := d.Pair(tc.url, tc.code, tc.name); doorstep.ErrorCode(err) != doorstep.EINVALID {
			t.Errorf("Pair(%q, %q, %.10q) = %v, want invalid", tc.url, tc.code, tc.name, err)
		}
	}
	storePairing(t, d, "http://127.0.0.1:1")
	err := d.Pair("http://127.0.0.1:1", "ABC", "")
	if doorstep.ErrorCode(err) != doorstep.ECONFLICT || !strings.Contains(err.Error(), "already paired") {
		t.Fatalf("re-pairing = %v", err)
	}
}

func mustBatch(t *testing.T, d *Device, n int) []doorstep.Mutation {
	t.Helper()
	batch, _, err := d.nextBatch()
	if err != nil || len(batch) < n {
		t.Fatalf("nextBatch = %d, %v", len(batch), err)
	}
	return batch[:n]
}
