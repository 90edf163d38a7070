package mobileapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	dsbolt "github.com/doorstep-project/doorstep/bolt"
	mobileapi "github.com/doorstep-project/doorstep/mobile-api"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/doorstep-project/doorstep/server"
)

// The officer's day: pair once, issue a code at a scene with no signal, sync
// when back in signal, read the victim's feedback.
func Example() {
	serverURL, pairingCode, victim, stop := exampleServer()
	defer stop()

	dir, err := os.MkdirTemp("", "doorstep-device")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	dev, err := mobileapi.Open(filepath.Join(dir, "state"))
	if err != nil {
		log.Fatal(err)
	}
	defer dev.Close()
	if err := dev.Pair(serverURL, pairingCode, "PC Smith's phone"); err != nil {
		log.Fatal(err)
	}

	// At the scene, offline: the QR code and the leaflet come from the device alone.
	issued, err := dev.Issue(&mobileapi.IssueOptions{CrimeRef: "CR/1234/26", Language: "en", Format: "a4"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("feedback URL starts with the server's public URL:", strings.HasPrefix(issued.URL, strings.ToUpper(serverURL)+"/F/"))
	fmt.Println("QR code is a PNG:", bytes.HasPrefix(issued.QRPNG, []byte("\x89PNG")))
	fmt.Println("leaflet is a PDF:", bytes.HasPrefix(issued.PDF, []byte("%PDF-")))
	pending, _ := dev.PendingCount()
	fmt.Println("waiting to sync:", pending)

	// The victim rates the visit, before the device has synced.
	victim(issued.URL, 5, "Patient and kind.")

	// Back in signal.
	report, err := dev.Sync()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pushed:", report.Pushed, "new feedback:", report.Feedback, "pending:", report.Pending)

	feedback, err := dev.Feedback()
	if err != nil {
		log.Fatal(err)
	}
	for i := range feedback.Count() {
		f := feedback.At(i)
		fmt.Printf("%d/5 %s (%s)\n", f.Rating, f.Comment, f.CrimeRef)
	}
	// Output:
	// feedback URL starts with the server's public URL: true
	// QR code is a PNG: true
	// leaflet is a PDF: true
	// waiting to sync: 1
	// pushed: 1 new feedback: 1 pending: 0
	// 5/5 Patient and kind. (CR/1234/26)
}

// exampleServer runs a Doorstep server with one officer and returns its URL, a
// pairing code for the officer, a way to give feedback as a victim, and stop.
func exampleServer() (url, code string, victim func(url string, rating int, comment string), stop func()) {
	dir, err := os.MkdirTemp("", "doorstep-server")
	if err != nil {
		log.Fatal(err)
	}
	key := bytes.Repeat([]byte{1}, 32)
	check, err := server.TokenChecker(key)
	if err != nil {
		log.Fatal(err)
	}
	store, err := dsbolt.Open(filepath.Join(dir, "doorstep.db"), dsbolt.Options{CheckToken: check})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	url = "http://" + hs.Listener.Addr().String()
	srv, err := server.New(server.Options{Store: store, PublicURL: url, AdminTokenHash: server.HashAdminToken("example-admin-token"), ServerKey: key})
	if err != nil {
		log.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()

	ctx := context.Background()
	officer := &doorstep.Officer{CollarNumber: "1234AB", Name: "Alex Smith", Borough: "Hackney", Team: "Response 1"}
	if err := store.CreateOfficer(ctx, officer); err != nil {
		log.Fatal(err)
	}
	pc := &doorstep.PairingCode{Code: "EXAMPLE234", OfficerID: officer.ID, ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.CreatePairingCode(ctx, pc); err != nil {
		log.Fatal(err)
	}
	victim = func(feedbackURL string, rating int, comment string) {
		tok, err := qrcode.Parse(feedbackURL[strings.LastIndex(feedbackURL, "/")+1:])
		if err != nil {
			log.Fatal(err)
		}
		if err := store.SubmitFeedback(ctx, &doorstep.Feedback{Token: tok.Ref, Rating: rating, Comment: comment}); err != nil {
			log.Fatal(err)
		}
	}
	return url, pc.Code, victim, func() {
		hs.Close()
		store.Close()
		os.RemoveAll(dir)
	}
}
