package bolt

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// Contact requests live in buckets of their own, apart from feedback, so that
// nothing that reads feedback (listings, exports, the device feed) can reach
// a victim's contact details, and the retention purge touches nothing else.
// The buckets are created by the first request (a store opened before they
// existed needs no migration); readers treat a missing bucket as empty.
//
//	contact_requests  request ID (UUIDv7 of its CreatedAt, so key order is
//	                  creation order) -> ContactRequest
//	contact_tokens    device ID (4) + counter (4) -> request ID (one per code)
const (
	contactRequestsBucket = "contact_requests"
	contactTokensBucket   = "contact_tokens"
)

// maxContactLanguage bounds ContactRequest.Language (a BCP 47 tag).
const maxContactLanguage = 35

// checkContactRequest refuses what the store must never hold.
func checkContactRequest(r *doorstep.ContactRequest) error {
	if r == nil {
		return doorstep.Errorf(doorstep.EINVALID, "no contact request")
	}
	if strings.TrimSpace(r.Phone) == "" && strings.TrimSpace(r.Email) == "" {
		return doorstep.Errorf(doorstep.EINVALID, "a contact request needs a phone number or an email address")
	}
	for _, f := range []struct {
		name, val string
		max       int
	}{
		{"name", r.Name, doorstep.MaxContactName},
		{"phone", r.Phone, doorstep.MaxContactPhone},
		{"email", r.Email, doorstep.MaxContactEmail},
		{"language", r.Language, maxContactLanguage},
	} {
		if !utf8.ValidString(f.val) {
			return doorstep.Errorf(doorstep.EINVALID, "%s is not valid UTF-8", f.name)
		}
		if utf8.RuneCountInString(f.val) > f.max {
			return doorstep.Errorf(doorstep.EINVALID, "%s is over %d characters", f.name, f.max)
		}
	}
	switch r.BestTime {
	case "", doorstep.ContactMorning, doorstep.ContactAfternoon, doorstep.ContactEvening:
	default:
		return doorstep.Errorf(doorstep.EINVALID, "best time must be %s, %s or %s", doorstep.ContactMorning, doorstep.ContactAfternoon, doorstep.ContactEvening)
	}
	switch r.SafeToLeaveMessage {
	case "", doorstep.AnswerYes, doorstep.AnswerNo:
	default:
		return doorstep.Errorf(doorstep.EINVALID, "safe to leave a message is yes or no")
	}
	return nil
}

// CreateContactRequest stores a victim's call-back request: one per code.
func (db *DB) CreateContactRequest(ctx context.Context, r *doorstep.ContactRequest) error {
	if err := checkContactRequest(r); err != nil {
		return err
	}
	in := *r
	in.HandledAt, in.HandledBy = nil, ""
	if in.CreatedAt.IsZero() {
		in.CreatedAt = db.opts.Now()
	}
	in.CreatedAt = in.CreatedAt.UTC()
	in.ID = doorstep.NewID(in.CreatedAt)
	var out doorstep.ContactRequest
	err := db.write(ctx, "create contact request", func(tx *bbolt.Tx) error {
		d, err := getDevice(tx, in.Token.DeviceID)
		if err != nil {
			return err
		}
		reqs, err := tx.CreateBucketIfNotExists([]byte(contactRequestsBucket))
		if err != nil {
			return err
		}
		toks, err := tx.CreateBucketIfNotExists([]byte(contactTokensBucket))
		if err != nil {
			return err
		}
		if toks.Get(refKey(in.Token)) != nil {
			return doorstep.Errorf(doorstep.ECONFLICT, "this code already has a contact request")
		}
		out = in
		out.OfficerID = d.OfficerID
		if err := put(reqs, []byte(out.ID), &out); err != nil {
			return err
		}
		return toks.Put(refKey(out.Token), []byte(out.ID))
	})
	if err == nil {
		*r = out
	}
	return err
}

