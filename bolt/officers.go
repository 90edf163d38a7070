package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// CreateOfficer stores o, assigning ID and CreatedAt when empty. EINVALID
// without a collar number or name or with an ID that is not a UUID, ECONFLICT when the collar number (or the
// ID) is taken.
func (db *DB) CreateOfficer(ctx context.Context, o *doorstep.Officer) error {
	if o == nil || strings.TrimSpace(o.CollarNumber) == "" || strings.TrimSpace(o.Name) == "" {
		return doorstep.Errorf(doorstep.EINVALID, "an officer needs a collar number and a name")
	}
	if o.ID != "" && !doorstep.ValidID(o.ID) {
		return doorstep.Errorf(doorstep.EINVALID, "officer id must be a UUID")
	}
	rec := *o
	if rec.ID == "" {
		rec.ID = doorstep.NewID(db.opts.Now())
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = db.opts.Now().UTC()
	}
	err := db.write(ctx, "create officer", func(tx *bbolt.Tx) error {
		collars, officers := tx.Bucket(bucketCollars), tx.Bucket(bucketOfficers)
		if collars.Get([]byte(rec.CollarNumber)) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "collar number %s is already taken", rec.CollarNumber)
		}
		if officers.Get([]byte(rec.ID)) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "officer id already exists")
		}
		if err := collars.Put([]byte(rec.CollarNumber), []byte(rec.ID)); err != nil {
			return err
		}
		return put(officers, []byte(rec.ID), &rec)
	})
	if err == nil {
		*o = rec
	}
	return err
}

func getOfficer(tx *bbolt.Tx, id string) (*doorstep.Officer, error) {
	var o doorstep.Officer
	ok, err := get(tx.Bucket(bucketOfficers), []byte(id), &o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("officer")
	}
	return &o, nil
}

// Officer returns one officer, ENOTFOUND when unknown.
func (db *DB) Officer(ctx context.Context, id string) (*doorstep.Officer, error) {
	var o *doorstep.Officer
	err := db.view(ctx, "officer", func(tx *bbolt.Tx) (err error) {
		o, err = getOfficer(tx, id)
		return err
	})
	return o, err
}

// Officers lists every officer in creation order (their IDs are time ordered).
func (db *DB) Officers(ctx context.Context) ([]*doorstep.Officer, error) {
	var out []*doorstep.Officer
	err := db.view(ctx, "officers", func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketOfficers).ForEach(func(_, v []byte) error {
			o := new(doorstep.Officer)
			if err := json.Unmarshal(v, o); err != nil {
				return err
			}
			out = append(out, o)
			return nil
		})
	})
	return out, err
}

// Summary reads the officer's aggregates. Issued counts the issuances the
// store holds that are not voided; Responses all feedback on the officer's
// codes, linked or not (feedback on a code voided after it was answered
// included); Unlinked the feedback whose issuance has not synced.
func (db *DB) Summary(ctx context.Context, officerID string) (*doorstep.Summary, error) {
	var c counts
	err := db.view(ctx, "summary", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOfficers).Get([]byte(officerID)) == nil {
			return notFound("officer")
		}
		return c.decode(tx.Bucket(bucketSummaries).Get([]byte(officerID)))
	})
	if err != nil {
		return nil, err
	}
	return c.summary(), nil
}

// DayStats are one officer's figures for one day (UTC) of visits: issuances by
// the day they were issued, feedback by the day of the visit it rates.
type DayStats struct {
	Day        time.Time `json:"day"` // midnight UTC
	Issued     int       `json:"issued"`
	Responses  int       `json:"responses"`
	MeanRating *float64  `json:"mean_rating"`
	Ratings    [5]int    `json:"ratings"` // Ratings[0] counts rating 1
}

// Daily returns the officer's per-day aggregates for the days in [from, to),
// oldest first, leaving out days with nothing. It reads the per-day
// aggregates kept on write, for the dashboard's charts. A zero from or to
// leaves that end open. ENOTFOUND for an unknown officer.
func (db *DB) Daily(ctx context.Context, officerID string, from, to time.Time) ([]DayStats, error) {
	var out []DayStats
	err := db.view(ctx, "daily", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOfficers).Get([]byte(officerID)) == nil {
			return notFound("officer")
		}
		prefix := prefixKey(officerID)
		start := prefix
		if !from.IsZero() {
			start = dailyKey(officerID, from)
		}
		var end []byte
		if !to.IsZero() {
			end = dailyKey(officerID, to)
		}
		c := tx.Bucket(bucketDaily).Cursor()
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if end != nil && bytes.Compare(k, end) >= 0 {
				break
			}
			day, err := time.Parse(dayFormat, string(k[len(prefix):]))
			if err != nil {
				return err
			}
			var n counts
			if err := n.decode(v); err != nil {
				return err
			}
			if n.Issued == 0 && n.Responses == 0 {
				continue
			}
			out = append(out, DayStats{Day: day, Issued: n.Issued, Responses: n.Responses, MeanRating: n.mean(), Ratings: n.Ratings})
		}
		return nil
	})
	return out, err
}

