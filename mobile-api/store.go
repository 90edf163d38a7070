package mobileapi

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// Buckets of the state file (names are constants: the package keeps no globals).
const (
	// bucketMeta holds single values under the meta keys below.
	bucketMeta = "meta"
	// bucketOutbox: 8-byte big-endian mutation ID -> doorstep.Mutation JSON. Its
	// bbolt sequence is the last mutation ID assigned, so IDs are never reused.
	bucketOutbox = "outbox"
	// bucketIssuances: issuance ID (UUIDv7, time ordered) -> localIssuance JSON.
	bucketIssuances = "issuances"
	// bucketByCounter: 8-byte big-endian token counter -> issuance ID.
	bucketByCounter = "by_counter"
	// bucketRejected: 8-byte big-endian mutation ID -> rejection JSON.
	bucketRejected = "rejected"
	// bucketFeedback: feedback ID -> doorstep.Feedback JSON.
	bucketFeedback = "feedback"
	// bucketContent: language -> doorstep.ContentVersion JSON, the latest pulled.
	bucketContent = "content"
)

// allBuckets are created on open and emptied when a revoked device pairs again.
func allBuckets() []string {
	return []string{bucketMeta, bucketOutbox, bucketIssuances, bucketByCounter, bucketRejected, bucketFeedback, bucketContent}
}

// bucket returns a bucket Open created.
func bucket(tx *bolt.Tx, name string) *bolt.Bucket { return tx.Bucket([]byte(name)) }

// Keys of bucketMeta.
const (
	keySchema    = "schema"     // schemaVersion
	keyPairing   = "pairing"    // pairing JSON
	keyCounter   = "counter"    // last token counter issued, 8-byte big-endian
	keyHLC       = "hlc"        // last HLC stamp issued or observed, text form
	keyLastAcked = "last_acked" // highest mutation ID the server acknowledged, 8-byte big-endian
	keyCursor    = "cursor"     // pull cursor from the server
	keyRevoked   = "revoked"    // revocation JSON, absent while not revoked
	keyLastSync  = "last_sync"  // RFC 3339 time of the last complete sync
)

const schemaVersion = "1"

// pairing is what the server gave the device at pairing, and where it paired.
type pairing struct {
	ServerURL         string           `json:"server_url"`
	PublicURL         string           `json:"public_url"`
	DeviceID          uint32           `json:"device_id"`
	DeviceName        string           `json:"device_name"`
	Credential        string           `json:"credential"`
	TokenKey          []byte           `json:"token_key"`
	Officer           doorstep.Officer `json:"officer"`
	TokenValidityDays int              `json:"token_validity_days"`
	PairedAt          time.Time        `json:"paired_at"`
}

// localIssuance is an issuance as the device keeps it: the record it pushes, and
// what became of its mutation.
type localIssuance struct {
	doorstep.Issuance
	URL        string `json:"url"`
	MutationID uint64 `json:"mutation_id"`
	Synced     bool   `json:"synced,omitempty"`
	Rejected   string `json:"rejected,omitempty"`
}

// rejection records a mutation the server refused for good.
type rejection struct {
	MutationID uint64    `json:"mutation_id"`
	Kind       string    `json:"kind"`
	IssuanceID string    `json:"issuance_id,omitempty"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// revocation records that the server refused the device's credential.
type revocation struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

func u64key(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

func getU64(b *bolt.Bucket, key string) uint64 {
	v := b.Get([]byte(key))
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", key, err)
	}
	return b.Put([]byte(key), data)
}

func getJSON(b *bolt.Bucket, key string, v any) (bool, error) {
	data := b.Get([]byte(key))
	if data == nil {
		return false, nil
	}
	return true, jsonUnmarshal(data, v)
}

// loadPairing reads the pairing, nil when the device has not paired.
func loadPairing(tx *bolt.Tx) (*pairing, error) {
	var p pairing
	ok, err := getJSON(bucket(tx, bucketMeta), keyPairing, &p)
	if err != nil || !ok {
		return nil, err
	}
	return &p, nil
}

func loadRevocation(tx *bolt.Tx) (*revocation, error) {
	var r revocation
	ok, err := getJSON(bucket(tx, bucketMeta), keyRevoked, &r)
	if err != nil || !ok {
		return nil, err
	}
	return &r, nil
}

// errNotPaired and errRevoked are the two states in which a device can do nothing.
func errNotPaired() error {
	return doorstep.Errorf(doorstep.EINVALID, "this device is not paired yet: pair it with a code from your admin first")
}

func errRevoked() error {
	return doorstep.Errorf(doorstep.EREVOKED, "this device has been revoked: ask your admin to pair it again")
}

// activePairing is the pairing of a device that may work: paired and not revoked.
func activePairing(tx *bolt.Tx) (*pairing, error) {
	p, err := loadPairing(tx)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errNotPaired()
	}
	if r, err := loadRevocation(tx); err != nil {
		return nil, err
	} else if r != nil {
		return nil, errRevoked()
	}
	return p, nil
}

// stamp issues the next HLC stamp from the persisted clock and persists it, in
// the caller's transaction.
func stamp(tx *bolt.Tx, now func() time.Time) (dsync.HLC, error) {
	meta := bucket(tx, bucketMeta)
	c := dsync.NewClock(now, lastHLC(meta))
	h := c.Now()
	return h, meta.Put([]byte(keyHLC), []byte(h.String()))
}

// observe moves the persisted clock past a stamp seen from the server. A stamp
// that does not parse is ignored: it orders nothing.
func observe(tx *bolt.Tx, serverHLC string) error {
	h, err := dsync.ParseHLC(serverHLC)
	if err != nil {
		return nil
	}
	meta := bucket(tx, bucketMeta)
	c := dsync.NewClock(nil, lastHLC(meta))
	c.Observe(h)
	return meta.Put([]byte(keyHLC), []byte(c.Last().String()))
}

func lastHLC(meta *bolt.Bucket) dsync.HLC {
	h, err := dsync.ParseHLC(string(meta.Get([]byte(keyHLC))))
	if err != nil {
		return dsync.HLC{}
	}
	return h
}

// jsonUnmarshal decodes a stored value; a failure means the state file is damaged.
func jsonUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return doorstep.Errorf(doorstep.EINTERNAL, "the device state is damaged: %v", err)
	}
	return nil
}
