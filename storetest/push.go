package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

func testPush(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	is1, is2 := newIssuance(d, 1), newIssuance(d, 2)
	is2.OfficerID = o.ID // may be given; must then be the device's officer
	now := t0().Add(2 * time.Minute)
	res, err := f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(1, is1), issue(2, is2)}, now)
	if err != nil {
		t.Fatalf("ApplyMutations: %v", err)
	}
	want := &doorstep.PushResult{LastMutationID: 2, Results: []doorstep.MutationResult{
		{ID: 1, Status: doorstep.StatusApplied}, {ID: 2, Status: doorstep.StatusApplied},
	}}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("ApplyMutations = %+v, want %+v", res, want)
	}
	dev, err := f.s.Device(f.ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if dev.LastMutationID != 2 || dev.LastSyncAt == nil || !dev.LastSyncAt.Equal(now) {
		t.Fatalf("device after push: LastMutationID %d LastSyncAt %v, want 2 and %v", dev.LastMutationID, dev.LastSyncAt, now)
	}
	got, err := f.s.Issuance(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatalf("Issuance: %v", err)
	}
	if got.ID != is1.ID || got.OfficerID != o.ID || !got.ReceivedAt.Equal(now) || got.CrimeRef != is1.CrimeRef ||
		got.TokenText != is1.TokenText || !got.IssuedAt.Equal(is1.IssuedAt) || got.HLC != is1.HLC || got.Voided {
		t.Fatalf("Issuance = %+v, want %+v with officer and receive time set", got, is1)
	}
	_, err = f.s.Issuance(f.ctx, ref(d, 3))
	wantCode(t, "Issuance(not synced)", err, doorstep.ENOTFOUND)
	if s := f.summary(o); s.Issued != 2 {
		t.Fatalf("Summary.Issued = %d, want 2", s.Issued)
	}
	if n := count(f.changes(d), doorstep.ChangeIssuance); n != 2 {
		t.Fatalf("feed holds %d issuances, want 2", n)
	}
}

func testPushReplay(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	batch := []doorstep.Mutation{issue(1, newIssuance(d, 1)), issue(2, newIssuance(d, 2)), issue(3, newIssuance(d, 3))}
	first := f.pushApplied(d, batch...)
	feed := f.changes(d)
	sum := f.summary(o)

	again := f.push(d, batch...)
	if !reflect.DeepEqual(again, first) {
		t.Fatalf("replay answered %+v, first answer %+v", again, first)
	}
	// A batch that overlaps the applied ones applies only the new mutation.
	over := f.push(d, batch[1], batch[2], issue(4, newIssuance(d, 4)))
	if over.LastMutationID != 4 || len(over.Results) != 3 || over.Results[2].ID != 4 || over.Results[2].Status != doorstep.StatusApplied {
		t.Fatalf("overlapping batch answered %+v", over)
	}
	if got := f.changes(d); len(got) != len(feed)+1 {
		t.Fatalf("feed grew from %d to %d changes on a replay and one new mutation, want +1", len(feed), len(got))
	}
	if s := f.summary(o); s.Issued != sum.Issued+1 {
		t.Fatalf("Summary.Issued %d after replay, want %d", s.Issued, sum.Issued+1)
	}
	// An empty batch changes nothing.
	if res := f.push(d); res.LastMutationID != 4 || len(res.Results) != 0 {
		t.Fatalf("empty push answered %+v", res)
	}
}

func testPushGap(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	f.pushApplied(d, issue(1, newIssuance(d, 1)))
	before := f.changes(d)

	_, err := f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(3, newIssuance(d, 3)), issue(4, newIssuance(d, 4))}, t0())
	wantCode(t, "ApplyMutations with a gap", err, doorstep.ECONFLICT)
	_, err = f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(2, newIssuance(d, 2)), issue(4, newIssuance(d, 4))}, t0())
	wantCode(t, "ApplyMutations with IDs not consecutive", err, doorstep.EINVALID)
	_, err = f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(0, newIssuance(d, 5))}, t0())
	wantCode(t, "ApplyMutations with mutation ID 0", err, doorstep.EINVALID)

	dev, _ := f.s.Device(f.ctx, d.ID)
	if dev.LastMutationID != 1 {
		t.Fatalf("LastMutationID = %d after refused batches, want 1", dev.LastMutationID)
	}
	for _, c := range []uint32{2, 3, 4, 5} {
		if _, err := f.s.Issuance(f.ctx, ref(d, c)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			t.Fatalf("a refused batch stored code %d (err %v)", c, err)
		}
	}
	if after := f.changes(d); len(after) != len(before) {
		t.Fatalf("refused batches added %d changes", len(after)-len(before))
	}
	if s := f.summary(o); s.Issued != 1 {
		t.Fatalf("Summary.Issued = %d, want 1", s.Issued)
	}
}

