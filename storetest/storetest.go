// Package storetest is the conformance suite of doorstep.Store: every backend
// runs it, so the server cannot tell backends apart.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) doorstep.Store {
//			return openEmptyStore(t) // with storetest.CheckToken as its token checker
//		})
//		storetest.RunBackup(t, open, restore)
//	}
//
// The suite pins what store.go leaves to prose, including these decisions:
//
//   - Summary.Issued counts the issuances the store holds that are not voided;
//     Responses counts all feedback, linked or not; Unlinked the feedback
//     whose issuance has not synced; MeanRating is nil with no responses;
//     Ratings always holds the keys "1" to "5".
//   - Feedback on a voided code is refused with EEXPIRED; feedback on a code
//     of a revoked device that never synced with EREVOKED.
//   - A batch whose IDs are not consecutive is refused with EINVALID; a gap
//     after LastMutationID with ECONFLICT. Either stores nothing.
//   - Officers, Devices, Summary and OfficerFeedback answer ENOTFOUND for an
//     unknown officer; Changes for an unknown device.
//   - After Close, Ready and every method answer EUNAVAILABLE.
package storetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// Opener returns a new, empty store for one test and arranges for it to be
// closed when the test ends (t.Cleanup); a store the test has closed already
// must not fail that. The store must verify pushed token texts with
// CheckToken.
type Opener func(t *testing.T) doorstep.Store

// TokenText is the token text the suite prints on its codes: a stand-in for
// the signed token that CheckToken understands.
func TokenText(ref doorstep.TokenRef) string {
	return fmt.Sprintf("ST-%d-%d", ref.DeviceID, ref.Counter)
}

// CheckToken verifies a suite token text for device d, as the server verifies
// a real token with the device's key: ENOTFOUND for text it cannot parse or
// that names another device (a forgery).
func CheckToken(d *doorstep.Device, text string) (doorstep.TokenRef, error) {
	parts := strings.Split(text, "-")
	if len(parts) != 3 || parts[0] != "ST" {
		return doorstep.TokenRef{}, doorstep.Errorf(doorstep.ENOTFOUND, "not a valid code")
	}
	dev, err1 := strconv.ParseUint(parts[1], 10, 32)
	ctr, err2 := strconv.ParseUint(parts[2], 10, 32)
	if err1 != nil || err2 != nil || uint32(dev) != d.ID {
		return doorstep.TokenRef{}, doorstep.Errorf(doorstep.ENOTFOUND, "not a valid code")
	}
	ref := doorstep.TokenRef{DeviceID: uint32(dev), Counter: uint32(ctr)}
	if TokenText(ref) != text {
		return doorstep.TokenRef{}, doorstep.Errorf(doorstep.ENOTFOUND, "not a canonical code")
	}
	return ref, nil
}

// Run runs the whole suite, one subtest per capability, each on a store of its own.
func Run(t *testing.T, open Opener) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Officers", testOfficers},
		{"PairingCodes", testPairingCodes},
		{"Pair", testPair},
		{"PairConcurrent", testPairConcurrent},
		{"Devices", testDevices},
		{"Revoke", testRevoke},
		{"Push", testPush},
		{"PushReplay", testPushReplay},
		{"PushGap", testPushGap},
		{"PushRejected", testPushRejected},
		{"PushMerge", testPushMerge},
		{"PushPendingVoid", testPushPendingVoid},
		{"PushOtherOfficer", testPushOtherOfficer},
		{"PushRevokedOrUnknown", testPushRevokedOrUnknown},
		{"PushConcurrentReplay", testPushConcurrentReplay},
		{"Feedback", testFeedback},
		{"FeedbackTwice", testFeedbackTwice},
		{"FeedbackBeforeIssue", testFeedbackBeforeIssue},
		{"FeedbackRefused", testFeedbackRefused},
		{"FeedbackConcurrent", testFeedbackConcurrent},
		{"OfficerFeedback", testOfficerFeedback},
		{"Summary", testSummary},
		{"ChangesOrder", testChangesOrder},
		{"ChangesPaging", testChangesPaging},
		{"ChangesVisibility", testChangesVisibility},
		{"Content", testContent},
		{"Accounts", testAccounts},
		{"Audit", testAudit},
		{"ContactRequests", testContactRequests},
		{"ContactPurge", testContactPurge},
		{"ContactClosed", testContactClosed},
		{"DashboardScopes", testDashboardScopes},
		{"DashboardFeedback", testDashboardFeedback},
		{"DashboardFlags", testDashboardFlags},
		{"Sessions", testSessions},
		{"Backup", testBackup},
		{"ReadyAndClose", testReadyAndClose},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open)
		})
	}
}

// t0 is the suite's "now": a Saturday morning in November 2026.
func t0() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }

// fixture bundles a store under test with helpers that fail the test on error.
type fixture struct {
	t   *testing.T
	s   doorstep.Store
	ctx context.Context
	n   int // officers made, for unique collar numbers
}

func newFixture(t *testing.T, open Opener) *fixture {
	t.Helper()
	s := open(t)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	return &fixture{t: t, s: s, ctx: context.Background()}
}