// CreatePairingCode stores a new code for an existing officer. CreatedAt is
// set when zero; ExpiresAt is required.
func (db *DB) CreatePairingCode(ctx context.Context, pc *doorstep.PairingCode) error {
	if pc == nil || pc.Code == "" || pc.ExpiresAt.IsZero() {
		return doorstep.Errorf(doorstep.EINVALID, "a pairing code needs a code and an expiry")
	}
	rec := *pc
	rec.UsedAt = nil
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = db.opts.Now().UTC()
	}
	err := db.write(ctx, "create pairing code", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOfficers).Get([]byte(rec.OfficerID)) == nil {
			return notFound("officer")
		}
		codes := tx.Bucket(bucketPairing)
		if codes.Get([]byte(rec.Code)) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "pairing code already exists")
		}
		return put(codes, []byte(rec.Code), &rec)
	})
	if err == nil {
		*pc = rec
	}
	return err
}

// Pair redeems code and stores d as a new device with the next device ID
// (1, 2, 3…), in one transaction.
func (db *DB) Pair(ctx context.Context, code string, now time.Time, d *doorstep.Device) (*doorstep.Officer, error) {
	if d == nil {
		return nil, doorstep.Errorf(doorstep.EINVALID, "no device to pair")
	}
	var (
		officer *doorstep.Officer
		dev     doorstep.Device
	)
	err := db.write(ctx, "pair", func(tx *bbolt.Tx) error {
		codes := tx.Bucket(bucketPairing)
		var pc doorstep.PairingCode
		ok, err := get(codes, []byte(code), &pc)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return notFound("pairing code")
		case pc.UsedAt != nil:
			return doorstep.Errorf(doorstep.ECONFLICT, "pairing code has already been used")
		case !now.Before(pc.ExpiresAt):
			return doorstep.Errorf(doorstep.EEXPIRED, "pairing code has expired")
		}
		if officer, err = getOfficer(tx, pc.OfficerID); err != nil {
			return err
		}
		devices := tx.Bucket(bucketDevices)
		seq, err := devices.NextSequence()
		if err != nil {
			return err
		}
		if seq > math.MaxUint32 {
			return doorstep.Errorf(doorstep.EUNAVAILABLE, "device ids exhausted")
		}
		used := now
		pc.UsedAt = &used
		if err := put(codes, []byte(code), &pc); err != nil {
			return err
		}
		dev = *d
		dev.ID, dev.OfficerID, dev.PairedAt = uint32(seq), pc.OfficerID, now
		dev.LastSyncAt, dev.RevokedAt, dev.LastMutationID = nil, nil, 0
		if err := putDevice(tx, &dev); err != nil {
			return err
		}
		return tx.Bucket(bucketOfficerDevs).Put(officerDevKey(dev.OfficerID, dev.ID), nil)
	})
	if err != nil {
		return nil, err
	}
	*d = dev
	return officer, nil
}

// Device returns one device with its credential hash and sealed key.
func (db *DB) Device(ctx context.Context, id uint32) (*doorstep.Device, error) {
	var d *doorstep.Device
	err := db.view(ctx, "device", func(tx *bbolt.Tx) (err error) {
		d, err = getDevice(tx, id)
		return err
	})
	return d, err
}

// Devices lists an officer's devices by ID. ENOTFOUND for an unknown officer.
func (db *DB) Devices(ctx context.Context, officerID string) ([]*doorstep.Device, error) {
	var out []*doorstep.Device
	err := db.view(ctx, "devices", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOfficers).Get([]byte(officerID)) == nil {
			return notFound("officer")
		}
		prefix := prefixKey(officerID)
		c := tx.Bucket(bucketOfficerDevs).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			d, err := getDevice(tx, parseU32(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// RevokeDevice marks the device revoked and puts the revocation in its feed.
// Revoking again changes nothing and returns the device as first revoked.
func (db *DB) RevokeDevice(ctx context.Context, id uint32, now time.Time) (*doorstep.Device, error) {
	var out *doorstep.Device
	err := db.write(ctx, "revoke device", func(tx *bbolt.Tx) error {
		d, err := getDevice(tx, id)
		if err != nil {
			return err
		}
		out = d
		if d.Revoked() {
			return nil
		}
		at := now
		d.RevokedAt = &at
		if err := putDevice(tx, d); err != nil {
			return err
		}
		raw, err := json.Marshal(d) // the Device JSON form leaves the secrets out
		if err != nil {
			return err
		}
		_, err = appendChange(tx, doorstep.ChangeRevocation, raw, d.ID, false)
		return err
	})
	return out, err
}
