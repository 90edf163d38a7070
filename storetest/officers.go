package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

func testOfficers(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := &doorstep.Officer{CollarNumber: "1234", Name: "Jo Smith", Borough: "Hackney", Team: "Response 2"}
	if err := f.s.CreateOfficer(f.ctx, o); err != nil {
		t.Fatalf("CreateOfficer: %v", err)
	}
	if !doorstep.ValidID(o.ID) || o.CreatedAt.IsZero() {
		t.Fatalf("CreateOfficer did not assign ID and CreatedAt: %+v", o)
	}
	got, err := f.s.Officer(f.ctx, o.ID)
	if err != nil {
		t.Fatalf("Officer: %v", err)
	}
	if got.ID != o.ID || got.CollarNumber != "1234" || got.Name != "Jo Smith" || got.Borough != "Hackney" || got.Team != "Response 2" || !got.CreatedAt.Equal(o.CreatedAt) {
		t.Fatalf("Officer = %+v, want %+v", got, o)
	}

	dup := &doorstep.Officer{CollarNumber: "1234", Name: "Someone Else"}
	wantCode(t, "CreateOfficer with a taken collar number", f.s.CreateOfficer(f.ctx, dup), doorstep.ECONFLICT)
	wantCode(t, "CreateOfficer without a collar number", f.s.CreateOfficer(f.ctx, &doorstep.Officer{Name: "X"}), doorstep.EINVALID)
	_, err = f.s.Officer(f.ctx, doorstep.NewID(t0()))
	wantCode(t, "Officer(unknown)", err, doorstep.ENOTFOUND)

	other := &doorstep.Officer{CollarNumber: "5678", Name: "Sam Patel"}
	if err := f.s.CreateOfficer(f.ctx, other); err != nil {
		t.Fatalf("CreateOfficer: %v", err)
	}
	all, err := f.s.Officers(f.ctx)
	if err != nil {
		t.Fatalf("Officers: %v", err)
	}
	seen := map[string]int{}
	for _, x := range all {
		seen[x.CollarNumber]++
	}
	if len(all) != 2 || seen["1234"] != 1 || seen["5678"] != 1 {
		t.Fatalf("Officers = %d officers %v, want 1234 and 5678 once each (the refused duplicate stored nothing)", len(all), seen)
	}
}

func testPairingCodes(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	pc := &doorstep.PairingCode{Code: "ABCD-1234", OfficerID: o.ID, ExpiresAt: t0().Add(15 * time.Minute)}
	if err := f.s.CreatePairingCode(f.ctx, pc); err != nil {
		t.Fatalf("CreatePairingCode: %v", err)
	}
	if pc.CreatedAt.IsZero() || pc.UsedAt != nil {
		t.Fatalf("CreatePairingCode: %+v, want CreatedAt set and UsedAt nil", pc)
	}
	again := &doorstep.PairingCode{Code: "ABCD-1234", OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
	wantCode(t, "CreatePairingCode(existing code)", f.s.CreatePairingCode(f.ctx, again), doorstep.ECONFLICT)
	unknown := &doorstep.PairingCode{Code: "ZZZZ-0000", OfficerID: doorstep.NewID(t0()), ExpiresAt: t0().Add(time.Hour)}
	wantCode(t, "CreatePairingCode(unknown officer)", f.s.CreatePairingCode(f.ctx, unknown), doorstep.ENOTFOUND)
	// The refused code was not stored: pairing with it finds nothing.
	_, err := f.s.Pair(f.ctx, "ZZZZ-0000", t0(), &doorstep.Device{Name: "x"})
	wantCode(t, "Pair(code refused earlier)", err, doorstep.ENOTFOUND)
}

func testPair(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	pc := &doorstep.PairingCode{Code: "PAIR-1", OfficerID: o.ID, ExpiresAt: t0().Add(15 * time.Minute)}
	if err := f.s.CreatePairingCode(f.ctx, pc); err != nil {
		t.Fatal(err)
	}
	now := t0().Add(5 * time.Minute)
	d := &doorstep.Device{Name: "Jo's phone", CredentialHash: []byte("hash"), KeyCiphertext: []byte("sealed")}
	got, err := f.s.Pair(f.ctx, "PAIR-1", now, d)
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	if got.ID != o.ID || got.CollarNumber != o.CollarNumber {
		t.Fatalf("Pair returned officer %+v, want %+v", got, o)
	}
	if d.ID == 0 || d.OfficerID != o.ID || !d.PairedAt.Equal(now) || d.Revoked() || d.LastMutationID != 0 {
		t.Fatalf("Pair did not set up the device: %+v", d)
	}

	_, err = f.s.Pair(f.ctx, "PAIR-1", now, &doorstep.Device{Name: "second"})
	wantCode(t, "second Pair with one code", err, doorstep.ECONFLICT)
	_, err = f.s.Pair(f.ctx, "NO-SUCH-CODE", now, &doorstep.Device{Name: "x"})
	wantCode(t, "Pair(unknown code)", err, doorstep.ENOTFOUND)

	exp := &doorstep.PairingCode{Code: "PAIR-2", OfficerID: o.ID, ExpiresAt: t0().Add(15 * time.Minute)}
	if err := f.s.CreatePairingCode(f.ctx, exp); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Pair(f.ctx, "PAIR-2", t0().Add(15*time.Minute), &doorstep.Device{Name: "late"})
	wantCode(t, "Pair at the expiry time", err, doorstep.EEXPIRED)
	devs, err := f.s.Devices(f.ctx, o.ID)
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	if len(devs) != 1 || devs[0].ID != d.ID {
		t.Fatalf("Devices after refused pairings = %+v, want only device %d", devs, d.ID)
	}

	// IDs are small: they ride in every token.
	d2 := f.device(o)
	if d2.ID == d.ID || d2.ID > 1000 {
		t.Fatalf("second device ID %d (first %d): want unique and small", d2.ID, d.ID)
	}
}

func testPairConcurrent(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	const n = 16
	for i := 0; i < n; i++ {
		pc := &doorstep.PairingCode{Code: "C" + string(rune('A'+i)), OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
		if err := f.s.CreatePairingCode(f.ctx, pc); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	ids := make([]uint32, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &doorstep.Device{Name: "phone"}
			_, errs[i] = f.s.Pair(f.ctx, "C"+string(rune('A'+i)), t0(), d)
			ids[i] = d.ID
		}()
	}
	wg.Wait()
	seen := map[uint32]bool{}
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatalf("Pair %d: %v", i, errs[i])
		}
		if id == 0 || seen[id] {
			t.Fatalf("device IDs not unique: %v", ids)
		}
		seen[id] = true
	}
}

