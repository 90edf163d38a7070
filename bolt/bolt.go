package bolt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
	bberrors "go.etcd.io/bbolt/errors"
)

// DefaultFileName is the name of the store's file inside a data directory.
const DefaultFileName = "doorstep.db"

// Defaults for Options fields left zero.
const (
	DefaultTimeout       = time.Second
	DefaultMaxBatchSize  = 64
	DefaultMaxBatchDelay = 2 * time.Millisecond
)

// initialMmapSize is the address space mapped at open. bbolt must remap to
// grow past the mapping, and a remap waits for every read transaction to end:
// with a small mapping a long hot backup would stall all writers. Mapping
// 1 GiB up front (address space only: the file grows with its data, in 16 MiB
// steps past the first) makes that rare. It also spares small stores the
// truncate-and-fsync bbolt does on every commit that grows the file.
const initialMmapSize = 1 << 30

// schemaVersion is stored in the meta bucket; Open refuses files of another version.
const schemaVersion = "1"

// Options configure Open. The zero value is ready for production except for
// CheckToken, which a server must set.
type Options struct {
	// Timeout bounds the wait for the file lock that keeps a second process
	// off the same file. Zero means DefaultTimeout (1 s), so that a second
	// "doorstep serve" on the same data dir fails fast with a clear error.
	Timeout time.Duration

	// MaxBatchSize and MaxBatchDelay tune group commit: concurrent writers
	// (feedback submits, pushes, …) share one transaction and one fsync
	// through bbolt's DB.Batch. A batch commits when it holds MaxBatchSize
	// calls or MaxBatchDelay after its first call. A writer that finds no
	// other writer in flight does not batch at all and commits at once, so a
	// lone writer never waits for the delay. Zero means the defaults, 64 and
	// 2 ms. Measured on this project's 2-core VM (fdatasync p50 0.3 ms, p90
	// 2 ms, and a bbolt commit syncs twice) with 64 writers: 20-28k durable
	// submits/s when the machine was quiet, 9-10k under a load average of 7;
	// 1 ms swung between 4k and 17k under load; bbolt's own defaults (1000,
	// 10 ms) gave about 5k, since a batch of 1000 never fills and everyone
	// waits the full delay. A negative MaxBatchSize turns batching off.
	MaxBatchSize  int
	MaxBatchDelay time.Duration

	// NoSync skips fsync on commit. It is for tests and benchmarks only: with
	// it a power cut can lose acknowledged writes or corrupt the file. Never
	// set it in production.
	NoSync bool

	// CheckToken verifies the token text of a pushed issuance with the
	// pushing device's key and returns the reference it names (see
	// sync.TokenChecker). ApplyMutations calls it inside its write
	// transaction, so it must be quick and must not call back into the
	// store. The server sets it; nil accepts any non-empty token text as
	// naming the reference the issuance claims, which is only fit for tests.
	CheckToken func(d *doorstep.Device, text string) (doorstep.TokenRef, error)

	// Now is the clock for times the store assigns itself (CreatedAt of
	// officers and accounts, ReceivedAt of feedback, PublishedAt, audit At)
	// when the caller leaves them zero. Nil means time.Now.
	Now func() time.Time
}

// DB is a doorstep.Store on one bbolt file. It is safe for concurrent use.
type DB struct {
	bdb     *bbolt.DB
	path    string
	opts    Options
	closed  atomic.Bool
	writers atomic.Int32 // write calls in flight, to skip batching when alone
}

var _ doorstep.Store = (*DB)(nil)

// Open opens (creating if needed) the store file at path, and its directory.
// When another process holds the file it fails after opts.Timeout with an
// EUNAVAILABLE error saying that the data dir is in use by another process.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBatchSize == 0 {
		opts.MaxBatchSize = DefaultMaxBatchSize
	}
	if opts.MaxBatchDelay <= 0 {
		opts.MaxBatchDelay = DefaultMaxBatchDelay
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("bolt: creating data dir: %w", err)
	}
	if err := checkLength(path); err != nil {
		return nil, fmt.Errorf("bolt: opening %s: %w", path, err)
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:         opts.Timeout,
		NoSync:          opts.NoSync,
		FreelistType:    bbolt.FreelistMapType,
		InitialMmapSize: initialMmapSize,
	})
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, doorstep.Errorf(doorstep.EUNAVAILABLE,
			"data dir is in use by another process (no lock on %s within %v)", path, opts.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: opening %s: %w", path, err)
	}
	bdb.MaxBatchSize = opts.MaxBatchSize
	bdb.MaxBatchDelay = opts.MaxBatchDelay
	if err := bdb.Update(initBuckets); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("bolt: %s: %w", path, err)
	}
	return &DB{bdb: bdb, path: path, opts: opts}, nil
}

