package bolt

import (
	"context"
	"encoding/json"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// CreateSession stores a dashboard session under its ID hash.
func (db *DB) CreateSession(ctx context.Context, s *doorstep.Session) error {
	if s == nil || len(s.IDHash) == 0 || s.Username == "" || s.ExpiresAt.IsZero() {
		return doorstep.Errorf(doorstep.EINVALID, "a session needs an id hash, a username and an expiry")
	}
	rec := *s
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = db.opts.Now().UTC()
	}
	err := db.write(ctx, "create session", func(tx *bbolt.Tx) error {
		return put(tx.Bucket([]byte(bucketSessions)), rec.IDHash, &rec)
	})
	if err == nil {
		*s = rec
	}
	return err
}

// Session returns a live session, ENOTFOUND when missing or expired at now.
func (db *DB) Session(ctx context.Context, idHash []byte, now time.Time) (*doorstep.Session, error) {
	s := new(doorstep.Session)
	err := db.view(ctx, "session", func(tx *bbolt.Tx) error {
		ok, err := get(tx.Bucket([]byte(bucketSessions)), idHash, s)
		if err == nil && (!ok || !now.Before(s.ExpiresAt)) {
			err = notFound("session")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DeleteSession removes a session (signing out).
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	return db.write(ctx, "delete session", func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketSessions)).Delete(idHash)
	})
}

// PurgeSessions deletes the sessions expired at now.
func (db *DB) PurgeSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.write(ctx, "purge sessions", func(tx *bbolt.Tx) error {
		n = 0
		b := tx.Bucket([]byte(bucketSessions))
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var s struct {
				ExpiresAt time.Time `json:"expires_at"`
			}
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			if !now.Before(s.ExpiresAt) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}
