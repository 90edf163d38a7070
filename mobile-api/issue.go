package mobileapi

import (
	"math"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// Issue defaults.
const (
	// DefaultLanguage is the leaflet language when IssueOptions.Language is "".
	DefaultLanguage = "en"
	// QRSize is the width in pixels of Issued.QRPNG.
	QRSize = 512
)

// IssueOptions describe the code and leaflet to issue. The zero value issues an
// English A4 leaflet without a crime reference.
type IssueOptions struct {
	// CrimeRef is printed on the leaflet only: it never goes into the code or
	// the URL. Letters, digits, spaces and / - . _ : #, at most 40 characters.
	CrimeRef string
	// Language of the leaflet and of the victim's page, such as "en", "cy" or
	// "pl" ("": DefaultLanguage; "pt-BR" gets "pt"). Languages the PDF cannot
	// draw (Arabic, Urdu, Bengali) get an English leaflet that sends the victim
	// to the page in their language.
	Language string
	// Format is "a4" or "thermal" (80 mm roll); "" is "a4".
	Format     string
	LargePrint bool
	// Discreet leaves police branding out of the title and first lines, for
	// victims at risk.
	Discreet bool
}

// Issued is one code issued at a scene.
type Issued struct {
	// ID names the issuance (for Void).
	ID string
	// URL is the feedback URL the QR code holds.
	URL string
	// QRPNG is the QR code, QRSize pixels wide.
	QRPNG []byte
	// PDF is the Victims' Code leaflet with the QR code and the visit's details.
	PDF []byte
	// ContentVersion is the leaflet content version printed.
	ContentVersion string
	// Counter is the device's per-issue counter the token carries.
	Counter int64
	// IssuedAt and ExpiresAt are RFC 3339 times (the device's clock).
	IssuedAt  string
	ExpiresAt string
}

// Issue issues a feedback code and its leaflet, offline: it takes the next
// counter, signs the token with the device's key, builds the feedback URL and
// its QR code, renders the leaflet (from the last content pulled for the
// language, else the content built in) and records the issuance with its outbox
// mutation, all in one transaction: a crash leaves either all of it or none.
func (d *Device) Issue(opts *IssueOptions) (*Issued, error) {
	if opts == nil {
		opts = &IssueOptions{}
	}
	o, err := checkIssueOptions(opts)
	if err != nil {
		return nil, err
	}
	var out *Issued
	err = d.db.Update(func(tx *bolt.Tx) error {
		p, err := activePairing(tx)
		if err != nil {
			return err
		}
		content, lang, err := d.leaflets.content(tx, o.Language)
		if err != nil {
			return err
		}
		o.Language = lang
		meta := bucket(tx, bucketMeta)
		counter := getU64(meta, keyCounter) + 1
		if counter > math.MaxUint32 {
			return doorstep.Errorf(doorstep.EINVALID, "this device has issued all the codes it can: ask your admin to pair it again")
		}
		now := d.now()
		ref := doorstep.TokenRef{DeviceID: p.DeviceID, Counter: uint32(counter)}
		validity := qrcode.DefaultValidity
		if p.TokenValidityDays > 0 {
			validity = time.Duration(p.TokenValidityDays) * 24 * time.Hour
		}
		text, tok, err := qrcode.Sign(p.TokenKey, ref, now, validity)
		if err != nil {
			return err
		}
		url, err := qrcode.FeedbackURL(p.PublicURL, text)
		if err != nil {
			return err
		}
		code, err := qrcode.Encode(url)
		if err != nil {
			return err
		}
		png, err := code.PNG(QRSize)
		if err != nil {
			return err
		}
		pdf, version, err := d.leaflets.render(content, leafletDetails{
			opts: o, officer: p.Officer, url: url, qr: code, issuedAt: now,
		})
		if err != nil {
			return err
		}
		h, err := stamp(tx, d.now)
		if err != nil {
			return err
		}
		is := doorstep.Issuance{
			ID:             doorstep.NewID(now),
			Token:          ref,
			TokenText:      text,
			OfficerID:      p.Officer.ID,
			IssuedAt:       now.UTC(),
			ExpiresAt:      tok.ExpiresAt,
			CrimeRef:       o.CrimeRef,
			Language:       o.Language,
			Format:         o.Format,
			LargePrint:     o.LargePrint,
			Discreet:       o.Discreet,
			ContentVersion: version,
			HLC:            h.String(),
		}
		mid, err := appendOutbox(tx, &doorstep.Mutation{Kind: doorstep.MutationIssue, Issuance: &is})
		if err != nil {
			return err
		}
		if err := putJSON(bucket(tx, bucketIssuances), is.ID, &localIssuance{Issuance: is, URL: url, MutationID: mid}); err != nil {
			return err
		}
		if err := bucket(tx, bucketByCounter).Put(u64key(counter), []byte(is.ID)); err != nil {
			return err
		}
		if err := meta.Put([]byte(keyCounter), u64key(counter)); err != nil {
			return err
		}
		out = &Issued{
			ID: is.ID, URL: url, QRPNG: png, PDF: pdf, ContentVersion: version,
			Counter: int64(counter), IssuedAt: rfc3339(is.IssuedAt), ExpiresAt: rfc3339(is.ExpiresAt),
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.nudgeAutoSync()
	return out, nil
}

// checkIssueOptions normalises and checks the options, with errors the officer
// can act on.
func checkIssueOptions(opts *IssueOptions) (IssueOptions, error) {
	o := *opts
	o.CrimeRef = strings.TrimSpace(o.CrimeRef)
	if len(o.CrimeRef) > dsync.MaxCrimeRefLen {
		return o, doorstep.Errorf(doorstep.EINVALID, "the crime reference is longer than %d characters", dsync.MaxCrimeRefLen)
	}
	for _, r := range o.CrimeRef {
		if !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune(" /-._:#", r)) {
			return o, doorstep.Errorf(doorstep.EINVALID, "the crime reference may hold letters, digits, spaces and / - . _ : # only, not %q", r)
		}
	}
	o.Language = strings.TrimSpace(o.Language)
	if o.Language == "" {
		o.Language = DefaultLanguage
	}
	if len(o.Language) > 16 {
		return o, doorstep.Errorf(doorstep.EINVALID, "unknown language %.16q", o.Language)
	}
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	if o.Format == "" {
		o.Format = doorstep.FormatA4
	}
	if o.Format != doorstep.FormatA4 && o.Format != doorstep.FormatThermal {
		return o, doorstep.Errorf(doorstep.EINVALID, "the leaflet format must be %q or %q, not %.20q", doorstep.FormatA4, doorstep.FormatThermal, o.Format)
	}
	return o, nil
}
