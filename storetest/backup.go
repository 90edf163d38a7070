package storetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// Restorer makes a store from a backup that Store.Backup wrote, as the
// restore command does, and arranges for it to be closed (t.Cleanup).
type Restorer func(t *testing.T, backup io.Reader) doorstep.Store

func testBackup(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	f.pushApplied(d, issue(1, newIssuance(d, 1)))
	// Backups are hot: writers carry on while one is taken.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			if err := f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, uint32(100+i)), Rating: 4}); err != nil {
				t.Errorf("SubmitFeedback during backup: %v", err)
				return
			}
		}
	}()
	var buf bytes.Buffer
	n, err := f.s.Backup(f.ctx, &buf)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if n <= 0 || n != int64(buf.Len()) {
		t.Fatalf("Backup reported %d bytes and wrote %d", n, buf.Len())
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := f.s.Backup(ctx, io.Discard); err == nil {
		t.Fatalf("Backup with a cancelled context succeeded")
	}
	if err := f.s.Ready(); err != nil {
		t.Fatalf("Ready after backups: %v", err)
	}
}

func testReadyAndClose(t *testing.T, open Opener) {
	f := newFixture(t, open)
	if err := f.s.Ready(); err != nil {
		t.Fatalf("Ready on an open store: %v", err)
	}
	o := f.officer()
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if err := f.s.CreateOfficer(ctx, &doorstep.Officer{CollarNumber: "C1", Name: "Cancelled"}); err == nil {
		t.Fatalf("CreateOfficer with a cancelled context succeeded")
	}
	if err := f.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wantCode(t, "Ready after Close", f.s.Ready(), doorstep.EUNAVAILABLE)
	_, err := f.s.Officer(f.ctx, o.ID)
	wantCode(t, "Officer after Close", err, doorstep.EUNAVAILABLE)
	wantCode(t, "CreateOfficer after Close", f.s.CreateOfficer(f.ctx, &doorstep.Officer{CollarNumber: "C2", Name: "Late"}), doorstep.EUNAVAILABLE)
	wantCode(t, "SubmitFeedback after Close",
		f.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: 1, Counter: 1}, Rating: 3}), doorstep.EUNAVAILABLE)
}

