package mobileapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// minTokenKeyLen is the shortest token key the device accepts from a server.
const minTokenKeyLen = 16

// Pair pairs the device with the Doorstep server at serverURL, redeeming a
// single-use pairing code an admin issued for the officer. The device keeps
// serverURL and syncs with it from then on. A device already paired refuses to
// pair again (use a new state directory); a revoked one may pair again, which
// starts its state afresh.
func (d *Device) Pair(serverURL, code, deviceName string) error {
	base, err := checkServerURL("server URL", serverURL)
	if err != nil {
		return err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return doorstep.Errorf(doorstep.EINVALID, "give the pairing code your admin issued (at most 64 characters)")
	}
	deviceName = strings.TrimSpace(deviceName)
	if err := checkField("device name", deviceName, dsync.MaxDeviceNameLen); err != nil {
		return err
	}
	ctx, done := d.begin(0)
	defer done()
	if err := d.db.View(func(tx *bolt.Tx) error { return refuseRepair(tx) }); err != nil {
		return err
	}
	body, err := json.Marshal(dsync.PairRequest{Code: code, DeviceName: deviceName})
	if err != nil {
		return err
	}
	var resp dsync.PairResponse
	err = d.call(ctx, request{what: "pairing", method: http.MethodPost, url: base + "/api/v1/device/pair", body: body}, &resp)
	if err != nil {
		return pairError(err)
	}
	p, err := checkPairResponse(&resp, base, deviceName, d.now())
	if err != nil {
		return err
	}
	return d.db.Update(func(tx *bolt.Tx) error {
		if err := refuseRepair(tx); err != nil {
			return err
		}
		if err := resetState(tx); err != nil {
			return err
		}
		if err := putJSON(bucket(tx, bucketMeta), keyPairing, p); err != nil {
			return err
		}
		return observe(tx, resp.ServerHLC)
	})
}

// refuseRepair refuses to pair a device that is paired and not revoked.
func refuseRepair(tx *bolt.Tx) error {
	p, err := loadPairing(tx)
	if err != nil || p == nil {
		return err
	}
	if r, err := loadRevocation(tx); err != nil || r != nil {
		return err
	}
	return doorstep.Errorf(doorstep.ECONFLICT, "this device is already paired (device %d, %s %s, with %s): to pair another device use a new state directory",
		p.DeviceID, p.Officer.CollarNumber, p.Officer.Name, p.ServerURL)
}

// resetState empties a revoked device's state before it pairs again, keeping
// the HLC so that its stamps keep going forward.
func resetState(tx *bolt.Tx) error {
	last := lastHLC(bucket(tx, bucketMeta))
	for _, name := range allBuckets() {
		if err := tx.DeleteBucket([]byte(name)); err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte(name)); err != nil {
			return err
		}
	}
	meta := bucket(tx, bucketMeta)
	if err := meta.Put([]byte(keySchema), []byte(schemaVersion)); err != nil {
		return err
	}
	if last != (dsync.HLC{}) {
		return meta.Put([]byte(keyHLC), []byte(last.String()))
	}
	return nil
}

// pairError explains a refused pairing to the officer.
func pairError(err error) error {
	ae, ok := err.(*apiError)
	if !ok {
		return err
	}
	switch ae.Status {
	case http.StatusNotFound:
		return doorstep.Errorf(doorstep.ENOTFOUND, "the server does not know this pairing code: check it, or ask your admin for a new one")
	case http.StatusConflict:
		if ae.Attempts > 1 {
			// The first try may have paired the device and lost the answer.
			return doorstep.Errorf(doorstep.ECONFLICT, "this pairing code has already been used, perhaps by an earlier attempt whose answer was lost: ask your admin for a new code (and to revoke the device it may have paired)")
		}
		return doorstep.Errorf(doorstep.ECONFLICT, "this pairing code has already been used: ask your admin for a new one")
	case http.StatusGone:
		return doorstep.Errorf(doorstep.EEXPIRED, "this pairing code has expired: ask your admin for a new one")
	case http.StatusTooManyRequests:
		return doorstep.Errorf(doorstep.ERATELIMIT, "too many pairing attempts: wait a minute and try again")
	}
	return refused("pairing", ae)
}

// refused turns any other 4xx into an error with the server's code and message.
func refused(what string, ae *apiError) error {
	code := ae.Code
	if code == "" {
		code = doorstep.EINVALID
	}
	return doorstep.Errorf(code, "the server refused the %s: %s", what, ae.Error())
}

// checkPairResponse checks what the server sent before the device relies on it.
func checkPairResponse(r *dsync.PairResponse, serverURL, name string, now time.Time) (*pairing, error) {
	bad := func(what string) error {
		return doorstep.Errorf(doorstep.EINVALID, "the server's pairing answer is unusable (%s): pairing not stored", what)
	}
	if r.DeviceID == 0 {
		return nil, bad("no device id")
	}
	if r.Credential == "" || len(r.Credential) > 512 {
		return nil, bad("no credential")
	}
	if len(r.TokenKey) < minTokenKeyLen {
		return nil, bad("token key too short")
	}
	if r.Officer.ID == "" || r.Officer.Name == "" {
		return nil, bad("no officer")
	}
	if r.TokenValidityDays < 0 {
		return nil, bad("negative token validity")
	}
	public := serverURL
	if r.PublicURL != "" {
		var err error
		if public, err = checkServerURL("public URL", r.PublicURL); err != nil {
			return nil, bad("public URL " + r.PublicURL)
		}
	}
	return &pairing{
		ServerURL:         serverURL,
		PublicURL:         public,
		DeviceID:          r.DeviceID,
		DeviceName:        name,
		Credential:        r.Credential,
		TokenKey:          r.TokenKey,
		Officer:           r.Officer,
		TokenValidityDays: r.TokenValidityDays,
		PairedAt:          now.UTC(),
	}, nil
}

// checkField refuses text that is too long, not UTF-8 or holds control characters.
func checkField(what, s string, max int) error {
	if len(s) > max {
		return doorstep.Errorf(doorstep.EINVALID, "the %s is longer than %d bytes", what, max)
	}
	if !utf8.ValidString(s) {
		return doorstep.Errorf(doorstep.EINVALID, "the %s is not valid UTF-8", what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return doorstep.Errorf(doorstep.EINVALID, "the %s holds control characters", what)
		}
	}
	return nil
}

// begin starts a network operation that CancelSync can stop: it serialises
// operations and bounds them by timeout (SyncTimeoutMillis when 0).
func (d *Device) begin(timeout time.Duration) (context.Context, func()) {
	d.syncMu.Lock()
	if timeout <= 0 {
		timeout = millis(d.opts.SyncTimeoutMillis)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	d.cancelMu.Lock()
	d.cancel = cancel
	d.cancelMu.Unlock()
	return ctx, func() {
		d.cancelMu.Lock()
		d.cancel = nil
		d.cancelMu.Unlock()
		cancel()
		d.syncMu.Unlock()
	}
}

// CancelSync stops a running Sync or Pair, which then returns an error. What it
// had stored stays stored; the next Sync goes on from there.
func (d *Device) CancelSync() {
	d.cancelMu.Lock()
	if d.cancel != nil {
		d.cancel()
	}
	d.cancelMu.Unlock()
}
