package bolt

import (
	"context"
	"encoding/json"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// ImportFeedback stores many feedback records in one transaction, by the
// rules of SubmitFeedback (the same checks, links, indexes, change-feed
// entries and aggregate updates, through the same aggDelta), with the
// aggregates flushed once for the whole batch. It is for bulk loads: the
// dashboard benchmark seeds a million records with it, and a migration
// from an older system could. Any refusal refuses the whole batch, with
// the refused record's error. It fills in the records as SubmitFeedback does.
func (db *DB) ImportFeedback(ctx context.Context, fbs []*doorstep.Feedback) error {
	in := make([]doorstep.Feedback, len(fbs))
	for i, f := range fbs {
		if f == nil || f.Rating < 1 || f.Rating > 5 {
			return doorstep.Errorf(doorstep.EINVALID, "rating must be 1 to 5")
		}
		if !validAnswer(f.Respect) || !validAnswer(f.Rights) || !validAnswer(f.Updates) {
			return doorstep.Errorf(doorstep.EINVALID, "answers are yes, no or unsure")
		}
		in[i] = *f
		if in[i].ID == "" {
			in[i].ID = doorstep.NewID(db.opts.Now())
		}
		if in[i].ReceivedAt.IsZero() {
			in[i].ReceivedAt = db.opts.Now().UTC()
		}
	}
	out := make([]doorstep.Feedback, len(fbs))
	err := db.write(ctx, "import feedback", func(tx *bbolt.Tx) error {
		var agg aggDelta
		fbBucket, index := tx.Bucket(bucketFeedback), tx.Bucket(bucketOfficerFb)
		devices := map[uint32]*doorstep.Device{}
		for i := range in {
			fb := in[i]
			tk := refKey(fb.Token)
			if fbBucket.Get(tk) != nil {
				return doorstep.Errorf(doorstep.ECONFLICT, "feedback for this code is already in")
			}
			d := devices[fb.Token.DeviceID]
			if d == nil {
				var err error
				if d, err = getDevice(tx, fb.Token.DeviceID); err != nil {
					return err
				}
				devices[d.ID] = d
			}
			if err := linkFeedback(tx, &fb, d); err != nil {
				return err
			}
			raw, err := json.Marshal(&fb)
			if err != nil {
				return err
			}
			if err := fbBucket.Put(tk, raw); err != nil {
				return err
			}
			if err := index.Put(officerFbKey(fb.OfficerID, fb.ReceivedAt, fb.Token), nil); err != nil {
				return err
			}
			out[i] = fb
			agg.response(&out[i])
			if _, err := appendChange(tx, doorstep.ChangeFeedback, raw, fb.Token.DeviceID, false); err != nil {
				return err
			}
		}
		return agg.flush(tx)
	})
	if err == nil {
		for i := range fbs {
			*fbs[i] = out[i]
		}
	}
	return err
}