func testPushRejected(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	mismatched := newIssuance(d, 3)
	mismatched.TokenText = TokenText(ref(d, 4))
	forged := newIssuance(d, 5)
	forged.TokenText = "ST-not-a-token"
	badFormat := newIssuance(d, 6)
	badFormat.Format = "letter"
	batch := []doorstep.Mutation{
		{ID: 1, Kind: "delete"},
		issue(2, newIssuance(d, 2)),
		issue(3, mismatched),
		issue(4, forged),
		issue(5, badFormat),
		{ID: 6, Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: "not-a-uuid", HLC: hlc(1)}},
		issue(7, newIssuance(d, 7)),
	}
	res := f.push(d, batch...)
	if res.LastMutationID != 7 || len(res.Results) != 7 {
		t.Fatalf("push answered %+v, want 7 results and LastMutationID 7", res)
	}
	for i, r := range res.Results {
		wantStatus := doorstep.StatusRejected
		if i == 1 || i == 6 {
			wantStatus = doorstep.StatusApplied
		}
		if r.ID != uint64(i+1) || r.Status != wantStatus {
			t.Fatalf("result %d = %+v, want status %s", i, r, wantStatus)
		}
		if (r.Status == doorstep.StatusRejected) != (r.Reason != "") {
			t.Fatalf("result %+v: a rejection has a reason, an application none", r)
		}
	}
	for _, c := range []uint32{3, 4, 5, 6} {
		if _, err := f.s.Issuance(f.ctx, ref(d, c)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			t.Fatalf("rejected issuance %d was stored (err %v)", c, err)
		}
	}
	if s := f.summary(o); s.Issued != 2 {
		t.Fatalf("Summary.Issued = %d, want 2", s.Issued)
	}
	// Replayed, rejections keep their reasons.
	if again := f.push(d, batch...); !reflect.DeepEqual(again, res) {
		t.Fatalf("replay answered\n%+v\nfirst answer\n%+v", again, res)
	}
	// The device moves on past its rejected mutations.
	f.pushApplied(d, issue(8, newIssuance(d, 8)))
}