// initBuckets creates the buckets of a new file and checks the schema of an old one.
func initBuckets(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta != nil {
		if v := string(meta.Get([]byte(keySchema))); v != schemaVersion {
			return fmt.Errorf("file has schema version %q, this build reads %q", v, schemaVersion)
		}
	} else if !isEmpty(tx) {
		return errors.New("not a doorstep store (no meta bucket)")
	}
	for _, name := range allBuckets() {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketMeta).Put([]byte(keySchema), []byte(schemaVersion)); err != nil {
		return err
	}
	return initDashboard(tx) // dashboard.go
}

func isEmpty(tx *bbolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// Path is the file the store lives in.
func (db *DB) Path() string { return db.path }

// Ready reports nil while the store is open.
func (db *DB) Ready() error {
	if db.closed.Load() {
		return doorstep.Errorf(doorstep.EUNAVAILABLE, "store is closed")
	}
	return nil
}

// Close waits for running transactions and closes the file. Closing twice is
// harmless.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("bolt: closing: %w", err)
	}
	return nil
}

// usable refuses work on a closed store or a cancelled context.
func (db *DB) usable(ctx context.Context) error {
	if err := db.Ready(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return doorstep.Errorf(doorstep.EUNAVAILABLE, "request cancelled: %v", err)
	}
	return nil
}

// wrap turns a bbolt or encoding failure into an EINTERNAL error (or
// EUNAVAILABLE once the store is closed) and passes domain errors through.
func (db *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *doorstep.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, bberrors.ErrDatabaseNotOpen) || db.closed.Load() {
		return doorstep.Errorf(doorstep.EUNAVAILABLE, "store is closed")
	}
	return fmt.Errorf("bolt: %s: %w", op, err)
}

// view runs fn in a read-only transaction.
func (db *DB) view(ctx context.Context, op string, fn func(tx *bbolt.Tx) error) error {
	if err := db.usable(ctx); err != nil {
		return err
	}
	return db.wrap(op, db.bdb.View(fn))
}

// write runs fn in a read-write transaction. When other writers are in
// flight it joins them through bbolt's Batch so that they share one commit;
// alone it commits at once with Update.
//
// Batch may run fn more than once (when any function of a batch fails, the
// batch's transaction is rolled back and the others are run again, and the
// failing one is run again alone). So fn derives everything from tx and hands
// results to its caller only through variables it overwrites on every run; the
// caller reads them after write returns nil. A domain refusal (*doorstep.Error)
// is returned by fn as an error, which rolls back whatever fn wrote: other
// callers in the batch are re-run without it and do not see the error.
func (db *DB) write(ctx context.Context, op string, fn func(tx *bbolt.Tx) error) error {
	if err := db.usable(ctx); err != nil {
		return err
	}
	var err error
	if db.writers.Add(1) == 1 || db.opts.MaxBatchSize < 0 {
		err = db.bdb.Update(fn)
	} else {
		err = db.bdb.Batch(fn)
	}
	db.writers.Add(-1)
	return db.wrap(op, err)
}

// Backup writes a consistent copy of the whole file to w from a read
// transaction, so writers carry on meanwhile. The copy is a store file:
// Restore (or Open on a copy) reads it back.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.view(ctx, "backup", func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx, w})
		return err
	})
	return n, err
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Restore writes the backup read from r to a new store file at path, checks
// it (page consistency and schema) and only then moves it into place. It
// refuses an existing path, so a live store is never overwritten.
func Restore(r io.Reader, path string) (err error) {
	if _, err := os.Lstat(path); err == nil {
		return doorstep.Errorf(doorstep.ECONFLICT, "%s already exists: restore writes a new store only", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	tmp := path + ".restoring"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bolt: restore: writing %s: %w", tmp, err)
	}
	if err := checkFile(tmp); err != nil {
		return doorstep.Errorf(doorstep.EINVALID, "backup is not a usable doorstep store: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// checkFile opens a store file read-only and verifies its pages and schema.
func checkFile(path string) error {
	if err := checkLength(path); err != nil {
		return err
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: DefaultTimeout})
	if err != nil {
		return err
	}
	defer bdb.Close()
	return bdb.View(func(tx *bbolt.Tx) error {
		var first error
		for err := range tx.Check() { // drain: the checker goroutine writes until done
			if first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get([]byte(keySchema))) != schemaVersion {
			return errors.New("no doorstep schema")
		}
		return nil
	})
}
