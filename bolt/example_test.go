package bolt_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "doorstep-data")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// The server passes a CheckToken that verifies token texts with the
	// device keys; a store without one is fit for tests only.
	db, err := bolt.Open(filepath.Join(dir, bolt.DefaultFileName), bolt.Options{})
	if err != nil {
		log.Fatal(err) // e.g. "data dir is in use by another process"
	}
	defer db.Close()

	ctx := context.Background()
	o := &doorstep.Officer{CollarNumber: "1234", Name: "Jo Smith", Borough: "Hackney"}
	if err := db.CreateOfficer(ctx, o); err != nil {
		log.Fatal(err)
	}
	err = db.CreateOfficer(ctx, &doorstep.Officer{CollarNumber: "1234", Name: "Someone Else"})
	fmt.Println(doorstep.ErrorCode(err))

	pc := &doorstep.PairingCode{Code: "7RQ-4KD", OfficerID: o.ID, ExpiresAt: time.Now().Add(15 * time.Minute)}
	if err := db.CreatePairingCode(ctx, pc); err != nil {
		log.Fatal(err)
	}
	d := &doorstep.Device{Name: "Jo's phone"}
	if _, err := db.Pair(ctx, pc.Code, time.Now(), d); err != nil {
		log.Fatal(err)
	}
	// A victim answers before the phone has synced the code.
	f := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 1}, Rating: 5, Comment: "Very kind."}
	if err := db.SubmitFeedback(ctx, f); err != nil {
		log.Fatal(err)
	}
	s, err := db.Summary(ctx, o.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("device %d: issued %d, responses %d, unlinked %d, mean %.1f\n", d.ID, s.Issued, s.Responses, s.Unlinked, *s.MeanRating)
	// Output:
	// conflict
	// device 1: issued 0, responses 1, unlinked 1, mean 5.0
}