// RunBackup checks that a backup restores to a store holding the same data,
// answering the same way: officers, devices with their secrets, issuances,
// feedback, aggregates, feeds, content, accounts, audit, mutation results,
// used pairing codes and the device ID sequence.
func RunBackup(t *testing.T, open Opener, restore Restorer) {
	t.Run("BackupRestore", func(t *testing.T) {
		f := newFixture(t, open)
		o, other := f.officer(), f.officer()
		d, od := f.device(o), f.device(other)
		dead := newIssuance(d, 2)
		res := f.push(d, issue(1, newIssuance(d, 1)), issue(2, dead), void(3, dead.ID, "spoiled", hlc(9)), doorstep.Mutation{ID: 4, Kind: "bogus"})
		f.pushApplied(od, issue(1, newIssuance(od, 1)))
		f.feedback(ref(d, 1), 5)
		f.feedback(ref(d, 7), 2)
		if _, err := f.s.RevokeDevice(f.ctx, od.ID, t0().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := f.s.PublishContent(f.ctx, &doorstep.ContentVersion{Language: "en", Version: "1", Body: []byte(`{"a":1}`)}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.CreateAccount(f.ctx, &doorstep.Account{Username: "admin", PasswordHash: []byte("h"), Role: doorstep.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.AppendAudit(f.ctx, &doorstep.AuditEntry{Actor: "admin", Action: "export", OfficerID: o.ID}); err != nil {
			t.Fatal(err)
		}
		used := &doorstep.PairingCode{Code: "USED", OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
		if err := f.s.CreatePairingCode(f.ctx, used); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Pair(f.ctx, "USED", t0(), &doorstep.Device{Name: "third"}); err != nil {
			t.Fatal(err)
		}
		fresh := &doorstep.PairingCode{Code: "FRESH", OfficerID: other.ID, ExpiresAt: t0().Add(time.Hour)}
		if err := f.s.CreatePairingCode(f.ctx, fresh); err != nil {
			t.Fatal(err)
		}

		var buf bytes.Buffer
		if _, err := f.s.Backup(f.ctx, &buf); err != nil {
			t.Fatalf("Backup: %v", err)
		}
		before := snapshot(t, f)
		// The original keeps going; the backup does not see later writes.
		f.feedback(ref(d, 8), 1)

		r := &fixture{t: t, s: restore(t, &buf), ctx: f.ctx}
		if err := r.s.Ready(); err != nil {
			t.Fatalf("restored store not ready: %v", err)
		}
		after := snapshot(t, r)
		if before != after {
			t.Fatalf("restored store differs:\nbefore backup:\n%s\nrestored:\n%s", before, after)
		}
		if again := r.push(d, issue(1, newIssuance(d, 1)), issue(2, dead), void(3, dead.ID, "spoiled", hlc(9)), doorstep.Mutation{ID: 4, Kind: "bogus"}); !reflect.DeepEqual(again, res) {
			t.Fatalf("restored store answers a replay %+v, first answer %+v", again, res)
		}
		_, err := r.s.Pair(f.ctx, "USED", t0(), &doorstep.Device{Name: "x"})
		wantCode(t, "Pair(code used before the backup)", err, doorstep.ECONFLICT)
		nd := &doorstep.Device{Name: "after restore"}
		if _, err := r.s.Pair(f.ctx, "FRESH", t0(), nd); err != nil {
			t.Fatalf("Pair on the restored store: %v", err)
		}
		for _, id := range []uint32{d.ID, od.ID} {
			if nd.ID == id {
				t.Fatalf("restored store reused device ID %d", id)
			}
		}
		wantCode(t, "SubmitFeedback(answered before the backup)",
			r.s.SubmitFeedback(f.ctx, &doorstep.Feedback{Token: ref(d, 1), Rating: 1}), doorstep.ECONFLICT)
		wantCode(t, "CreateOfficer(collar taken before the backup)",
			r.s.CreateOfficer(f.ctx, &doorstep.Officer{CollarNumber: o.CollarNumber, Name: "x"}), doorstep.ECONFLICT)
	})
}

// snapshot renders everything a store answers about its contents, for comparison.
func snapshot(t *testing.T, f *fixture) string {
	t.Helper()
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	officers, err := f.s.Officers(f.ctx)
	if err != nil {
		t.Fatalf("Officers: %v", err)
	}
	for _, o := range officers {
		p("officer %+v", *o)
		s := f.summary(o)
		p("  summary %d %d %d %v %v", s.Issued, s.Responses, s.Unlinked, fmtMean(s.MeanRating), s.Ratings)
		fbs, err := f.s.OfficerFeedback(f.ctx, o.ID, doorstep.FeedbackFilter{})
		if err != nil {
			t.Fatalf("OfficerFeedback: %v", err)
		}
		for _, fb := range fbs {
			p("  feedback %+v", *fb)
		}
		devs, err := f.s.Devices(f.ctx, o.ID)
		if err != nil {
			t.Fatalf("Devices: %v", err)
		}
		for _, d := range devs {
			p("  device %d %s %s %v %v %d cred=%q key=%q", d.ID, d.Name, d.PairedAt, fmtTime(d.LastSyncAt), fmtTime(d.RevokedAt), d.LastMutationID, d.CredentialHash, d.KeyCiphertext)
			for _, c := range f.changes(d) {
				p("    change %d %s %s", c.Seq, c.Kind, fmtChange(c))
			}
			for i := uint32(1); i <= 8; i++ {
				if is, err := f.s.Issuance(f.ctx, doorstep.TokenRef{DeviceID: d.ID, Counter: i}); err == nil {
					p("    issuance %+v", *is)
				}
			}
		}
	}
	content, err := f.s.LatestContent(f.ctx)
	if err != nil {
		t.Fatalf("LatestContent: %v", err)
	}
	for _, c := range content {
		p("content %s %s %s %s", c.Language, c.Version, c.Body, c.PublishedAt)
	}
	if a, err := f.s.AccountByUsername(f.ctx, "admin"); err == nil {
		p("account %+v hash=%q", *a, a.PasswordHash)
	}
	audit, err := f.s.Audit(f.ctx, 0)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for _, e := range audit {
		p("audit %+v", *e)
	}
	return b.String()
}

func fmtMean(m *float64) string {
	if m == nil {
		return "nil"
	}
	return fmt.Sprint(*m)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}

func fmtChange(c doorstep.Change) string {
	switch {
	case c.Issuance != nil:
		return fmt.Sprintf("%+v", *c.Issuance)
	case c.Feedback != nil:
		return fmt.Sprintf("%+v", *c.Feedback)
	case c.Content != nil:
		return fmt.Sprintf("%s %s %s", c.Content.Language, c.Content.Version, c.Content.Body)
	case c.Revocation != nil:
		return fmt.Sprintf("%d %v", c.Revocation.ID, fmtTime(c.Revocation.RevokedAt))
	}
	return "empty"
}
