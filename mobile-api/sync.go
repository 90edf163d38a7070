package mobileapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// SyncReport tells what one Sync did.
type SyncReport struct {
	// Pushed counts the mutations the server acknowledged, applied or rejected.
	Pushed int
	// Rejected counts the acknowledged mutations the server refused for good
	// (RejectedJSON says why).
	Rejected int
	// Pulled counts the changes pulled from the server's feed.
	Pulled int
	// Feedback counts the new feedback among them.
	Feedback int
	// Content counts the leaflet content versions stored; ContentUnreadable those
	// the device could not read and left aside (it keeps the previous version).
	Content           int
	ContentUnreadable int
	// Pending counts the mutations left in the outbox.
	Pending        int
	DurationMillis int64
}

// String is the report on one line.
func (r *SyncReport) String() string {
	s := fmt.Sprintf("synced: pushed %d (%d rejected), pulled %d changes (%d new feedback), %d pending",
		r.Pushed, r.Rejected, r.Pulled, r.Feedback, r.Pending)
	if r.ContentUnreadable > 0 {
		s += fmt.Sprintf(", %d leaflet content versions unreadable (kept the previous ones)", r.ContentUnreadable)
	}
	return s
}

// Sync pushes the outbox and pulls the server's feed, within SyncTimeoutMillis.
// It retries network errors and 5xx answers by itself and stops at once on a
// 4xx: a revoked device is marked revoked and gets an error saying so. Whatever
// it stored before an error stays stored; the next Sync goes on from there.
func (d *Device) Sync() (*SyncReport, error) { return d.SyncWithin(0) }

// SyncWithin is Sync bounded by timeoutMillis instead of SyncTimeoutMillis
// (0: SyncTimeoutMillis). CancelSync stops it early.
func (d *Device) SyncWithin(timeoutMillis int64) (*SyncReport, error) {
	ctx, done := d.begin(millis(timeoutMillis))
	defer done()
	return d.sync(ctx)
}

func (d *Device) sync(ctx context.Context) (*SyncReport, error) {
	start := time.Now()
	var p *pairing
	if err := d.db.View(func(tx *bolt.Tx) (err error) {
		p, err = activePairing(tx)
		return err
	}); err != nil {
		return nil, err
	}
	rep := &SyncReport{}
	err := d.push(ctx, p, rep)
	if err == nil {
		err = d.pull(ctx, p, rep)
	}
	if err == nil {
		err = d.db.Update(func(tx *bolt.Tx) error {
			return bucket(tx, bucketMeta).Put([]byte(keyLastSync), []byte(d.now().UTC().Format(time.RFC3339)))
		})
	}
	if n, cerr := d.PendingCount(); cerr == nil {
		rep.Pending = n
	}
	rep.DurationMillis = time.Since(start).Milliseconds()
	return rep, err
}

// push sends the outbox in batches until it is empty. A batch's mutations leave
// the outbox only in the transaction that stores the server's answer.
func (d *Device) push(ctx context.Context, p *pairing, rep *SyncReport) error {
	for {
		batch, body, err := d.nextBatch()
		if err != nil || len(batch) == 0 {
			return err
		}
		var resp dsync.PushResponse
		err = d.call(ctx, request{what: "push", method: http.MethodPost, url: p.ServerURL + "/api/v1/device/push", credential: p.Credential, body: body}, &resp)
		if err != nil {
			return d.syncFailed("push", err)
		}
		acked, rejected, err := d.storePush(batch, &resp)
		if err != nil {
			return err
		}
		rep.Pushed += acked
		rep.Rejected += rejected
	}
}

