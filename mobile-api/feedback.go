package mobileapi

import (
	"encoding/json"
	"sort"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bolt "go.etcd.io/bbolt"
)

// FeedbackItem is one victim's feedback on one of the officer's codes, as
// pulled by Sync. Comment is exactly as the victim wrote it.
type FeedbackItem struct {
	ID      string `json:"id"`
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
	// Answers to the short questions: "yes", "no", "unsure" or "" (not answered).
	Respect  string `json:"respect"`
	Rights   string `json:"rights"`
	Updates  string `json:"updates"`
	Language string `json:"language"`
	// ReceivedAt is when the server received it (RFC 3339); ReceivedAtMillis the
	// same in Unix milliseconds.
	ReceivedAt       string `json:"received_at"`
	ReceivedAtMillis int64  `json:"received_at_ms"`
	// VisitAt is when the code was issued (RFC 3339), from the token.
	VisitAt string `json:"visit_at"`
	// IssuanceID and CrimeRef name the visit when this device issued the code.
	IssuanceID string `json:"issuance_id"`
	CrimeRef   string `json:"crime_ref"`
}

// FeedbackList is the officer's feedback, newest first.
type FeedbackList struct {
	items []*FeedbackItem
}

// Count is the number of items.
func (l *FeedbackList) Count() int { return len(l.items) }

// At returns item i (0 ≤ i < Count), nil out of range.
func (l *FeedbackList) At(i int) *FeedbackItem {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// Feedback lists the officer's feedback received by the last syncs, newest first.
func (d *Device) Feedback() (*FeedbackList, error) {
	items, err := d.feedback()
	if err != nil {
		return nil, err
	}
	return &FeedbackList{items: items}, nil
}

// FeedbackJSON is Feedback as a JSON array of FeedbackItem objects.
func (d *Device) FeedbackJSON() (string, error) {
	items, err := d.feedback()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(items)
	return string(b), err
}

func (d *Device) feedback() ([]*FeedbackItem, error) {
	items := []*FeedbackItem{}
	err := d.db.View(func(tx *bolt.Tx) error {
		p, err := loadPairing(tx)
		if err != nil {
			return err
		}
		issuances, byCounter := bucket(tx, bucketIssuances), bucket(tx, bucketByCounter)
		return bucket(tx, bucketFeedback).ForEach(func(_, v []byte) error {
			var f doorstep.Feedback
			if err := jsonUnmarshal(v, &f); err != nil {
				return err
			}
			it := &FeedbackItem{
				ID: f.ID, Rating: f.Rating, Comment: f.Comment,
				Respect: f.Respect, Rights: f.Rights, Updates: f.Updates, Language: f.Language,
				ReceivedAt: rfc3339(f.ReceivedAt), ReceivedAtMillis: f.ReceivedAt.UnixMilli(),
				VisitAt: rfc3339(f.IssuedAt), IssuanceID: f.IssuanceID,
			}
			id := f.IssuanceID
			if id == "" && p != nil && f.Token.DeviceID == p.DeviceID {
				id = string(byCounter.Get(u64key(uint64(f.Token.Counter))))
			}
			if id != "" {
				var is localIssuance
				if ok, err := getJSON(issuances, id, &is); err != nil {
					return err
				} else if ok {
					it.IssuanceID, it.CrimeRef = is.ID, is.CrimeRef
				}
			}
			items = append(items, it)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].ReceivedAtMillis != items[j].ReceivedAtMillis {
			return items[i].ReceivedAtMillis > items[j].ReceivedAtMillis
		}
		return items[i].ID > items[j].ID
	})
	return items, nil
}

// IssuedItem is one code issued on this device.
type IssuedItem struct {
	ID             string `json:"id"`
	URL            string `json:"url"`
	Counter        int64  `json:"counter"`
	IssuedAt       string `json:"issued_at"`
	ExpiresAt      string `json:"expires_at"`
	CrimeRef       string `json:"crime_ref"`
	Language       string `json:"language"`
	Format         string `json:"format"`
	ContentVersion string `json:"content_version"`
	Voided         bool   `json:"voided"`
	VoidReason     string `json:"void_reason"`
	// Synced is true once the server holds the issue; Rejected says why the
	// server refused it for good.
	Synced   bool   `json:"synced"`
	Rejected string `json:"rejected"`
}

// IssuedList is a list of codes issued on this device, newest first.
type IssuedList struct {
	items []*IssuedItem
}

// Count is the number of items.
func (l *IssuedList) Count() int { return len(l.items) }

// At returns item i (0 ≤ i < Count), nil out of range.
func (l *IssuedList) At(i int) *IssuedItem {
	if i < 0 || i >= len(l.items) {
		return nil
	}
	return l.items[i]
}

// Issuances lists the codes issued on this device, newest first, at most limit
// of them (0: all).
func (d *Device) Issuances(limit int) (*IssuedList, error) {
	items := []*IssuedItem{}
	err := d.db.View(func(tx *bolt.Tx) error {
		c := bucket(tx, bucketIssuances).Cursor()
		// Issuance IDs are UUIDv7: key order is issue order.
		for k, v := c.Last(); k != nil && (limit <= 0 || len(items) < limit); k, v = c.Prev() {
			var is localIssuance
			if err := jsonUnmarshal(v, &is); err != nil {
				return err
			}
			items = append(items, &IssuedItem{
				ID: is.ID, URL: is.URL, Counter: int64(is.Token.Counter),
				IssuedAt: rfc3339(is.IssuedAt), ExpiresAt: rfc3339(is.ExpiresAt),
				CrimeRef: is.CrimeRef, Language: is.Language, Format: is.Format, ContentVersion: is.ContentVersion,
				Voided: is.Voided, VoidReason: is.VoidReason, Synced: is.Synced, Rejected: is.Rejected,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &IssuedList{items: items}, nil
}

// IssuedJSON is Issuances as a JSON array of IssuedItem objects.
func (d *Device) IssuedJSON(limit int) (string, error) {
	l, err := d.Issuances(limit)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(l.items)
	return string(b), err
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
