package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bbolt "go.etcd.io/bbolt"
)

// appendChange adds one change to the feed, in the transaction of the change
// it records: the next sequence of the changes bucket is its key (so feed
// order is commit order), and an index entry makes it visible to one device
// (device) or to every device (broadcast). payload is the JSON of the record.
func appendChange(tx *bbolt.Tx, kind string, payload []byte, device uint32, broadcast bool) (uint64, error) {
	changes := tx.Bucket(bucketChanges)
	changes.FillPercent = appendFill
	seq, err := changes.NextSequence()
	if err != nil {
		return 0, err
	}
	// {"seq":N,"kind":"K","K":payload}: the Change JSON, built without
	// re-encoding the payload (every Change field is named after its kind).
	v := make([]byte, 0, len(payload)+len(kind)*2+40)
	v = append(v, `{"seq":`...)
	v = strconv.AppendUint(v, seq, 10)
	v = append(v, `,"kind":"`...)
	v = append(v, kind...)
	v = append(v, `","`...)
	v = append(v, kind...)
	v = append(v, `":`...)
	v = append(v, payload...)
	v = append(v, '}')
	if err := changes.Put(u64(seq), v); err != nil {
		return 0, err
	}
	if broadcast {
		b := tx.Bucket(bucketBroadcastFeed)
		b.FillPercent = appendFill
		return seq, b.Put(u64(seq), nil)
	}
	return seq, tx.Bucket(bucketDeviceFeed).Put(feedKey(device, seq), nil)
}

// Changes merges the device's own feed with the broadcast feed after the
// cursor: both are indexes in sequence order, so a pull reads only what the
// device may see and never scans other devices' changes. A limit of zero or
// less means sync.DefaultPullLimit, and it is capped at sync.MaxPullLimit.
// next is the sequence of the last change returned (after itself when none).
// ENOTFOUND for an unknown device; a revoked device still reads its feed,
// which ends with its revocation (the server decides whether to serve it).
func (db *DB) Changes(ctx context.Context, deviceID uint32, after uint64, limit int) ([]doorstep.Change, uint64, bool, error) {
	if limit <= 0 {
		limit = dsync.DefaultPullLimit
	}
	if limit > dsync.MaxPullLimit {
		limit = dsync.MaxPullLimit
	}
	var (
		out  []doorstep.Change
		next = after
		more bool
	)
	err := db.view(ctx, "changes", func(tx *bbolt.Tx) error {
		out, next, more = nil, after, false
		if tx.Bucket(bucketDevices).Get(u32(deviceID)) == nil {
			return notFound("device")
		}
		if after == math.MaxUint64 {
			return nil
		}
		changes := tx.Bucket(bucketChanges)
		prefix := u32(deviceID)
		dc := tx.Bucket(bucketDeviceFeed).Cursor()
		bc := tx.Bucket(bucketBroadcastFeed).Cursor()
		dk, _ := dc.Seek(feedKey(deviceID, after+1))
		bk, _ := bc.Seek(u64(after + 1))
		for {
			dseq, bseq := uint64(math.MaxUint64), uint64(math.MaxUint64)
			if dk != nil && bytes.HasPrefix(dk, prefix) {
				dseq = binary.BigEndian.Uint64(dk[4:])
			}
			if bk != nil {
				bseq = binary.BigEndian.Uint64(bk)
			}
			if dseq == math.MaxUint64 && bseq == math.MaxUint64 {
				return nil
			}
			if len(out) == limit {
				more = true
				return nil
			}
			seq := dseq
			if bseq < dseq {
				seq = bseq
				bk, _ = bc.Next()
			} else {
				dk, _ = dc.Next()
			}
			raw := changes.Get(u64(seq))
			if raw == nil {
				return doorstep.Errorf(doorstep.EINTERNAL, "feed names missing change %d", seq)
			}
			if out == nil {
				out = make([]doorstep.Change, 0, min(limit, 64))
			}
			out = append(out, doorstep.Change{})
			if err := json.Unmarshal(raw, &out[len(out)-1]); err != nil {
				return err
			}
			next = seq
		}
	})
	if err != nil {
		return nil, 0, false, err
	}
	return out, next, more, nil
}