// nextBatch reads the oldest outbox mutations, at most MaxPushMutations and
// within MaxPushBytes, and the push body that carries them.
func (d *Device) nextBatch() ([]doorstep.Mutation, []byte, error) {
	var batch []doorstep.Mutation
	var body bytes.Buffer
	const overhead = len(`{"mutations":[]}`)
	err := d.db.View(func(tx *bolt.Tx) error {
		body.WriteString(`{"mutations":[`)
		c := bucket(tx, bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(batch) < d.pushBatch; k, v = c.Next() {
			if len(batch) > 0 && body.Len()+1+len(v)+overhead > dsync.MaxPushBytes {
				break
			}
			var m doorstep.Mutation
			if err := jsonUnmarshal(v, &m); err != nil {
				return err
			}
			if len(batch) > 0 {
				body.WriteByte(',')
			}
			body.Write(v)
			batch = append(batch, m)
		}
		body.WriteString(`]}`)
		return nil
	})
	return batch, body.Bytes(), err
}

// storePush stores the server's answer to batch in one transaction: rejections
// recorded, issuances marked synced, acknowledged mutations removed from the
// outbox, the server's clock observed.
func (d *Device) storePush(batch []doorstep.Mutation, resp *dsync.PushResponse) (acked, rejected int, err error) {
	first, last := batch[0].ID, batch[len(batch)-1].ID
	if resp.LastMutationID < first {
		return 0, 0, doorstep.Errorf(doorstep.EINTERNAL, "the server acknowledged none of mutations %d to %d (its last is %d)", first, last, resp.LastMutationID)
	}
	results := make(map[uint64]doorstep.MutationResult, len(resp.Results))
	for _, r := range resp.Results {
		results[r.ID] = r
	}
	now := d.now().UTC()
	err = d.db.Update(func(tx *bolt.Tx) error {
		outbox := bucket(tx, bucketOutbox)
		if assigned := outbox.Sequence(); resp.LastMutationID > assigned {
			return doorstep.Errorf(doorstep.ECONFLICT, "the server has this device's mutations up to %d but the device numbered only %d: its state was restored from an older copy; pair it again", resp.LastMutationID, assigned)
		}
		for _, m := range batch {
			if m.ID > resp.LastMutationID {
				break
			}
			r := results[m.ID]
			issuanceID := mutationIssuance(&m)
			if r.Status == doorstep.StatusRejected {
				rejected++
				rej := rejection{MutationID: m.ID, Kind: m.Kind, IssuanceID: issuanceID, Reason: r.Reason, At: now}
				if err := putJSON(bucket(tx, bucketRejected), string(u64key(m.ID)), rej); err != nil {
					return err
				}
			}
			if m.Kind == doorstep.MutationIssue && issuanceID != "" {
				if err := markIssuance(tx, issuanceID, r); err != nil {
					return err
				}
			}
			if err := outbox.Delete(u64key(m.ID)); err != nil {
				return err
			}
			acked++
		}
		meta := bucket(tx, bucketMeta)
		if resp.LastMutationID > getU64(meta, keyLastAcked) {
			if err := meta.Put([]byte(keyLastAcked), u64key(resp.LastMutationID)); err != nil {
				return err
			}
		}
		return observe(tx, resp.ServerHLC)
	})
	if err != nil {
		return 0, 0, err
	}
	return acked, rejected, nil
}

func mutationIssuance(m *doorstep.Mutation) string {
	switch {
	case m.Issuance != nil:
		return m.Issuance.ID
	case m.Void != nil:
		return m.Void.IssuanceID
	}
	return ""
}

// markIssuance records the server's answer to an issuance's create.
func markIssuance(tx *bolt.Tx, id string, r doorstep.MutationResult) error {
	b := bucket(tx, bucketIssuances)
	var is localIssuance
	if ok, err := getJSON(b, id, &is); err != nil || !ok {
		return err
	}
	if r.Status == doorstep.StatusRejected {
		is.Rejected = r.Reason
		if is.Rejected == "" {
			is.Rejected = "rejected by the server"
		}
	} else {
		is.Synced = true
	}
	return putJSON(b, id, &is)
}

// pull fetches the feed after the stored cursor, page by page, storing each
// page with the cursor that ends it.
func (d *Device) pull(ctx context.Context, p *pairing, rep *SyncReport) error {
	for {
		var cursor string
		if err := d.db.View(func(tx *bolt.Tx) error {
			cursor = string(bucket(tx, bucketMeta).Get([]byte(keyCursor)))
			return nil
		}); err != nil {
			return err
		}
		u := p.ServerURL + "/api/v1/device/pull?cursor=" + url.QueryEscape(cursor) + "&limit=" + strconv.Itoa(d.pullLimit)
		var resp dsync.PullResponse
		if err := d.call(ctx, request{what: "pull", method: http.MethodGet, url: u, credential: p.Credential}, &resp); err != nil {
			return d.syncFailed("pull", err)
		}
		revoked, err := d.storePage(p, cursor, &resp, rep)
		if err != nil {
			return err
		}
		rep.Pulled += len(resp.Changes)
		if revoked {
			return errRevoked()
		}
		if !resp.More {
			return nil
		}
		if len(resp.Changes) == 0 && (resp.Cursor == "" || resp.Cursor == cursor) {
			return doorstep.Errorf(doorstep.EINTERNAL, "the server announced more changes but sent none and kept the cursor")
		}
	}
}

// storePage stores one pulled page and its cursor in one transaction. It
// reports whether the page revoked this device.
func (d *Device) storePage(p *pairing, cursor string, resp *dsync.PullResponse, rep *SyncReport) (revoked bool, err error) {
	var fb, content, skipped int
	err = d.db.Update(func(tx *bolt.Tx) error {
		fb, content, skipped, revoked = 0, 0, 0, false
		meta := bucket(tx, bucketMeta)
		if got := string(meta.Get([]byte(keyCursor))); got != cursor {
			return doorstep.Errorf(doorstep.ECONFLICT, "the pull cursor moved during the pull")
		}
		for i := range resp.Changes {
			c := &resp.Changes[i]
			switch {
			case c.Kind == doorstep.ChangeIssuance && c.Issuance != nil:
				if err := storePulledIssuance(tx, p, c.Issuance); err != nil {
					return err
				}
			case c.Kind == doorstep.ChangeFeedback && c.Feedback != nil && c.Feedback.ID != "":
				b := bucket(tx, bucketFeedback)
				if b.Get([]byte(c.Feedback.ID)) == nil {
					fb++
				}
				if err := putJSON(b, c.Feedback.ID, c.Feedback); err != nil {
					return err
				}
			case c.Kind == doorstep.ChangeContent && c.Content != nil && c.Content.Language != "":
				if err := d.leaflets.check(c.Content); err != nil {
					skipped++
					continue
				}
				content++
				if err := putJSON(bucket(tx, bucketContent), c.Content.Language, c.Content); err != nil {
					return err
				}
			case c.Kind == doorstep.ChangeRevocation && c.Revocation != nil && c.Revocation.ID == p.DeviceID:
				revoked = true
				if err := putJSON(meta, keyRevoked, revocation{At: d.now().UTC(), Reason: "revoked by an admin"}); err != nil {
					return err
				}
			}
			// Other kinds are for newer devices: the cursor passes them.
		}
		if resp.Cursor != "" {
			if err := meta.Put([]byte(keyCursor), []byte(resp.Cursor)); err != nil {
				return err
			}
		}
		return observe(tx, resp.ServerHLC)
	})
	if err != nil {
		return false, err
	}
	rep.Feedback += fb
	rep.Content += content
	rep.ContentUnreadable += skipped
	return revoked, nil
}

// storePulledIssuance merges the server's copy of an issuance into the local
// one by the reconciliation rules (a void is final, the later HLC wins).
func storePulledIssuance(tx *bolt.Tx, p *pairing, in *doorstep.Issuance) error {
	if !doorstep.ValidID(in.ID) {
		return nil
	}
	b := bucket(tx, bucketIssuances)
	var local localIssuance
	ok, err := getJSON(b, in.ID, &local)
	if err != nil {
		return err
	}
	if !ok {
		// The server holds an issue this device does not (its state was reset):
		// keep it so that its feedback can be shown with it.
		local = localIssuance{Issuance: *in, Synced: true}
		if in.Token.DeviceID == p.DeviceID {
			if err := bucket(tx, bucketByCounter).Put(u64key(uint64(in.Token.Counter)), []byte(in.ID)); err != nil {
				return err
			}
		}
		return putJSON(b, in.ID, &local)
	}
	merged, _ := dsync.MergeIssuance(&local.Issuance, in)
	local.Issuance = *merged
	if !in.ReceivedAt.IsZero() {
		local.ReceivedAt = in.ReceivedAt
	}
	local.Synced = true
	return putJSON(b, in.ID, &local)
}

// syncFailed turns a failed push or pull into the error the officer sees. A 401
// or 403 means the server no longer accepts this device: it is marked revoked,
// so that it stops trying, and says so.
func (d *Device) syncFailed(what string, err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		if uerr := d.db.Update(func(tx *bolt.Tx) error {
			return putJSON(bucket(tx, bucketMeta), keyRevoked, revocation{At: d.now().UTC(), Reason: ae.Error()})
		}); uerr != nil {
			return uerr
		}
		return errRevoked()
	case http.StatusTooManyRequests:
		return doorstep.Errorf(doorstep.ERATELIMIT, "the server is busy (too many requests): sync again in a minute")
	case http.StatusConflict:
		return doorstep.Errorf(doorstep.ECONFLICT, "the server refused the %s: %s", what, ae.Error())
	}
	return refused(what, ae)
}

// RejectedJSON lists the mutations the server refused for good, oldest first,
// as a JSON array of {"mutation_id","kind","issuance_id","reason","at"}.
func (d *Device) RejectedJSON() (string, error) {
	out := []rejection{}
	err := d.db.View(func(tx *bolt.Tx) error {
		return bucket(tx, bucketRejected).ForEach(func(_, v []byte) error {
			var r rejection
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	return string(b), err
}