func (f *fixture) officer() *doorstep.Officer {
	f.t.Helper()
	f.n++
	o := &doorstep.Officer{CollarNumber: fmt.Sprintf("PC%04d", f.n), Name: fmt.Sprintf("Officer %d", f.n), Borough: "Hackney", Team: "A"}
	if err := f.s.CreateOfficer(f.ctx, o); err != nil {
		f.t.Fatalf("CreateOfficer: %v", err)
	}
	return o
}

// device pairs a new device for o.
func (f *fixture) device(o *doorstep.Officer) *doorstep.Device {
	f.t.Helper()
	pc := &doorstep.PairingCode{Code: "PAIR-" + doorstep.NewID(t0()), OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
	if err := f.s.CreatePairingCode(f.ctx, pc); err != nil {
		f.t.Fatalf("CreatePairingCode: %v", err)
	}
	d := &doorstep.Device{Name: "phone", CredentialHash: []byte("credential-hash"), KeyCiphertext: []byte("sealed-key")}
	if _, err := f.s.Pair(f.ctx, pc.Code, t0(), d); err != nil {
		f.t.Fatalf("Pair: %v", err)
	}
	return d
}

// push applies muts and fails the test on error.
func (f *fixture) push(d *doorstep.Device, muts ...doorstep.Mutation) *doorstep.PushResult {
	f.t.Helper()
	res, err := f.s.ApplyMutations(f.ctx, d.ID, muts, t0().Add(time.Minute))
	if err != nil {
		f.t.Fatalf("ApplyMutations: %v", err)
	}
	return res
}

// pushApplied pushes muts and fails the test unless every one is applied.
func (f *fixture) pushApplied(d *doorstep.Device, muts ...doorstep.Mutation) *doorstep.PushResult {
	f.t.Helper()
	res := f.push(d, muts...)
	for _, r := range res.Results {
		if r.Status != doorstep.StatusApplied {
			f.t.Fatalf("mutation %d %s: %s", r.ID, r.Status, r.Reason)
		}
	}
	return res
}

func (f *fixture) summary(o *doorstep.Officer) *doorstep.Summary {
	f.t.Helper()
	s, err := f.s.Summary(f.ctx, o.ID)
	if err != nil {
		f.t.Fatalf("Summary: %v", err)
	}
	return s
}

// changes pulls the device's whole feed.
func (f *fixture) changes(d *doorstep.Device) []doorstep.Change {
	f.t.Helper()
	var all []doorstep.Change
	var cur uint64
	for i := 0; ; i++ {
		page, next, more, err := f.s.Changes(f.ctx, d.ID, cur, 100)
		if err != nil {
			f.t.Fatalf("Changes: %v", err)
		}
		all = append(all, page...)
		if !more {
			return all
		}
		if next <= cur || i > 10000 {
			f.t.Fatalf("Changes: cursor does not advance (%d after %d)", next, cur)
		}
		cur = next
	}
}

func (f *fixture) feedback(ref doorstep.TokenRef, rating int) *doorstep.Feedback {
	f.t.Helper()
	fb := &doorstep.Feedback{Token: ref, Rating: rating, Comment: "thank you", IssuedAt: t0(), ReceivedAt: t0().Add(time.Hour)}
	if err := f.s.SubmitFeedback(f.ctx, fb); err != nil {
		f.t.Fatalf("SubmitFeedback: %v", err)
	}
	return fb
}

// hlc is a stamp n milliseconds after t0(), in the fixed-width text form of
// Issuance.HLC (16 hex digits of Unix milliseconds, 8 of logical counter),
// written out here so that the suite needs only the root package.
func hlc(n int64) string { return fmt.Sprintf("%016x%08x", t0().UnixMilli()+n, 0) }

// newIssuance is a valid issuance of code counter by d, issued at t0().
func newIssuance(d *doorstep.Device, counter uint32) *doorstep.Issuance {
	ref := doorstep.TokenRef{DeviceID: d.ID, Counter: counter}
	return &doorstep.Issuance{
		ID: doorstep.NewID(t0()), Token: ref, TokenText: TokenText(ref),
		IssuedAt: t0(), ExpiresAt: t0().Add(90 * 24 * time.Hour),
		CrimeRef: "CR-" + strconv.Itoa(int(counter)), Language: "en", Format: doorstep.FormatA4,
		ContentVersion: "1", HLC: hlc(int64(counter)),
	}
}

func issue(id uint64, is *doorstep.Issuance) doorstep.Mutation {
	return doorstep.Mutation{ID: id, Kind: doorstep.MutationIssue, Issuance: is}
}

func void(id uint64, issuanceID, reason string, stamp string) doorstep.Mutation {
	return doorstep.Mutation{ID: id, Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: issuanceID, Reason: reason, HLC: stamp}}
}

func ref(d *doorstep.Device, counter uint32) doorstep.TokenRef {
	return doorstep.TokenRef{DeviceID: d.ID, Counter: counter}
}

// wantCode fails the test unless err carries the doorstep error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := doorstep.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func count(changes []doorstep.Change, kind string) int {
	n := 0
	for _, c := range changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}
