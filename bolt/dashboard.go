package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	bbolt "go.etcd.io/bbolt"
)

// Dashboard buckets (doc.go has the layout). Scope keys name the force
// ("*"), a borough ("b" 0x1f borough) or a team ("t" 0x1f borough 0x1f
// team); officers use the per-officer buckets kept already (summaries,
// daily, officer_feedback), except in alerts, where "o" 0x1f officer ID.
const (
	bucketScopeSummaries = "scope_summaries"
	bucketScopeDaily     = "scope_daily"
	bucketScopeFeedback  = "scope_feedback"
	bucketAlerts         = "alerts"
	bucketFlags          = "flags"
	bucketOfficerFlags   = "officer_flags"
	bucketSessions       = "sessions"
)

// keyDashboard is the meta key saying the scope aggregates have been built
// from the per-officer ones (a store made before them is backfilled once).
const keyDashboard = "dashboard"

func dashboardBuckets() [][]byte {
	return [][]byte{[]byte(bucketScopeSummaries), []byte(bucketScopeDaily), []byte(bucketScopeFeedback), []byte(bucketAlerts),
		[]byte(bucketFlags), []byte(bucketOfficerFlags), []byte(bucketSessions)}
}

const (
	scopeForce = "*"
	scopeSep   = "\x1f"
)

func boroughKey(b string) string       { return "b" + scopeSep + b }
func teamKey(b, t string) string       { return "t" + scopeSep + b + scopeSep + t }
func officerScopeKey(id string) string { return "o" + scopeSep + id }

// scopeKeys are the aggregate scopes an officer's figures count in: the
// force, the borough and (when the officer has one) the team.
func scopeKeys(o *doorstep.Officer) []string {
	keys := []string{scopeForce, boroughKey(o.Borough)}
	if o.Team != "" {
		keys = append(keys, teamKey(o.Borough, o.Team))
	}
	return keys
}

// scopeKeyOf is the aggregate key of a borough, team or force scope.
func scopeKeyOf(s doorstep.Scope) string {
	switch {
	case s.Team != "":
		return teamKey(s.Borough, s.Team)
	case s.Borough != "":
		return boroughKey(s.Borough)
	}
	return scopeForce
}

// officerCache reads officers once per transaction.
type officerCache map[string]*doorstep.Officer

func (c officerCache) get(tx *bbolt.Tx, id string) (*doorstep.Officer, error) {
	if o, ok := c[id]; ok {
		return o, nil
	}
	o, err := getOfficer(tx, id)
	if err != nil {
		return nil, err
	}
	c[id] = o
	return o, nil
}

// flushDashboard carries a write's per-officer aggregate changes up to the
// borough, team and force aggregates, and indexes its new feedback by scope
// (and, for low ratings, as alerts). aggDelta.flush calls it, so it runs in
// the transaction of the feedback or push that caused the change.
func (a *aggDelta) flushDashboard(tx *bbolt.Tx) error {
	officers := officerCache{}
	sums := map[string]*counts{}
	add := func(m map[string]*counts, k string, d *counts) {
		c := m[k]
		if c == nil {
			c = new(counts)
			m[k] = c
		}
		c.add(*d)
	}
	for id, d := range a.officers {
		if d.zero() {
			continue
		}
		o, err := officers.get(tx, id)
		if err != nil {
			return err
		}
		for _, k := range scopeKeys(o) {
			add(sums, k, d)
		}
	}
	days := map[string]*counts{}
	for k, d := range a.days {
		if d.zero() {
			continue
		}
		i := strings.LastIndexByte(k, 0)
		o, err := officers.get(tx, k[:i])
		if err != nil {
			return err
		}
		for _, sk := range scopeKeys(o) {
			add(days, string(prefixKey(sk))+k[i+1:], d)
		}
	}
	if err := flushCounts(tx.Bucket([]byte(bucketScopeSummaries)), sums); err != nil {
		return err
	}
	if err := flushCounts(tx.Bucket([]byte(bucketScopeDaily)), days); err != nil {
		return err
	}
	for _, f := range a.fresh {
		o, err := officers.get(tx, f.OfficerID)
		if err != nil {
			return err
		}
		if err := indexFeedback(tx, o, f); err != nil {
			return err
		}
	}
	return nil
}

