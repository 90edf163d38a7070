package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

var _ doorstep.RetentionStore = (*DB)(nil)

// purgeChunk is how many records one purge transaction rewrites, so that a
// first purge of a large store never holds the writer lock for long.
const purgeChunk = 256

// PurgeFeedbackText blanks the comment of every feedback received before
// before, in the feedback record and in every change-feed entry that carries
// a copy of it (the feedback change, and the one made when its issue synced
// and linked it). Ratings, answers, links, indexes and aggregates are kept.
// It finds candidates in a read transaction (a scan of both buckets: the job
// runs a few times a day) and rewrites them purgeChunk at a time, each record
// checked again inside its write transaction, so writers are never held up
// for long and a pass cut short is finished by the next. It returns how many
// feedback records it changed.
func (db *DB) PurgeFeedbackText(ctx context.Context, before time.Time) (int, error) {
	var fbKeys, changeKeys [][]byte
	err := db.view(ctx, "purge feedback text", func(tx *bbolt.Tx) error {
		fbKeys, changeKeys = nil, nil
		err := tx.Bucket(bucketFeedback).ForEach(func(k, v []byte) error {
			if hasComment(v) {
				var f doorstep.Feedback
				if err := json.Unmarshal(v, &f); err != nil {
					return err
				}
				if f.Comment != "" && f.ReceivedAt.Before(before) {
					fbKeys = append(fbKeys, bytes.Clone(k))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketChanges).ForEach(func(k, v []byte) error {
			if feedbackChange(v) && hasComment(v) {
				var c doorstep.Change
				if err := json.Unmarshal(v, &c); err != nil {
					return err
				}
				if expiredText(&c, before) {
					changeKeys = append(changeKeys, bytes.Clone(k))
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	purged := 0
	for len(fbKeys) > 0 {
		chunk := fbKeys[:min(purgeChunk, len(fbKeys))]
		fbKeys = fbKeys[len(chunk):]
		var n int
		err := db.write(ctx, "purge feedback text", func(tx *bbolt.Tx) error {
			n = 0
			b := tx.Bucket(bucketFeedback)
			for _, k := range chunk {
				var f doorstep.Feedback
				ok, err := get(b, k, &f)
				if err != nil {
					return err
				}
				if !ok || f.Comment == "" || !f.ReceivedAt.Before(before) {
					continue
				}
				f.Comment = ""
				if err := put(b, k, &f); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return purged, err
		}
		purged += n
	}
	for len(changeKeys) > 0 {
		chunk := changeKeys[:min(purgeChunk, len(changeKeys))]
		changeKeys = changeKeys[len(chunk):]
		err := db.write(ctx, "purge feedback text", func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucketChanges)
			for _, k := range chunk {
				var c doorstep.Change
				ok, err := get(b, k, &c)
				if err != nil {
					return err
				}
				if !ok || !expiredText(&c, before) {
					continue
				}
				c.Feedback.Comment = ""
				raw, err := json.Marshal(&c)
				if err != nil {
					return err
				}
				if err := b.Put(k, raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return purged, err
		}
	}
	return purged, nil
}

// hasComment is a quick test before decoding: Comment is omitted when empty,
// and a comment's own text cannot hold the key unescaped.
func hasComment(v []byte) bool { return bytes.Contains(v, []byte(`"comment":`)) }

// feedbackChange tells a feedback change by the kind written near its start.
func feedbackChange(v []byte) bool {
	return bytes.Contains(v[:min(len(v), 64)], []byte(`"kind":"`+doorstep.ChangeFeedback+`"`))
}

func expiredText(c *doorstep.Change, before time.Time) bool {
	return c.Kind == doorstep.ChangeFeedback && c.Feedback != nil && c.Feedback.Comment != "" && c.Feedback.ReceivedAt.Before(before)
}
