package bolt

import (
	"bytes"
	"context"
	"encoding/json"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// Issuance returns the synced issuance of a token, ENOTFOUND before it syncs.
func (db *DB) Issuance(ctx context.Context, ref doorstep.TokenRef) (*doorstep.Issuance, error) {
	var is *doorstep.Issuance
	err := db.view(ctx, "issuance", func(tx *bbolt.Tx) (err error) {
		is, err = issuanceOf(tx, ref)
		return err
	})
	return is, err
}

func issuanceOf(tx *bbolt.Tx, ref doorstep.TokenRef) (*doorstep.Issuance, error) {
	id := tx.Bucket(bucketTokens).Get(refKey(ref))
	if id == nil {
		return nil, notFound("issuance")
	}
	is := new(doorstep.Issuance)
	ok, err := get(tx.Bucket(bucketIssuances), id, is)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, doorstep.Errorf(doorstep.EINTERNAL, "token index names a missing issuance")
	}
	return is, nil
}

func validAnswer(s string) bool {
	return s == "" || s == doorstep.AnswerYes || s == doorstep.AnswerNo || s == doorstep.AnswerUnsure
}

// SubmitFeedback stores f for its token. It sets f.ID and f.ReceivedAt when
// empty, f.OfficerID from the device, and f.IssuanceID (and f.IssuedAt when
// zero) from the issuance when that has synced. EINVALID for a rating out of
// 1..5 or an unknown answer, ENOTFOUND for an unknown device, EREVOKED when
// the device is revoked and the code never synced, EEXPIRED when the officer
// voided the code, ECONFLICT when the token already has feedback.
func (db *DB) SubmitFeedback(ctx context.Context, f *doorstep.Feedback) error {
	if f == nil || f.Rating < 1 || f.Rating > 5 {
		return doorstep.Errorf(doorstep.EINVALID, "rating must be 1 to 5")
	}
	if !validAnswer(f.Respect) || !validAnswer(f.Rights) || !validAnswer(f.Updates) {
		return doorstep.Errorf(doorstep.EINVALID, "answers are yes, no or unsure")
	}
	in := *f
	if in.ID == "" {
		in.ID = doorstep.NewID(db.opts.Now())
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = db.opts.Now().UTC()
	}
	var out doorstep.Feedback
	err := db.write(ctx, "submit feedback", func(tx *bbolt.Tx) error {
		fb := in
		tk := refKey(fb.Token)
		fbs := tx.Bucket(bucketFeedback)
		if fbs.Get(tk) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "feedback for this code is already in")
		}
		d, err := getDevice(tx, fb.Token.DeviceID)
		if err != nil {
			return err
		}
		if err := linkFeedback(tx, &fb, d); err != nil {
			return err
		}
		raw, err := json.Marshal(&fb)
		if err != nil {
			return err
		}
		if err := fbs.Put(tk, raw); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOfficerFb).Put(officerFbKey(fb.OfficerID, fb.ReceivedAt, fb.Token), nil); err != nil {
			return err
		}
		var agg aggDelta
		agg.response(&fb)
		if err := agg.flush(tx); err != nil {
			return err
		}
		if _, err := appendChange(tx, doorstep.ChangeFeedback, raw, fb.Token.DeviceID, false); err != nil {
			return err
		}
		out = fb
		return nil
	})
	if err == nil {
		*f = out
	}
	return err
}

// FeedbackFor returns the feedback given for a token, ENOTFOUND when none.
func (db *DB) FeedbackFor(ctx context.Context, ref doorstep.TokenRef) (*doorstep.Feedback, error) {
	f := new(doorstep.Feedback)
	err := db.view(ctx, "feedback", func(tx *bbolt.Tx) error {
		ok, err := get(tx.Bucket(bucketFeedback), refKey(ref), f)
		if err == nil && !ok {
			err = notFound("feedback")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// OfficerFeedback lists an officer's feedback, newest received first, from an
// index by officer and receive time. ENOTFOUND for an unknown officer.
func (db *DB) OfficerFeedback(ctx context.Context, officerID string, filter doorstep.FeedbackFilter) ([]*doorstep.Feedback, error) {
	var out []*doorstep.Feedback
	err := db.view(ctx, "officer feedback", func(tx *bbolt.Tx) error {
		out = nil
		if tx.Bucket(bucketOfficers).Get([]byte(officerID)) == nil {
			return notFound("officer")
		}
		prefix := prefixKey(officerID)
		lo := prefix
		if !filter.From.IsZero() {
			lo = append(prefixKey(officerID), timeBytes(filter.From)...)
		}
		// Seek past the last key before To (or past the prefix) and walk back.
		hi := append([]byte(officerID), 1) // just past every officerID+0 key
		if !filter.To.IsZero() {
			hi = append(prefixKey(officerID), timeBytes(filter.To)...)
		}
		fbs := tx.Bucket(bucketFeedback)
		c := tx.Bucket(bucketOfficerFb).Cursor()
		k, _ := c.Seek(hi)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, lo) >= 0; k, _ = c.Prev() {
			f := new(doorstep.Feedback)
			ok, err := get(fbs, k[len(k)-8:], f)
			if err != nil {
				return err
			}
			if !ok {
				return doorstep.Errorf(doorstep.EINTERNAL, "feedback index names missing feedback")
			}
			if filter.MinRating > 0 && f.Rating < filter.MinRating || filter.MaxRating > 0 && f.Rating > filter.MaxRating {
				continue
			}
			out = append(out, f)
			if filter.Limit > 0 && len(out) == filter.Limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// linkFeedback attributes fb to d's officer and links it to its issuance when
// that has synced: the rules SubmitFeedback and ImportFeedback share.
func linkFeedback(tx *bbolt.Tx, fb *doorstep.Feedback, d *doorstep.Device) error {
	fb.OfficerID, fb.IssuanceID = d.OfficerID, ""
	is, err := issuanceOf(tx, fb.Token)
	switch {
	case doorstep.ErrorCode(err) == doorstep.ENOTFOUND:
		if d.Revoked() {
			return doorstep.Errorf(doorstep.EREVOKED, "this code's device was revoked before the code synced")
		}
	case err != nil:
		return err
	case is.Voided:
		return doorstep.Errorf(doorstep.EEXPIRED, "this code was cancelled by the officer")
	default:
		fb.IssuanceID = is.ID
		if fb.IssuedAt.IsZero() {
			fb.IssuedAt = is.IssuedAt
		}
	}
	return nil
}