// indexFeedback adds f to its scopes' feedback indexes and, when it is a
// low rating not yet reviewed, to the alerts.
func indexFeedback(tx *bbolt.Tx, o *doorstep.Officer, f *doorstep.Feedback) error {
	sf := tx.Bucket([]byte(bucketScopeFeedback))
	for _, k := range scopeKeys(o) {
		if err := sf.Put(officerFbKey(k, f.ReceivedAt, f.Token), nil); err != nil {
			return err
		}
	}
	return setAlert(tx, o, f, f.Rating <= doorstep.AlertMaxRating && !f.Reviewed)
}

func setAlert(tx *bbolt.Tx, o *doorstep.Officer, f *doorstep.Feedback, on bool) error {
	al := tx.Bucket([]byte(bucketAlerts))
	for _, k := range append(scopeKeys(o), officerScopeKey(o.ID)) {
		key := officerFbKey(k, f.ReceivedAt, f.Token)
		var err error
		if on {
			err = al.Put(key, nil)
		} else {
			err = al.Delete(key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// initDashboard creates the dashboard's buckets and, in a store written
// before they existed, builds them once from the per-officer aggregates and
// the feedback.
func initDashboard(tx *bbolt.Tx) error {
	for _, name := range dashboardBuckets() {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get([]byte(keyDashboard)) != nil {
		return nil
	}
	a := aggDelta{officers: map[string]*counts{}, days: map[string]*counts{}}
	err := tx.Bucket(bucketSummaries).ForEach(func(k, v []byte) error {
		c := new(counts)
		a.officers[string(k)] = c
		return c.decode(v)
	})
	if err != nil {
		return err
	}
	err = tx.Bucket(bucketDaily).ForEach(func(k, v []byte) error {
		c := new(counts)
		a.days[string(k)] = c
		return c.decode(v)
	})
	if err != nil {
		return err
	}
	err = tx.Bucket(bucketFeedback).ForEach(func(_, v []byte) error {
		f := new(doorstep.Feedback)
		a.fresh = append(a.fresh, f)
		return json.Unmarshal(v, f)
	})
	if err != nil {
		return err
	}
	if err := a.flushDashboard(tx); err != nil {
		return err
	}
	return meta.Put([]byte(keyDashboard), []byte("1"))
}

func checkScope(s doorstep.Scope) error {
	if !s.Valid() {
		return doorstep.Errorf(doorstep.EINVALID, "a team needs its borough")
	}
	return nil
}

// ScopeStats reads a scope's aggregates.
func (db *DB) ScopeStats(ctx context.Context, scope doorstep.Scope) (doorstep.Stats, error) {
	var c counts
	if err := checkScope(scope); err != nil {
		return doorstep.Stats{}, err
	}
	err := db.view(ctx, "scope stats", func(tx *bbolt.Tx) error {
		if scope.OfficerID != "" {
			if tx.Bucket(bucketOfficers).Get([]byte(scope.OfficerID)) == nil {
				return notFound("officer")
			}
			return c.decode(tx.Bucket(bucketSummaries).Get([]byte(scope.OfficerID)))
		}
		return c.decode(tx.Bucket([]byte(bucketScopeSummaries)).Get([]byte(scopeKeyOf(scope))))
	})
	return c.stats(), err
}

func (c *counts) stats() doorstep.Stats {
	return doorstep.Stats{Issued: c.Issued, Responses: c.Responses, Unlinked: c.Unlinked, RatingSum: c.RatingSum, Ratings: c.Ratings}
}

// ScopeDaily reads a scope's per-day aggregates for [from, to).
func (db *DB) ScopeDaily(ctx context.Context, scope doorstep.Scope, from, to time.Time) ([]doorstep.DayStats, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	var out []doorstep.DayStats
	err := db.view(ctx, "scope daily", func(tx *bbolt.Tx) error {
		out = nil
		b, key := tx.Bucket([]byte(bucketScopeDaily)), scopeKeyOf(scope)
		if scope.OfficerID != "" {
			if tx.Bucket(bucketOfficers).Get([]byte(scope.OfficerID)) == nil {
				return notFound("officer")
			}
			b, key = tx.Bucket(bucketDaily), scope.OfficerID
		}
		prefix := prefixKey(key)
		start := prefix
		if !from.IsZero() {
			start = dailyKey(key, from)
		}
		var end []byte
		if !to.IsZero() {
			end = dailyKey(key, to)
		}
		c := b.Cursor()
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
			out = append(out, doorstep.DayStats{Day: day, Stats: n.stats()})
		}
		return nil
	})
	return out, err
}

// Groups lists every borough and team with its figures and its number of
// officers.
func (db *DB) Groups(ctx context.Context) ([]doorstep.GroupStats, error) {
	var out []doorstep.GroupStats
	err := db.view(ctx, "groups", func(tx *bbolt.Tx) error {
		type gk struct{ b, t string }
		groups := map[gk]*doorstep.GroupStats{}
		group := func(b, t string) *doorstep.GroupStats {
			g := groups[gk{b, t}]
			if g == nil {
				g = &doorstep.GroupStats{Borough: b, Team: t}
				groups[gk{b, t}] = g
			}
			return g
		}
		err := tx.Bucket(bucketOfficers).ForEach(func(_, v []byte) error {
			var o struct{ Borough, Team string }
			if err := json.Unmarshal(v, &o); err != nil {
				return err
			}
			group(o.Borough, "").Officers++
			if o.Team != "" {
				group(o.Borough, o.Team).Officers++
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket([]byte(bucketScopeSummaries)).ForEach(func(k, v []byte) error {
			parts := strings.Split(string(k), scopeSep)
			var g *doorstep.GroupStats
			switch {
			case len(parts) == 2 && parts[0] == "b":
				g = group(parts[1], "")
			case len(parts) == 3 && parts[0] == "t":
				g = group(parts[1], parts[2])
			default:
				return nil
			}
			var c counts
			if err := c.decode(v); err != nil {
				return err
			}
			g.Stats = c.stats()
			return nil
		})
		if err != nil {
			return err
		}
		out = make([]doorstep.GroupStats, 0, len(groups))
		for _, g := range groups {
			out = append(out, *g)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Borough != out[j].Borough {
				return out[i].Borough < out[j].Borough
			}
			return out[i].Team < out[j].Team
		})
		return nil
	})
	return out, err
}

// OfficerStats lists every officer in scope with its figures, in creation
// order.
func (db *DB) OfficerStats(ctx context.Context, scope doorstep.Scope) ([]doorstep.OfficerStats, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	var out []doorstep.OfficerStats
	err := db.view(ctx, "officer stats", func(tx *bbolt.Tx) error {
		out = nil
		sums := tx.Bucket(bucketSummaries)
		one := func(o *doorstep.Officer) error {
			var c counts
			if err := c.decode(sums.Get([]byte(o.ID))); err != nil {
				return err
			}
			out = append(out, doorstep.OfficerStats{Officer: o, Stats: c.stats()})
			return nil
		}
		if scope.OfficerID != "" {
			o, err := getOfficer(tx, scope.OfficerID)
			if err != nil {
				return err
			}
			return one(o)
		}
		return tx.Bucket(bucketOfficers).ForEach(func(_, v []byte) error {
			o := new(doorstep.Officer)
			if err := json.Unmarshal(v, o); err != nil {
				return err
			}
			if scope.Borough != "" && o.Borough != scope.Borough || scope.Team != "" && o.Team != scope.Team {
				return nil
			}
			return one(o)
		})
	})
	return out, err
}

// EachFeedback walks a scope's feedback index newest first.
func (db *DB) EachFeedback(ctx context.Context, scope doorstep.Scope, filter doorstep.FeedbackFilter, fn func(*doorstep.Feedback) error) error {
	if err := checkScope(scope); err != nil {
		return err
	}
	return db.view(ctx, "scope feedback", func(tx *bbolt.Tx) error {
		b, key := tx.Bucket([]byte(bucketScopeFeedback)), scopeKeyOf(scope)
		if scope.OfficerID != "" {
			if tx.Bucket(bucketOfficers).Get([]byte(scope.OfficerID)) == nil {
				return notFound("officer")
			}
			b, key = tx.Bucket(bucketOfficerFb), scope.OfficerID
		}
		n := 0
		return walkNewest(tx, b, key, filter.From, filter.To, func(f *doorstep.Feedback) (bool, error) {
			if err := ctx.Err(); err != nil {
				return false, doorstep.Errorf(doorstep.EUNAVAILABLE, "request cancelled: %v", err)
			}
			if filter.MinRating > 0 && f.Rating < filter.MinRating || filter.MaxRating > 0 && f.Rating > filter.MaxRating {
				return true, nil
			}
			if err := fn(f); err != nil {
				return false, err
			}
			n++
			return filter.Limit <= 0 || n < filter.Limit, nil
		})
	})
}

// walkNewest calls fn with the feedback an index (key + 0 + receive time +
// token) names under key, received in [from, to), newest first, while fn
// says to go on.
func walkNewest(tx *bbolt.Tx, index *bbolt.Bucket, key string, from, to time.Time, fn func(*doorstep.Feedback) (bool, error)) error {
	prefix := prefixKey(key)
	lo := prefix
	if !from.IsZero() {
		lo = append(prefixKey(key), timeBytes(from)...)
	}
	hi := append([]byte(key), 1) // just past every key+0 entry
	if !to.IsZero() {
		hi = append(prefixKey(key), timeBytes(to)...)
	}
	fbs := tx.Bucket(bucketFeedback)
	c := index.Cursor()
	k, _ := c.Seek(hi)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, lo) >= 0; k, _ = c.Prev() {
		f := new(doorstep.Feedback)
		ok, err := get(fbs, k[len(k)-8:], f)
		if err != nil {
			return err
		}
		if !ok {
			return doorstep.Errorf(doorstep.EINTERNAL, "feedback index names missing feedback")
		}
		more, err := fn(f)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Alerts lists unreviewed low ratings in scope, newest first.
func (db *DB) Alerts(ctx context.Context, scope doorstep.Scope, limit int) ([]*doorstep.Feedback, error) {
	if err := checkScope(scope); err != nil {
		return nil, err
	}
	var out []*doorstep.Feedback
	err := db.view(ctx, "alerts", func(tx *bbolt.Tx) error {
		out = nil
		key := scopeKeyOf(scope)
		if scope.OfficerID != "" {
			if tx.Bucket(bucketOfficers).Get([]byte(scope.OfficerID)) == nil {
				return notFound("officer")
			}
			key = officerScopeKey(scope.OfficerID)
		}
		return walkNewest(tx, tx.Bucket([]byte(bucketAlerts)), key, time.Time{}, time.Time{}, func(f *doorstep.Feedback) (bool, error) {
			out = append(out, f)
			return limit <= 0 || len(out) < limit, nil
		})
	})
	return out, err
}

// MarkReviewed sets the feedback's Reviewed mark and its alerts with it.
func (db *DB) MarkReviewed(ctx context.Context, ref doorstep.TokenRef, reviewed bool) (*doorstep.Feedback, error) {
	var out *doorstep.Feedback
	err := db.write(ctx, "mark reviewed", func(tx *bbolt.Tx) error {
		out = nil
		fbs := tx.Bucket(bucketFeedback)
		f := new(doorstep.Feedback)
		ok, err := get(fbs, refKey(ref), f)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("feedback")
		}
		out = f
		if f.Reviewed == reviewed {
			return nil
		}
		f.Reviewed = reviewed
		if err := put(fbs, refKey(ref), f); err != nil {
			return err
		}
		if f.Rating > doorstep.AlertMaxRating {
			return nil
		}
		o, err := getOfficer(tx, f.OfficerID)
		if err != nil {
			return err
		}
		return setAlert(tx, o, f, !reviewed)
	})
	return out, err
}

// AddFlag stores a flag and indexes it by officer.
func (db *DB) AddFlag(ctx context.Context, f *doorstep.Flag) error {
	if f == nil || f.Kind != doorstep.FlagRecognition && f.Kind != doorstep.FlagCoaching {
		return doorstep.Errorf(doorstep.EINVALID, "a flag is for %s or %s", doorstep.FlagRecognition, doorstep.FlagCoaching)
	}
	if f.By == "" {
		return doorstep.Errorf(doorstep.EINVALID, "a flag needs who raised it")
	}
	if !utf8.ValidString(f.Note) || utf8.RuneCountInString(f.Note) > doorstep.MaxFlagNote {
		return doorstep.Errorf(doorstep.EINVALID, "a flag's note is UTF-8 text of at most %d characters", doorstep.MaxFlagNote)
	}
	rec := *f
	if rec.At.IsZero() {
		rec.At = db.opts.Now().UTC()
	}
	rec.ID = doorstep.NewID(rec.At)
	if rec.Feedback != nil {
		ref := *rec.Feedback
		rec.Feedback = &ref
	}
	err := db.write(ctx, "add flag", func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOfficers).Get([]byte(rec.OfficerID)) == nil {
			return notFound("officer")
		}
		if rec.Feedback != nil {
			var fb doorstep.Feedback
			ok, err := get(tx.Bucket(bucketFeedback), refKey(*rec.Feedback), &fb)
			if err != nil {
				return err
			}
			if !ok || fb.OfficerID != rec.OfficerID {
				return notFound("feedback")
			}
		}
		flags := tx.Bucket([]byte(bucketFlags))
		flags.FillPercent = appendFill
		if err := put(flags, []byte(rec.ID), &rec); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketOfficerFlags)).Put(append(prefixKey(rec.OfficerID), rec.ID...), nil)
	})
	if err == nil {
		*f = rec
	}
	return err
}

// Flags lists flags newest first.
func (db *DB) Flags(ctx context.Context, officerID string, limit int) ([]*doorstep.Flag, error) {
	var out []*doorstep.Flag
	err := db.view(ctx, "flags", func(tx *bbolt.Tx) error {
		out = nil
		flags := tx.Bucket([]byte(bucketFlags))
		one := func(id []byte) (bool, error) {
			f := new(doorstep.Flag)
			ok, err := get(flags, id, f)
			if err != nil || !ok {
				return false, err
			}
			out = append(out, f)
			return limit <= 0 || len(out) < limit, nil
		}
		if officerID == "" {
			c := flags.Cursor()
			for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
				if more, err := one(k); err != nil || !more {
					return err
				}
			}
			return nil
		}
		if tx.Bucket(bucketOfficers).Get([]byte(officerID)) == nil {
			return notFound("officer")
		}
		prefix := prefixKey(officerID)
		c := tx.Bucket([]byte(bucketOfficerFlags)).Cursor()
		k, _ := c.Seek(append([]byte(officerID), 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if more, err := one(k[len(prefix):]); err != nil || !more {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DeleteFlag removes a flag and its index entry.
func (db *DB) DeleteFlag(ctx context.Context, id string) error {
	return db.write(ctx, "delete flag", func(tx *bbolt.Tx) error {
		flags := tx.Bucket([]byte(bucketFlags))
		var f doorstep.Flag
		ok, err := get(flags, []byte(id), &f)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("flag")
		}
		if err := flags.Delete([]byte(id)); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketOfficerFlags)).Delete(append(prefixKey(f.OfficerID), f.ID...))
	})
}
