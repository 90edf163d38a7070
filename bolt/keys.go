package bolt

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// Bucket names (see doc.go for the layout).
var (
	bucketMeta          = []byte("meta")
	bucketOfficers      = []byte("officers")
	bucketCollars       = []byte("officer_collar")
	bucketPairing       = []byte("pairing_codes")
	bucketDevices       = []byte("devices")
	bucketOfficerDevs   = []byte("officer_devices")
	bucketRejected      = []byte("rejected_mutations")
	bucketIssuances     = []byte("issuances")
	bucketTokens        = []byte("tokens")
	bucketPendingVoids  = []byte("pending_voids")
	bucketFeedback      = []byte("feedback")
	bucketOfficerFb     = []byte("officer_feedback")
	bucketSummaries     = []byte("summaries")
	bucketDaily         = []byte("daily")
	bucketChanges       = []byte("changes")
	bucketDeviceFeed    = []byte("device_feed")
	bucketBroadcastFeed = []byte("broadcast_feed")
	bucketContent       = []byte("content")
	bucketContentLatest = []byte("content_latest")
	bucketAccounts      = []byte("accounts")
	bucketAudit         = []byte("audit")
)

// keySchema is the meta key holding the schema version.
const keySchema = "schema"

// allBuckets lists every bucket, for Open to create.
func allBuckets() [][]byte {
	return [][]byte{
		bucketMeta, bucketOfficers, bucketCollars, bucketPairing, bucketDevices,
		bucketOfficerDevs, bucketRejected, bucketIssuances, bucketTokens,
		bucketPendingVoids, bucketFeedback, bucketOfficerFb, bucketSummaries,
		bucketDaily, bucketChanges, bucketDeviceFeed, bucketBroadcastFeed,
		bucketContent, bucketContentLatest, bucketAccounts, bucketAudit,
	}
}

// appendFill is the fill percent of buckets whose keys only ever grow: full
// pages instead of bbolt's half-full split pages.
const appendFill = 1.0

func u32(v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return b[:]
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// refKey is a token's key: device ID then counter, 4 bytes big-endian each.
func refKey(r doorstep.TokenRef) []byte {
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], r.DeviceID)
	binary.BigEndian.PutUint32(b[4:], r.Counter)
	return b[:]
}

func parseRefKey(b []byte) doorstep.TokenRef {
	return doorstep.TokenRef{DeviceID: binary.BigEndian.Uint32(b[:4]), Counter: binary.BigEndian.Uint32(b[4:8])}
}

// feedKey is a device feed entry: device ID then change sequence.
func feedKey(device uint32, seq uint64) []byte {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], device)
	binary.BigEndian.PutUint64(b[4:], seq)
	return b[:]
}

// rejectedKey names one rejected mutation of a device.
func rejectedKey(device uint32, id uint64) []byte { return feedKey(device, id) }

// timeBytes is an order-preserving 8-byte encoding of a time (Unix nanoseconds
// with the sign bit flipped, so times before 1970 sort first too).
func timeBytes(t time.Time) []byte {
	n := t.UnixNano()
	if t.Before(time.Unix(0, math.MinInt64)) {
		n = math.MinInt64
	} else if t.After(time.Unix(0, math.MaxInt64)) {
		n = math.MaxInt64
	}
	return u64(uint64(n) ^ 1<<63)
}

// officerFbKey indexes an officer's feedback by receive time.
func officerFbKey(officerID string, received time.Time, ref doorstep.TokenRef) []byte {
	k := make([]byte, 0, len(officerID)+1+16)
	k = append(k, officerID...)
	k = append(k, 0)
	k = append(k, timeBytes(received)...)
	return append(k, refKey(ref)...)
}

// prefixKey is officerID (or another text key) followed by a 0 separator.
func prefixKey(s string) []byte {
	k := make([]byte, 0, len(s)+1)
	k = append(k, s...)
	return append(k, 0)
}

// dayFormat names a day in the daily aggregates (UTC).
const dayFormat = "2006-01-02"

func dailyKey(officerID string, day time.Time) []byte {
	return append(prefixKey(officerID), day.UTC().Format(dayFormat)...)
}

func contentKey(lang, version string) []byte {
	return append(prefixKey(lang), version...)
}

func officerDevKey(officerID string, id uint32) []byte {
	return append(prefixKey(officerID), u32(id)...)
}

func put(b *bbolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %T: %w", v, err)
	}
	return b.Put(k, raw)
}

// get decodes the value at k into v and reports whether there was one.
func get(b *bbolt.Bucket, k []byte, v any) (bool, error) {
	raw := b.Get(k)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decoding %T at %x: %w", v, k, err)
	}
	return true, nil
}

func notFound(what string) error {
	return doorstep.Errorf(doorstep.ENOTFOUND, "%s not found", what)
}

func parseU32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
