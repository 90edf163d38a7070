package bolt

import (
	"context"
	"encoding/json"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bbolt "go.etcd.io/bbolt"
)

// ApplyMutations applies a device's batch in one transaction with its
// LastMutationID and LastSyncAt.
//
// The batch's IDs must be consecutive (EINVALID otherwise). IDs at or below
// LastMutationID are answered as first answered: only rejections are stored
// (with their reason, per device and mutation ID, kept for good), so an ID
// without one was applied. Each new mutation is judged by sync.CheckMutation
// with Options.CheckToken, then against what the store holds: an issuance ID
// or a token counter already used for another code, and any record of another
// officer, are rejected too. An issue of an existing ID is merged with
// sync.MergeIssuance; a void of an issuance not yet held is kept pending and
// applied when the issue arrives. Feedback already received for a new
// issuance's code is linked in the same transaction.
func (db *DB) ApplyMutations(ctx context.Context, deviceID uint32, muts []doorstep.Mutation, now time.Time) (*doorstep.PushResult, error) {
	for i := range muts {
		if muts[i].ID == 0 {
			return nil, doorstep.Errorf(doorstep.EINVALID, "mutation ids start at 1")
		}
		if i > 0 && muts[i].ID != muts[i-1].ID+1 {
			return nil, doorstep.Errorf(doorstep.EINVALID, "mutation ids must be consecutive (%d after %d)", muts[i].ID, muts[i-1].ID)
		}
	}
	var out *doorstep.PushResult
	err := db.write(ctx, "apply mutations", func(tx *bbolt.Tx) error {
		out = nil
		d, err := getDevice(tx, deviceID)
		if err != nil {
			return err
		}
		if d.Revoked() {
			return doorstep.Errorf(doorstep.EREVOKED, "device %d has been revoked", d.ID)
		}
		if len(muts) > 0 && muts[0].ID > d.LastMutationID+1 {
			return doorstep.Errorf(doorstep.ECONFLICT, "mutation %d follows %d: push from %d",
				muts[0].ID, d.LastMutationID, d.LastMutationID+1)
		}
		a := applier{tx: tx, dev: d, now: now, check: db.checker(d)}
		res := &doorstep.PushResult{Results: make([]doorstep.MutationResult, len(muts))}
		rejected := tx.Bucket(bucketRejected)
		for i := range muts {
			m := &muts[i]
			r := &res.Results[i]
			r.ID = m.ID
			if m.ID <= d.LastMutationID {
				if reason := rejected.Get(rejectedKey(d.ID, m.ID)); reason != nil {
					r.Status, r.Reason = doorstep.StatusRejected, string(reason)
				} else {
					r.Status = doorstep.StatusApplied
				}
				continue
			}
			reason := dsync.CheckMutation(m, d, a.checkerFor(m))
			if reason == "" {
				if reason, err = a.apply(m); err != nil {
					return err
				}
			}
			if reason != "" {
				r.Status, r.Reason = doorstep.StatusRejected, reason
				if err := rejected.Put(rejectedKey(d.ID, m.ID), []byte(reason)); err != nil {
					return err
				}
			} else {
				r.Status = doorstep.StatusApplied
			}
			d.LastMutationID = m.ID
		}
		synced := now
		d.LastSyncAt = &synced
		if err := putDevice(tx, d); err != nil {
			return err
		}
		if err := a.agg.flush(tx); err != nil {
			return err
		}
		res.LastMutationID = d.LastMutationID
		out = res
		return nil
	})
	return out, err
}

// checker adapts Options.CheckToken to sync.TokenChecker for device d; nil
// without one.
func (db *DB) checker(d *doorstep.Device) dsync.TokenChecker {
	if db.opts.CheckToken == nil {
		return nil
	}
	dev := *d // the hook gets its own copy: it cannot change the record being written
	return func(text string) (doorstep.TokenRef, error) { return db.opts.CheckToken(&dev, text) }
}

// checkerFor returns the token checker for m: Options.CheckToken's, or
// without one the test-only default that takes any non-empty text as naming
// the reference the issuance claims.
func (a *applier) checkerFor(m *doorstep.Mutation) dsync.TokenChecker {
	if a.check != nil || m.Issuance == nil {
		return a.check
	}
	claimed := m.Issuance.Token
	return func(text string) (doorstep.TokenRef, error) {
		if text == "" {
			return doorstep.TokenRef{}, doorstep.Errorf(doorstep.EINVALID, "token text is missing")
		}
		return claimed, nil
	}
}

// applier applies one device's mutations inside a write transaction.
type applier struct {
	tx    *bbolt.Tx
	dev   *doorstep.Device
	now   time.Time
	check dsync.TokenChecker
	agg   aggDelta
}

