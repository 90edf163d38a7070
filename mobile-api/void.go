package mobileapi

import (
	"strings"

	doorstep "github.com/doorstep-project/doorstep"
	dsync "github.com/doorstep-project/doorstep/sync"
	bolt "go.etcd.io/bbolt"
)

// Void cancels a code issued on this device (a spoiled leaflet, a code given by
// mistake), offline: the void waits in the outbox for the next Sync. A void is
// final.
func (d *Device) Void(issuanceID, reason string) error {
	issuanceID = strings.TrimSpace(issuanceID)
	if !doorstep.ValidID(issuanceID) {
		return doorstep.Errorf(doorstep.EINVALID, "%.40q is not the id of an issued code", issuanceID)
	}
	reason = strings.TrimSpace(reason)
	if err := checkField("void reason", reason, dsync.MaxReasonLen); err != nil {
		return err
	}
	defer d.nudgeAutoSync()
	return d.db.Update(func(tx *bolt.Tx) error {
		if _, err := activePairing(tx); err != nil {
			return err
		}
		b := bucket(tx, bucketIssuances)
		var is localIssuance
		ok, err := getJSON(b, issuanceID, &is)
		if err != nil {
			return err
		}
		if !ok {
			return doorstep.Errorf(doorstep.ENOTFOUND, "no code %s was issued on this device", issuanceID)
		}
		if is.Voided {
			return doorstep.Errorf(doorstep.ECONFLICT, "code %s is already void", issuanceID)
		}
		h, err := stamp(tx, d.now)
		if err != nil {
			return err
		}
		is.Voided, is.VoidReason, is.HLC = true, reason, h.String()
		if err := putJSON(b, issuanceID, &is); err != nil {
			return err
		}
		_, err = appendOutbox(tx, &doorstep.Mutation{
			Kind: doorstep.MutationVoid,
			Void: &doorstep.Void{IssuanceID: issuanceID, Reason: reason, HLC: h.String()},
		})
		return err
	})
}

// appendOutbox numbers m with the next mutation ID and stores it, in the
// caller's transaction (the one that stores the change m carries).
func appendOutbox(tx *bolt.Tx, m *doorstep.Mutation) (uint64, error) {
	ob := bucket(tx, bucketOutbox)
	id, err := ob.NextSequence()
	if err != nil {
		return 0, err
	}
	m.ID = id
	return id, putJSON(ob, string(u64key(id)), m)
}