func testDevices(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a, b := f.officer(), f.officer()
	a1, a2, b1 := f.device(a), f.device(a), f.device(b)
	devs, err := f.s.Devices(f.ctx, a.ID)
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	if len(devs) != 2 || devs[0].ID != a1.ID || devs[1].ID != a2.ID {
		t.Fatalf("Devices(a) = %v, want devices %d and %d in ID order", devs, a1.ID, a2.ID)
	}
	if devs, _ := f.s.Devices(f.ctx, b.ID); len(devs) != 1 || devs[0].ID != b1.ID {
		t.Fatalf("Devices(b) = %v, want only %d", devs, b1.ID)
	}
	_, err = f.s.Devices(f.ctx, doorstep.NewID(t0()))
	wantCode(t, "Devices(unknown officer)", err, doorstep.ENOTFOUND)

	d, err := f.s.Device(f.ctx, a1.ID)
	if err != nil {
		t.Fatalf("Device: %v", err)
	}
	if !bytes.Equal(d.CredentialHash, []byte("credential-hash")) || !bytes.Equal(d.KeyCiphertext, []byte("sealed-key")) {
		t.Fatalf("Device lost its credential hash or sealed key: %q %q", d.CredentialHash, d.KeyCiphertext)
	}
	if d.OfficerID != a.ID || d.Name != "phone" || !d.PairedAt.Equal(t0()) {
		t.Fatalf("Device = %+v", d)
	}
	_, err = f.s.Device(f.ctx, 999_999)
	wantCode(t, "Device(unknown)", err, doorstep.ENOTFOUND)
}

func testRevoke(t *testing.T, open Opener) {
	f := newFixture(t, open)
	o := f.officer()
	d := f.device(o)
	first := t0().Add(time.Hour)
	got, err := f.s.RevokeDevice(f.ctx, d.ID, first)
	if err != nil {
		t.Fatalf("RevokeDevice: %v", err)
	}
	if !got.Revoked() || !got.RevokedAt.Equal(first) {
		t.Fatalf("RevokeDevice = %+v, want revoked at %v", got, first)
	}
	again, err := f.s.RevokeDevice(f.ctx, d.ID, first.Add(time.Hour))
	if err != nil {
		t.Fatalf("second RevokeDevice: %v", err)
	}
	if !again.RevokedAt.Equal(first) {
		t.Fatalf("second RevokeDevice moved RevokedAt to %v, want the first time %v", again.RevokedAt, first)
	}
	stored, err := f.s.Device(f.ctx, d.ID)
	if err != nil || !stored.RevokedAt.Equal(first) {
		t.Fatalf("Device after revoking twice: %+v, %v", stored, err)
	}
	if devs, _ := f.s.Devices(f.ctx, o.ID); len(devs) != 1 || !devs[0].Revoked() {
		t.Fatalf("Devices lists %+v, want the revoked device", devs)
	}
	// One revocation in the device's feed, without secrets.
	ch := f.changes(d)
	if count(ch, doorstep.ChangeRevocation) != 1 {
		t.Fatalf("feed holds %d revocations, want 1", count(ch, doorstep.ChangeRevocation))
	}
	for _, c := range ch {
		if c.Kind == doorstep.ChangeRevocation {
			r := c.Revocation
			if r == nil || r.ID != d.ID || !r.Revoked() {
				t.Fatalf("revocation change = %+v", r)
			}
			if len(r.CredentialHash) != 0 || len(r.KeyCiphertext) != 0 {
				t.Fatalf("revocation change carries the device's secrets")
			}
		}
	}
	_, err = f.s.ApplyMutations(f.ctx, d.ID, []doorstep.Mutation{issue(1, newIssuance(d, 1))}, first)
	wantCode(t, "ApplyMutations from a revoked device", err, doorstep.EREVOKED)
	_, err = f.s.RevokeDevice(f.ctx, 999_999, first)
	wantCode(t, "RevokeDevice(unknown)", err, doorstep.ENOTFOUND)
}
