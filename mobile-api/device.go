package mobileapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// stateFile is the one file a device keeps in its state directory.
const stateFile = "device.db"

// Defaults of Options.
const (
	DefaultRequestTimeoutMillis = 15_000
	DefaultMaxAttempts          = 5
	DefaultInitialBackoffMillis = 500
	DefaultMaxBackoffMillis     = 8_000
	DefaultSyncTimeoutMillis    = 120_000
	DefaultLockTimeoutMillis    = 2_000
)

// Options tunes a Device. A zero field takes its default.
type Options struct {
	// RequestTimeoutMillis bounds one HTTP request, answer included, so that a
	// stalled server never hangs the device.
	RequestTimeoutMillis int64
	// MaxAttempts bounds the tries of one request on network errors and 5xx
	// answers. A 4xx answer is never retried.
	MaxAttempts int
	// InitialBackoffMillis is the wait before the first retry; each retry doubles
	// it, up to MaxBackoffMillis, and a random jitter spreads devices apart.
	InitialBackoffMillis int64
	MaxBackoffMillis     int64
	// SyncTimeoutMillis bounds a whole Sync, retries included.
	SyncTimeoutMillis int64
	// LockTimeoutMillis bounds the wait for the state file while another process
	// has it open.
	LockTimeoutMillis int64
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&r.RequestTimeoutMillis, DefaultRequestTimeoutMillis)
	def(&r.InitialBackoffMillis, DefaultInitialBackoffMillis)
	def(&r.MaxBackoffMillis, DefaultMaxBackoffMillis)
	def(&r.SyncTimeoutMillis, DefaultSyncTimeoutMillis)
	def(&r.LockTimeoutMillis, DefaultLockTimeoutMillis)
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.MaxBackoffMillis < r.InitialBackoffMillis {
		r.MaxBackoffMillis = r.InitialBackoffMillis
	}
	return r
}

func millis(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// Device is one paired (or not yet paired) officer's device and its local state.
// Its methods are safe for concurrent use; one Sync runs at a time.
type Device struct {
	db     *bolt.DB
	opts   Options
	now    func() time.Time // the device's wall clock; tests skew it
	client *http.Client
	// pushBatch and pullLimit size push batches and pull pages (tests make
	// them small to cross many batch boundaries with few issues).
	pushBatch, pullLimit int

	syncMu sync.Mutex // held for a whole Sync or Pair

	cancelMu sync.Mutex
	cancel   context.CancelFunc // of the running Sync, nil when none

	leaflets leafletCache

	autoMu sync.Mutex
	auto   *autoSync // the background sync loop, nil when none
}

// Open opens (creating it when missing, mode 0700) the state directory with
// the default Options.
func Open(stateDir string) (*Device, error) {
	return OpenWithOptions(stateDir, nil)
}

// OpenWithOptions opens the state directory with opts (nil for the defaults).
// Only one process may have a state directory open: another gets a clear error
// after LockTimeoutMillis.
func OpenWithOptions(stateDir string, opts *Options) (*Device, error) {
	if stateDir == "" {
		return nil, doorstep.Errorf(doorstep.EINVALID, "no state directory given")
	}
	o := opts.withDefaults()
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	path := filepath.Join(stateDir, stateFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: millis(o.LockTimeoutMillis)})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, doorstep.Errorf(doorstep.EUNAVAILABLE, "the device state in %s is in use by another process", stateDir)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the device state %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets() {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		meta := bucket(tx, bucketMeta)
		switch v := string(meta.Get([]byte(keySchema))); v {
		case "":
			return meta.Put([]byte(keySchema), []byte(schemaVersion))
		case schemaVersion:
			return nil
		default:
			return doorstep.Errorf(doorstep.EINVALID, "the device state %s has schema %q, this version knows %q: update the app", path, v, schemaVersion)
		}
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Device{
		db:        db,
		opts:      o,
		now:       time.Now,
		pushBatch: dsync.MaxPushMutations,
		pullLimit: dsync.MaxPullLimit,
		client: &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			// A redirect would turn a push into a GET: report it instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Close stops the background sync, cancels a running Sync and closes the state
// file.
func (d *Device) Close() error {
	d.StopAutoSync()
	d.CancelSync()
	d.client.CloseIdleConnections()
	return d.db.Close()
}

// Status is what the device knows about itself.
type Status struct {
	Paired  bool
	Revoked bool
	// DeviceID is the server's numeric device ID, 0 before pairing.
	DeviceID     int64
	DeviceName   string
	ServerURL    string
	PublicURL    string
	OfficerID    string
	OfficerName  string
	CollarNumber string
	Borough      string
	Team         string
	// PairedAt and LastSync are RFC 3339 times, "" when never.
	PairedAt string
	LastSync string
	// Pending counts the outbox mutations the server has not acknowledged yet.
	Pending int
	// Issued counts the codes issued on this device; Synced those the server holds.
	Issued   int
	Synced   int
	Rejected int
	Feedback int
	// LastAckedMutation is the highest mutation ID the server acknowledged.
	LastAckedMutation int64
	TokenValidityDays int
}

// Status reports the device's pairing, officer and outbox.
func (d *Device) Status() (*Status, error) {
	var s Status
	err := d.db.View(func(tx *bolt.Tx) error {
		p, err := loadPairing(tx)
		if err != nil {
			return err
		}
		if p != nil {
			s.Paired = true
			s.DeviceID = int64(p.DeviceID)
			s.DeviceName = p.DeviceName
			s.ServerURL, s.PublicURL = p.ServerURL, p.PublicURL
			s.OfficerID, s.OfficerName = p.Officer.ID, p.Officer.Name
			s.CollarNumber, s.Borough, s.Team = p.Officer.CollarNumber, p.Officer.Borough, p.Officer.Team
			s.PairedAt = p.PairedAt.UTC().Format(time.RFC3339)
			s.TokenValidityDays = p.TokenValidityDays
		}
		r, err := loadRevocation(tx)
		if err != nil {
			return err
		}
		s.Revoked = r != nil
		meta := bucket(tx, bucketMeta)
		s.LastSync = string(meta.Get([]byte(keyLastSync)))
		s.LastAckedMutation = int64(getU64(meta, keyLastAcked))
		s.Pending = bucket(tx, bucketOutbox).Stats().KeyN
		s.Rejected = bucket(tx, bucketRejected).Stats().KeyN
		s.Feedback = bucket(tx, bucketFeedback).Stats().KeyN
		return bucket(tx, bucketIssuances).ForEach(func(_, v []byte) error {
			var is localIssuance
			if err := jsonUnmarshal(v, &is); err != nil {
				return err
			}
			s.Issued++
			if is.Synced {
				s.Synced++
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Paired reports whether the device has paired (revoked or not).
func (d *Device) Paired() (bool, error) {
	var paired bool
	err := d.db.View(func(tx *bolt.Tx) error {
		p, err := loadPairing(tx)
		paired = p != nil
		return err
	})
	return paired, err
}

// PendingCount is the number of outbox mutations not yet acknowledged.
func (d *Device) PendingCount() (int, error) {
	n := 0
	err := d.db.View(func(tx *bolt.Tx) error {
		n = bucket(tx, bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}

// ErrorCode returns the Doorstep error code of err ("revoked", "invalid",
// "unavailable", …; see the doorstep package), "" for nil, so that the app can
// react to a kind of failure without parsing messages.
func ErrorCode(err error) string { return doorstep.ErrorCode(err) }

// ErrorMessage returns err's message as it may be shown to the officer.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *doorstep.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
