package bolt

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// deviceRec is a Device as stored: the domain type hides its secrets from
// JSON, the record keeps them.
type deviceRec struct {
	doorstep.Device
	Credential []byte `json:"credential_hash,omitempty"`
	Key        []byte `json:"key_ciphertext,omitempty"`
}

func newDeviceRec(d *doorstep.Device) *deviceRec {
	return &deviceRec{Device: *d, Credential: d.CredentialHash, Key: d.KeyCiphertext}
}

func (r *deviceRec) device() *doorstep.Device {
	d := r.Device
	d.CredentialHash, d.KeyCiphertext = r.Credential, r.Key
	return &d
}

func getDevice(tx *bbolt.Tx, id uint32) (*doorstep.Device, error) {
	var r deviceRec
	ok, err := get(tx.Bucket(bucketDevices), u32(id), &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("device")
	}
	return r.device(), nil
}

func putDevice(tx *bbolt.Tx, d *doorstep.Device) error {
	return put(tx.Bucket(bucketDevices), u32(d.ID), newDeviceRec(d))
}

// accountRec is an Account as stored, password hash included.
type accountRec struct {
	doorstep.Account
	Hash []byte `json:"password_hash"`
}

// pendingVoid is a void whose issuance has not arrived yet.
type pendingVoid struct {
	DeviceID  uint32        `json:"device_id"`
	OfficerID string        `json:"officer_id"`
	Void      doorstep.Void `json:"void"`
}

// counts are the figures kept per officer and per officer-day. Issued leaves
// voided issuances out; Responses counts all feedback, linked or not.
type counts struct { // stored by encode, not JSON
	Issued    int
	Responses int
	Unlinked  int // per officer only
	RatingSum int
	Ratings   [5]int // Ratings[0] counts rating 1
}

func (c *counts) add(d counts) {
	c.Issued += d.Issued
	c.Responses += d.Responses
	c.Unlinked += d.Unlinked
	c.RatingSum += d.RatingSum
	for i := range c.Ratings {
		c.Ratings[i] += d.Ratings[i]
	}
}

func (c *counts) zero() bool { return *c == counts{} }

func (c *counts) mean() *float64 {
	if c.Responses == 0 {
		return nil
	}
	m := float64(c.RatingSum) / float64(c.Responses)
	return &m
}

func (c *counts) summary() *doorstep.Summary {
	s := &doorstep.Summary{
		Issued:     c.Issued,
		Responses:  c.Responses,
		Unlinked:   c.Unlinked,
		MeanRating: c.mean(),
		Ratings:    make(map[string]int, 5),
	}
	for i, n := range c.Ratings {
		s.Ratings[strconv.Itoa(i+1)] = n
	}
	return s
}

// aggDelta gathers aggregate changes within one write so that a push of 500
// issuances updates each officer and each day once.
type aggDelta struct {
	officers map[string]*counts
	days     map[string]*counts   // key: string(dailyKey)
	fresh    []*doorstep.Feedback // new feedback, for the dashboard's indexes
}

func (a *aggDelta) officer(id string) *counts {
	if a.officers == nil {
		a.officers = make(map[string]*counts)
	}
	c := a.officers[id]
	if c == nil {
		c = new(counts)
		a.officers[id] = c
	}
	return c
}

func (a *aggDelta) day(officerID string, t time.Time) *counts {
	if a.days == nil {
		a.days = make(map[string]*counts)
	}
	k := string(dailyKey(officerID, t))
	c := a.days[k]
	if c == nil {
		c = new(counts)
		a.days[k] = c
	}
	return c
}

// issued counts n issuances (n is -1 when one is voided) for the officer and
// the day of the visit.
func (a *aggDelta) issued(officerID string, day time.Time, n int) {
	a.officer(officerID).Issued += n
	a.day(officerID, day).Issued += n
}

// response counts one feedback for the officer and the day of the visit.
func (a *aggDelta) response(f *doorstep.Feedback) {
	day := f.IssuedAt
	if day.IsZero() {
		day = f.ReceivedAt
	}
	for _, c := range []*counts{a.officer(f.OfficerID), a.day(f.OfficerID, day)} {
		c.Responses++
		c.RatingSum += f.Rating
		c.Ratings[f.Rating-1]++
	}
	if !f.Linked() {
		a.officer(f.OfficerID).Unlinked++
	}
	a.fresh = append(a.fresh, f)
}

// flush adds the gathered changes to the stored aggregates.
func (a *aggDelta) flush(tx *bbolt.Tx) error {
	if err := flushCounts(tx.Bucket(bucketSummaries), a.officers); err != nil {
		return err
	}
	if err := flushCounts(tx.Bucket(bucketDaily), a.days); err != nil {
		return err
	}
	return a.flushDashboard(tx) // dashboard.go: borough, team and force figures
}

func flushCounts(b *bbolt.Bucket, m map[string]*counts) error {
	for k, d := range m {
		if d.zero() {
			continue
		}
		var c counts
		if err := c.decode(b.Get([]byte(k))); err != nil {
			return err
		}
		c.add(*d)
		if err := b.Put([]byte(k), c.encode()); err != nil {
			return err
		}
	}
	return nil
}

// countsSize is the stored size of counts: nine big-endian int64s. Counts are
// read and rewritten on every feedback and push, and JSON cost a sixth of a
// submit's CPU time, so they are stored compact.
const countsSize = 9 * 8

func (c *counts) fields() [9]*int {
	return [9]*int{&c.Issued, &c.Responses, &c.Unlinked, &c.RatingSum,
		&c.Ratings[0], &c.Ratings[1], &c.Ratings[2], &c.Ratings[3], &c.Ratings[4]}
}

func (c *counts) encode() []byte {
	b := make([]byte, 0, countsSize)
	for _, f := range c.fields() {
		b = binary.BigEndian.AppendUint64(b, uint64(int64(*f)))
	}
	return b
}

// decode reads stored counts; nil (no record yet) is all zeros.
func (c *counts) decode(b []byte) error {
	*c = counts{}
	if b == nil {
		return nil
	}
	if len(b) != countsSize {
		return fmt.Errorf("counts record of %d bytes, want %d", len(b), countsSize)
	}
	for i, f := range c.fields() {
		*f = int(int64(binary.BigEndian.Uint64(b[i*8:])))
	}
	return nil
}
