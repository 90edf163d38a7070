package bolt

import (
	"context"
	"encoding/json"
	"strings"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// CreateAccount stores a dashboard account, assigning ID and CreatedAt.
// Usernames are compared exactly. EINVALID without a username or with an
// unknown role, ECONFLICT when the username is taken.
func (db *DB) CreateAccount(ctx context.Context, a *doorstep.Account) error {
	if a == nil || strings.TrimSpace(a.Username) == "" {
		return doorstep.Errorf(doorstep.EINVALID, "an account needs a username")
	}
	if a.Role != doorstep.RoleAdmin && a.Role != doorstep.RoleTrainer {
		return doorstep.Errorf(doorstep.EINVALID, "role must be %s or %s", doorstep.RoleAdmin, doorstep.RoleTrainer)
	}
	rec := accountRec{Account: *a, Hash: a.PasswordHash}
	if rec.ID == "" {
		rec.ID = doorstep.NewID(db.opts.Now())
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = db.opts.Now().UTC()
	}
	err := db.write(ctx, "create account", func(tx *bbolt.Tx) error {
		accounts := tx.Bucket(bucketAccounts)
		if accounts.Get([]byte(rec.Username)) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "username %q is taken", rec.Username)
		}
		return put(accounts, []byte(rec.Username), &rec)
	})
	if err == nil {
		*a = rec.Account
	}
	return err
}

// AccountByUsername returns an account with its password hash, ENOTFOUND when
// there is none.
func (db *DB) AccountByUsername(ctx context.Context, username string) (*doorstep.Account, error) {
	var rec accountRec
	err := db.view(ctx, "account", func(tx *bbolt.Tx) error {
		ok, err := get(tx.Bucket(bucketAccounts), []byte(username), &rec)
		if err == nil && !ok {
			err = notFound("account")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	a := rec.Account
	a.PasswordHash = rec.Hash
	return &a, nil
}

// AppendAudit appends an entry, assigning Seq (increasing) and At when zero.
func (db *DB) AppendAudit(ctx context.Context, e *doorstep.AuditEntry) error {
	if e == nil || e.Actor == "" || e.Action == "" {
		return doorstep.Errorf(doorstep.EINVALID, "an audit entry needs an actor and an action")
	}
	rec := *e
	if rec.At.IsZero() {
		rec.At = db.opts.Now().UTC()
	}
	var out doorstep.AuditEntry
	err := db.write(ctx, "append audit", func(tx *bbolt.Tx) error {
		audit := tx.Bucket(bucketAudit)
		audit.FillPercent = appendFill
		seq, err := audit.NextSequence()
		if err != nil {
			return err
		}
		out = rec
		out.Seq = seq
		return put(audit, u64(seq), &out)
	})
	if err == nil {
		*e = out
	}
	return err
}

// Audit lists the newest limit entries, newest first; all of them when limit
// is zero or less.
func (db *DB) Audit(ctx context.Context, limit int) ([]*doorstep.AuditEntry, error) {
	var out []*doorstep.AuditEntry
	err := db.view(ctx, "audit", func(tx *bbolt.Tx) error {
		out = nil
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			e := new(doorstep.AuditEntry)
			if err := json.Unmarshal(v, e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
