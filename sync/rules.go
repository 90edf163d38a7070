package sync

import (
	"fmt"

	doorstep "github.com/doorstep-project/doorstep"
)

// Known leaflet formats and the longest language tag accepted.
const maxLangLen = 16

// TokenChecker verifies a token's text with the pushing device's key and returns
// what it names. The server supplies it; this package does not hold keys.
type TokenChecker func(text string) (doorstep.TokenRef, error)

// CheckMutation judges one well-formed mutation from device d. It returns ""
// when the mutation may be applied, or the reason it never can be: the mutation
// is then recorded as rejected and the device moves on.
func CheckMutation(m *doorstep.Mutation, d *doorstep.Device, check TokenChecker) string {
	switch m.Kind {
	case doorstep.MutationIssue:
		if m.Issuance == nil || m.Void != nil {
			return "an issue mutation carries exactly one issuance"
		}
		return checkIssuance(m.Issuance, d, check)
	case doorstep.MutationVoid:
		if m.Void == nil || m.Issuance != nil {
			return "a void mutation carries exactly one void"
		}
		v := m.Void
		if !doorstep.ValidID(v.IssuanceID) {
			return "void names no valid issuance id"
		}
		if _, err := ParseHLC(v.HLC); err != nil {
			return "void: " + doorstep.ErrorMessage(err)
		}
		if err := checkText("reason", v.Reason, MaxReasonLen); err != nil {
			return doorstep.ErrorMessage(err)
		}
		return ""
	default:
		return fmt.Sprintf("unknown mutation kind %.20q", m.Kind)
	}
}

func checkIssuance(is *doorstep.Issuance, d *doorstep.Device, check TokenChecker) string {
	if !doorstep.ValidID(is.ID) {
		return "issuance id is not a UUID"
	}
	if is.OfficerID != "" && is.OfficerID != d.OfficerID {
		return "a device writes only its own officer's records"
	}
	if is.Token.DeviceID != d.ID {
		return "the token was not issued by this device"
	}
	ref, err := check(is.TokenText)
	if err != nil {
		return "token: " + doorstep.ErrorMessage(err)
	}
	if ref != is.Token {
		return "token text does not match the token reference"
	}
	if _, err := ParseHLC(is.HLC); err != nil {
		return "issuance: " + doorstep.ErrorMessage(err)
	}
	if is.IssuedAt.IsZero() || !is.ExpiresAt.After(is.IssuedAt) {
		return "issuance times are missing or out of order"
	}
	if is.Format != doorstep.FormatA4 && is.Format != doorstep.FormatThermal {
		return fmt.Sprintf("unknown leaflet format %.20q", is.Format)
	}
	for _, f := range []struct {
		name, val string
		max       int
	}{
		{"crime_ref", is.CrimeRef, MaxCrimeRefLen},
		{"language", is.Language, maxLangLen},
		{"content_version", is.ContentVersion, maxShortField},
		{"void_reason", is.VoidReason, MaxReasonLen},
	} {
		if err := checkText(f.name, f.val, f.max); err != nil {
			return doorstep.ErrorMessage(err)
		}
	}
	return ""
}

// MergeIssuance applies an incoming issuance to the stored one with the same ID
// (a create of an existing ID is an update). Issuances are immutable except for
// voiding, and a void is final; between two voids the later HLC's reason wins,
// whatever order they arrive in. The stamp moves to the later HLC. It returns the
// merged record and whether anything changed.
func MergeIssuance(stored, incoming *doorstep.Issuance) (*doorstep.Issuance, bool) {
	out := *stored
	changed := false
	later := incoming.HLC > stored.HLC
	if incoming.Voided && (!stored.Voided || later && incoming.VoidReason != stored.VoidReason) {
		out.Voided, out.VoidReason = true, incoming.VoidReason
		changed = true
	}
	if later {
		out.HLC = incoming.HLC
		changed = true
	}
	return &out, changed
}

// ApplyVoid voids is with v, by the rules of MergeIssuance.
func ApplyVoid(is *doorstep.Issuance, v *doorstep.Void) (*doorstep.Issuance, bool) {
	return MergeIssuance(is, &doorstep.Issuance{Voided: true, VoidReason: v.Reason, HLC: v.HLC})
}