// ContactRequestFor returns the request made with a code, ENOTFOUND when none.
func (db *DB) ContactRequestFor(ctx context.Context, ref doorstep.TokenRef) (*doorstep.ContactRequest, error) {
	var out *doorstep.ContactRequest
	err := db.view(ctx, "contact request", func(tx *bbolt.Tx) error {
		out = nil
		toks, reqs := tx.Bucket([]byte(contactTokensBucket)), tx.Bucket([]byte(contactRequestsBucket))
		if toks == nil || reqs == nil {
			return notFound("contact request")
		}
		id := toks.Get(refKey(ref))
		if id == nil {
			return notFound("contact request")
		}
		r := new(doorstep.ContactRequest)
		ok, err := get(reqs, id, r)
		if err == nil && !ok {
			err = doorstep.Errorf(doorstep.EINTERNAL, "contact token index names a missing request")
		}
		out = r
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ContactRequests lists requests oldest first: open ones, or all.
func (db *DB) ContactRequests(ctx context.Context, filter doorstep.ContactFilter) ([]*doorstep.ContactRequest, error) {
	var out []*doorstep.ContactRequest
	err := db.view(ctx, "contact requests", func(tx *bbolt.Tx) error {
		out = nil
		reqs := tx.Bucket([]byte(contactRequestsBucket))
		if reqs == nil {
			return nil
		}
		c := reqs.Cursor()
		for k, v := c.First(); k != nil && (filter.Limit <= 0 || len(out) < filter.Limit); k, v = c.Next() {
			r := new(doorstep.ContactRequest)
			if err := json.Unmarshal(v, r); err != nil {
				return err
			}
			if r.Handled() && !filter.IncludeHandled {
				continue
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// MarkContactHandled records who handled a request, and when; the first time stays.
func (db *DB) MarkContactHandled(ctx context.Context, id, by string, now time.Time) (*doorstep.ContactRequest, error) {
	if by == "" {
		return nil, doorstep.Errorf(doorstep.EINVALID, "say who handled the request")
	}
	var out doorstep.ContactRequest
	err := db.write(ctx, "mark contact handled", func(tx *bbolt.Tx) error {
		reqs := tx.Bucket([]byte(contactRequestsBucket))
		if reqs == nil {
			return notFound("contact request")
		}
		var r doorstep.ContactRequest
		ok, err := get(reqs, []byte(id), &r)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("contact request")
		}
		if !r.Handled() {
			at := now.UTC()
			r.HandledAt, r.HandledBy = &at, by
			if err := put(reqs, []byte(id), &r); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// PurgeContactRequests deletes every request created before before, handled
// or not, with its token index entry. It reads keys in creation order and
// stops at the first created after before's millisecond.
func (db *DB) PurgeContactRequests(ctx context.Context, before time.Time) (int, error) {
	var n int
	limit := doorstep.NewID(before.Add(time.Millisecond))[:13] // the millisecond prefix after before's
	err := db.write(ctx, "purge contact requests", func(tx *bbolt.Tx) error {
		n = 0
		reqs, toks := tx.Bucket([]byte(contactRequestsBucket)), tx.Bucket([]byte(contactTokensBucket))
		if reqs == nil || toks == nil {
			return nil
		}
		type entry struct{ key, tok []byte }
		var doomed []entry
		c := reqs.Cursor()
		for k, v := c.First(); k != nil && string(k[:min(len(k), 13)]) < limit; k, v = c.Next() {
			var r doorstep.ContactRequest
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.CreatedAt.Before(before) {
				doomed = append(doomed, entry{append([]byte(nil), k...), refKey(r.Token)})
			}
		}
		for _, d := range doomed { // deleting under a live cursor skips keys: delete after
			if err := reqs.Delete(d.key); err != nil {
				return err
			}
			if id := toks.Get(d.tok); id != nil && string(id) == string(d.key) {
				if err := toks.Delete(d.tok); err != nil {
					return err
				}
			}
		}
		n = len(doomed)
		return nil
	})
	return n, err
}
