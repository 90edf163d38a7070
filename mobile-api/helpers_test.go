package mobileapi

import (
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bolt "go.etcd.io/bbolt"
)

// fastOptions keep the client's retries quick in tests.
func fastOptions() *Options {
	return &Options{
		RequestTimeoutMillis: 2_000,
		MaxAttempts:          3,
		InitialBackoffMillis: 10,
		MaxBackoffMillis:     40,
		SyncTimeoutMillis:    20_000,
		LockTimeoutMillis:    200,
	}
}

func openTest(t testing.TB, dir string, opts *Options) *Device {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if opts == nil {
		opts = fastOptions()
	}
	d, err := OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// storePairing writes a pairing as Pair would, without a server: for tests of
// the client against handlers that only fail.
func storePairing(t testing.TB, d *Device, serverURL string) {
	t.Helper()
	p := &pairing{
		ServerURL: serverURL, PublicURL: serverURL, DeviceID: 7, DeviceName: "test",
		Credential: "7.secret", TokenKey: make([]byte, 32),
		Officer:  doorstep.Officer{ID: doorstep.NewID(time.Now()), CollarNumber: "1234AB", Name: "Alex Smith", Borough: "Hackney"},
		PairedAt: time.Now().UTC(),
	}
	if err := d.db.Update(func(tx *bolt.Tx) error { return putJSON(bucket(tx, bucketMeta), keyPairing, p) }); err != nil {
		t.Fatal(err)
	}
}

// storeIssuance records a local issuance and its outbox mutation without a
// token or leaflet, for tests of the outbox alone.
func storeIssuance(t testing.TB, d *Device) string {
	t.Helper()
	var id string
	err := d.db.Update(func(tx *bolt.Tx) error {
		h, err := stamp(tx, d.now)
		if err != nil {
			return err
		}
		now := d.now()
		is := doorstep.Issuance{ID: doorstep.NewID(now), IssuedAt: now, ExpiresAt: now.Add(time.Hour), Language: "en", Format: doorstep.FormatA4, HLC: h.String()}
		id = is.ID
		mid, err := appendOutbox(tx, &doorstep.Mutation{Kind: doorstep.MutationIssue, Issuance: &is})
		if err != nil {
			return err
		}
		return putJSON(bucket(tx, bucketIssuances), is.ID, &localIssuance{Issuance: is, MutationID: mid})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// outboxIDs lists the mutation IDs in the outbox, in order.
func outboxIDs(t testing.TB, d *Device) []uint64 {
	t.Helper()
	var ids []uint64
	err := d.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketOutbox).ForEach(func(k, v []byte) error {
			var m doorstep.Mutation
			if err := jsonUnmarshal(v, &m); err != nil {
				return err
			}
			if string(u64key(m.ID)) != string(k) {
				t.Errorf("outbox key %x holds mutation %d", k, m.ID)
			}
			ids = append(ids, m.ID)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