func (a *applier) apply(m *doorstep.Mutation) (string, error) {
	switch m.Kind {
	case doorstep.MutationIssue:
		return a.issue(m.Issuance)
	case doorstep.MutationVoid:
		return a.void(m.Void)
	}
	return "unknown mutation kind", nil
}

const reasonOtherOfficer = "a device writes only its own officer's records"

func (a *applier) issue(in *doorstep.Issuance) (string, error) {
	is := *in
	is.OfficerID = a.dev.OfficerID
	issuances := a.tx.Bucket(bucketIssuances)
	var stored doorstep.Issuance
	ok, err := get(issuances, []byte(is.ID), &stored)
	if err != nil {
		return "", err
	}
	if ok {
		if stored.OfficerID != a.dev.OfficerID {
			return reasonOtherOfficer, nil
		}
		if stored.Token != is.Token {
			return "issuance id already names another code", nil
		}
		merged, changed := dsync.MergeIssuance(&stored, &is)
		return "", a.update(&stored, merged, changed)
	}
	tokens := a.tx.Bucket(bucketTokens)
	tk := refKey(is.Token)
	if tokens.Get(tk) != nil {
		return "this code was already issued under another issuance id", nil
	}
	is.ReceivedAt = a.now
	pending := a.tx.Bucket(bucketPendingVoids)
	var pv pendingVoid
	if ok, err := get(pending, []byte(is.ID), &pv); err != nil {
		return "", err
	} else if ok {
		if pv.OfficerID == is.OfficerID {
			merged, _ := dsync.ApplyVoid(&is, &pv.Void)
			is = *merged
		}
		if err := pending.Delete([]byte(is.ID)); err != nil {
			return "", err
		}
	}
	raw, err := json.Marshal(&is)
	if err != nil {
		return "", err
	}
	if err := issuances.Put([]byte(is.ID), raw); err != nil {
		return "", err
	}
	if err := tokens.Put(tk, []byte(is.ID)); err != nil {
		return "", err
	}
	if !is.Voided {
		a.agg.issued(is.OfficerID, is.IssuedAt, 1)
	}
	if _, err := appendChange(a.tx, doorstep.ChangeIssuance, raw, is.Token.DeviceID, false); err != nil {
		return "", err
	}
	return "", a.link(&is, tk)
}

// link attaches feedback that arrived before its issuance.
func (a *applier) link(is *doorstep.Issuance, tk []byte) error {
	fbs := a.tx.Bucket(bucketFeedback)
	var f doorstep.Feedback
	ok, err := get(fbs, tk, &f)
	if err != nil || !ok || f.Linked() {
		return err
	}
	f.IssuanceID = is.ID
	if f.IssuedAt.IsZero() {
		f.IssuedAt = is.IssuedAt
	}
	raw, err := json.Marshal(&f)
	if err != nil {
		return err
	}
	if err := fbs.Put(tk, raw); err != nil {
		return err
	}
	a.agg.officer(f.OfficerID).Unlinked--
	_, err = appendChange(a.tx, doorstep.ChangeFeedback, raw, f.Token.DeviceID, false)
	return err
}

// update stores a merged issuance, feeds it to its device and uncounts it
// from Issued when it has just been voided.
func (a *applier) update(stored, merged *doorstep.Issuance, changed bool) error {
	if !changed {
		return nil
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	if err := a.tx.Bucket(bucketIssuances).Put([]byte(merged.ID), raw); err != nil {
		return err
	}
	if merged.Voided && !stored.Voided {
		a.agg.issued(merged.OfficerID, merged.IssuedAt, -1)
	}
	_, err = appendChange(a.tx, doorstep.ChangeIssuance, raw, merged.Token.DeviceID, false)
	return err
}

func (a *applier) void(v *doorstep.Void) (string, error) {
	id := []byte(v.IssuanceID)
	var stored doorstep.Issuance
	ok, err := get(a.tx.Bucket(bucketIssuances), id, &stored)
	if err != nil {
		return "", err
	}
	if ok {
		if stored.OfficerID != a.dev.OfficerID {
			return reasonOtherOfficer, nil
		}
		merged, changed := dsync.ApplyVoid(&stored, v)
		return "", a.update(&stored, merged, changed)
	}
	// Not arrived yet: keep the void (the later stamp's, as MergeIssuance
	// would settle two voids) for when it does.
	pending := a.tx.Bucket(bucketPendingVoids)
	var pv pendingVoid
	if ok, err := get(pending, id, &pv); err != nil {
		return "", err
	} else if ok {
		if pv.OfficerID != a.dev.OfficerID {
			return "another officer's void of this issuance is pending", nil
		}
		if v.HLC <= pv.Void.HLC {
			return "", nil
		}
	}
	return "", put(pending, id, &pendingVoid{DeviceID: a.dev.ID, OfficerID: a.dev.OfficerID, Void: *v})
}
