package bolt

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// dashStore makes two officers in two boroughs with a device each, some
// pushed issues and feedback (some of it before its issue), submitted one
// by one or imported in bulk.
func dashStore(t *testing.T, path string, bulk bool) *DB {
	t.Helper()
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for i, b := range []string{"Hackney", "Camden"} {
		o := &doorstep.Officer{CollarNumber: fmt.Sprint(i), Name: "O", Borough: b, Team: "T"}
		if err := db.CreateOfficer(ctx, o); err != nil {
			t.Fatal(err)
		}
		code := "P" + fmt.Sprint(i)
		if err := db.CreatePairingCode(ctx, &doorstep.PairingCode{Code: code, OfficerID: o.ID, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		d := &doorstep.Device{Name: "phone"}
		if _, err := db.Pair(ctx, code, now, d); err != nil {
			t.Fatal(err)
		}
		var muts []doorstep.Mutation
		for n := 1; n <= 8; n++ {
			at := now.AddDate(0, 0, -n)
			ref := doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(n)}
			muts = append(muts, doorstep.Mutation{ID: uint64(n), Kind: doorstep.MutationIssue, Issuance: &doorstep.Issuance{
				ID: doorstep.NewID(at), Token: ref, TokenText: "x", IssuedAt: at, ExpiresAt: at.AddDate(0, 0, 90), Language: "en", Format: doorstep.FormatThermal, ContentVersion: "1", HLC: fmt.Sprintf("%016x%08x", at.UnixMilli(), 0)}})
		}
		if _, err := db.ApplyMutations(ctx, d.ID, muts, now); err != nil {
			t.Fatal(err)
		}
		var fbs []*doorstep.Feedback
		for n := 1; n <= 10; n++ { // 9 and 10 before their issue
			fbs = append(fbs, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(n)}, Rating: 1 + (n+i)%5,
				Comment: "c", IssuedAt: now.AddDate(0, 0, -n), ReceivedAt: now.Add(time.Duration(n) * time.Minute)})
		}
		if bulk {
			if err := db.ImportFeedback(ctx, fbs); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for _, f := range fbs {
			if err := db.SubmitFeedback(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	return db
}

// dashDump is every figure, index and alert the dashboard reads.
func dashDump(t *testing.T, db *DB) string {
	t.Helper()
	ctx := context.Background()
	out := ""
	for _, s := range []doorstep.Scope{{}, {Borough: "Hackney"}, {Borough: "Camden", Team: "T"}} {
		st, err := db.ScopeStats(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		days, _ := db.ScopeDaily(ctx, s, time.Time{}, time.Time{})
		var ratings []int
		db.EachFeedback(ctx, s, doorstep.FeedbackFilter{}, func(f *doorstep.Feedback) error {
			ratings = append(ratings, f.Rating)
			return nil
		})
		al, _ := db.Alerts(ctx, s, 0)
		out += fmt.Sprintf("%v %+v %d days %v %d alerts\n", s, st, len(days), ratings, len(al))
		for _, d := range days {
			out += fmt.Sprintf("  %s %+v\n", d.Day.Format(dayFormat), d.Stats)
		}
	}
	return out
}

// ImportFeedback keeps the same figures and indexes as SubmitFeedback.
func TestImportFeedbackMatchesSubmit(t *testing.T) {
	one := dashStore(t, filepath.Join(t.TempDir(), "one.db"), false)
	defer one.Close()
	bulk := dashStore(t, filepath.Join(t.TempDir(), "bulk.db"), true)
	defer bulk.Close()
	a, b := dashDump(t, one), dashDump(t, bulk)
	if a != b {
		t.Fatalf("submitted one by one:\n%s\nimported:\n%s", a, b)
	}
	if st, _ := one.ScopeStats(context.Background(), doorstep.Scope{}); st.Responses != 20 || st.Unlinked != 4 || st.Issued != 16 {
		t.Fatalf("force %+v", st)
	}
	// a refused record refuses the batch
	dup := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: 1, Counter: 1}, Rating: 3}
	if err := bulk.ImportFeedback(context.Background(), []*doorstep.Feedback{{Token: doorstep.TokenRef{DeviceID: 1, Counter: 50}, Rating: 3}, dup}); doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Fatalf("import with a duplicate: %v", err)
	}
	if _, err := bulk.FeedbackFor(context.Background(), doorstep.TokenRef{DeviceID: 1, Counter: 50}); doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
		t.Fatal("a refused import stored part of its batch")
	}
}

// A store written before the dashboard's aggregates gets them built once
// at open, equal to those kept on write.
func TestDashboardBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := dashStore(t, path, false)
	want := dashDump(t, db)
	db.Close()
	// make it look like a store from before the dashboard
	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		for _, b := range dashboardBuckets() {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete([]byte(keyDashboard))
	})
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := dashDump(t, db); got != want {
		t.Fatalf("backfilled:\n%s\nkept on write:\n%s", got, want)
	}
}