func testPushMerge(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	is := newIssuance(d, 1)
	is.HLC = hlc(10)
	f.pushApplied(d, issue(1, is))

	// A create of an existing ID is an update: only voiding changes a stored
	// issuance, and the later stamp wins the void reason.
	edit := *is
	edit.CrimeRef = "CHANGED"
	edit.Voided, edit.VoidReason, edit.HLC = true, "printed twice", hlc(30)
	f.pushApplied(d, issue(2, &edit))
	older := *is
	older.Voided, older.VoidReason, older.HLC = true, "older reason", hlc(20)
	f.pushApplied(d, issue(3, &older))
	f.pushApplied(d, void(4, is.ID, "oldest reason", hlc(15)))

	got, err := f.s.Issuance(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Voided || got.VoidReason != "printed twice" || got.HLC != hlc(30) || got.CrimeRef != is.CrimeRef {
		t.Fatalf("merged issuance = voided %v reason %q hlc %s crime ref %q; want voided, %q, %s, %q",
			got.Voided, got.VoidReason, got.HLC, got.CrimeRef, "printed twice", hlc(30), is.CrimeRef)
	}
	f.pushApplied(d, void(5, is.ID, "latest reason", hlc(40)))
	if got, _ := f.s.Issuance(f.ctx, ref(d, 1)); got.VoidReason != "latest reason" || got.HLC != hlc(40) {
		t.Fatalf("a later void did not win: %q %s", got.VoidReason, got.HLC)
	}
	if s := f.summary(o); s.Issued != 0 {
		t.Fatalf("Summary.Issued = %d with the only issuance voided, want 0", s.Issued)
	}
	// The device's feed ends with the issuance as stored.
	ch := f.changes(d)
	last := ch[len(ch)-1]
	if last.Kind != doorstep.ChangeIssuance || last.Issuance.VoidReason != "latest reason" {
		t.Fatalf("last change = %+v, want the voided issuance", last)
	}

	// An ID already naming another code, or a code already issued under
	// another ID, is rejected.
	clash := newIssuance(d, 2)
	clash.ID = is.ID
	reuse := newIssuance(d, 1)
	res := f.push(d, issue(6, clash), issue(7, reuse))
	for _, r := range res.Results {
		if r.Status != doorstep.StatusRejected {
			t.Fatalf("mutation %d %s, want rejected (ID or code reused)", r.ID, r.Status)
		}
	}
	if _, err := f.s.Issuance(f.ctx, ref(d, 2)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("a clashing issuance was stored: %v", err)
	}
	if got, _ := f.s.Issuance(f.ctx, ref(d, 1)); got.ID != is.ID {
		t.Fatalf("code 1 now names %s, want %s", got.ID, is.ID)
	}
}

func testPushPendingVoid(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	is := newIssuance(d, 1)
	is.HLC = hlc(10)
	// Outboxes can reorder across devices, and a void may reach the server
	// before its issue: it is applied and kept until the issue arrives.
	f.pushApplied(d, void(1, is.ID, "spoiled", hlc(20)))
	if _, err := f.s.Issuance(f.ctx, ref(d, 1)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("a pending void made an issuance: %v", err)
	}
	f.pushApplied(d, issue(2, is))
	got, err := f.s.Issuance(f.ctx, ref(d, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Voided || got.VoidReason != "spoiled" || got.HLC != hlc(20) {
		t.Fatalf("issuance after its pending void = voided %v %q %s, want voided %q %s", got.Voided, got.VoidReason, got.HLC, "spoiled", hlc(20))
	}
	if s := f.summary(o); s.Issued != 0 {
		t.Fatalf("Summary.Issued = %d, want 0 (voided)", s.Issued)
	}
	// An issuance that arrives voided is not counted either; a live one is.
	dead := newIssuance(d, 2)
	dead.Voided, dead.VoidReason = true, "test print"
	f.pushApplied(d, issue(3, dead), issue(4, newIssuance(d, 3)))
	if s := f.summary(o); s.Issued != 1 {
		t.Fatalf("Summary.Issued = %d, want 1", s.Issued)
	}
}

func testPushOtherOfficer(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a, b := f.officer(), f.officer()
	da, db := f.device(a), f.device(b)
	is := newIssuance(da, 1)
	f.pushApplied(da, issue(1, is))

	asA := newIssuance(db, 1)
	asA.OfficerID = a.ID
	stolen := newIssuance(db, 2)
	stolen.ID = is.ID
	otherToken := newIssuance(db, 3)
	otherToken.Token = ref(da, 9)
	otherToken.TokenText = TokenText(ref(da, 9))
	pendingForA := doorstep.NewID(t0())
	res := f.push(db,
		void(1, is.ID, "not mine", hlc(99)),
		issue(2, asA),
		issue(3, stolen),
		issue(4, otherToken),
		void(5, pendingForA, "guess", hlc(5)),
	)
	for i, r := range res.Results[:4] {
		if r.Status != doorstep.StatusRejected {
			t.Fatalf("mutation %d from another officer's device: %s, want rejected", i+1, r.Status)
		}
	}
	got, err := f.s.Issuance(f.ctx, ref(da, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Voided || got.OfficerID != a.ID {
		t.Fatalf("another officer's device changed the issuance: %+v", got)
	}
	// A void from b pending on an ID that a's device then issues does not
	// touch a's issuance.
	mine := newIssuance(da, 2)
	mine.ID = pendingForA
	f.pushApplied(da, issue(2, mine))
	if got, _ := f.s.Issuance(f.ctx, ref(da, 2)); got.Voided {
		t.Fatalf("another officer's pending void voided the issuance")
	}
	if s := f.summary(a); s.Issued != 2 {
		t.Fatalf("Summary(a).Issued = %d, want 2", s.Issued)
	}
	if s := f.summary(b); s.Issued != 0 {
		t.Fatalf("Summary(b).Issued = %d, want 0", s.Issued)
	}
}

func testPushRevokedOrUnknown(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	f.pushApplied(d, issue(1, newIssuance(d, 1)))
	if _, err := f.s.RevokeDevice(f.ctx, d.ID, t0().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(2, newIssuance(d, 2))}, t0().Add(2*time.Hour))
	wantCode(t, "ApplyMutations(revoked)", err, doorstep.EREVOKED)
	if _, err := f.s.Issuance(f.ctx, ref(d, 2)); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatalf("a revoked device's push was stored: %v", err)
	}
	dev, _ := f.s.Device(f.ctx, d.ID)
	if dev.LastMutationID != 1 || !dev.LastSyncAt.Equal(t0().Add(time.Minute)) {
		t.Fatalf("refused push changed the device: %+v", dev)
	}
	// Codes synced before revocation stay valid.
	if _, err := f.s.Issuance(f.ctx, ref(d, 1)); err != nil {
		t.Fatalf("Issuance synced before revocation: %v", err)
	}
	_, err = f.s.ApplyMutations(f.ctx, 999_999, []doorstep.Mutation{issue(1, newIssuance(d, 3))}, t0())
	wantCode(t, "ApplyMutations(unknown device)", err, doorstep.ENOTFOUND)
}

// A device that times out and retries may have the same batch applied twice
// at once: one application wins, the other is a replay.
func testPushConcurrentReplay(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	var batch []doorstep.Mutation
	for i := 1; i <= 50; i++ {
		batch = append(batch, issue(uint64(i), newIssuance(d, uint32(i))))
	}
	const n = 8
	results := make([]*doorstep.PushResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = f.s.ApplyMutations(f.ctx, d.ID, batch, t0())
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("ApplyMutations %d: %v", i, errs[i])
		}
		if !reflect.DeepEqual(results[i], results[0]) {
			t.Fatalf("concurrent replays answered differently:\n%+v\n%+v", results[i], results[0])
		}
	}
	if s := f.summary(o); s.Issued != 50 {
		t.Fatalf("Summary.Issued = %d, want 50", s.Issued)
	}
	if n := count(f.changes(d), doorstep.ChangeIssuance); n != 50 {
		t.Fatalf("feed holds %d issuances, want 50", n)
	}
}
