package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	stdsync "sync"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/server"
	dsync "github.com/doorstep-project/doorstep/sync"
)

// BenchmarkDashboard renders the force overview and an officer page over a
// store holding 1,000,000 feedback records from 5,000 officers (32
// boroughs, 4 teams each), 200 each, 10 of them answered before their issue
// synced, and 1,050,000 issues. Seeding goes through the store's write
// path: ApplyMutations for the issues (one push per officer) and
// bolt.ImportFeedback for the feedback (one transaction per officer, the
// same checks, indexes and aggregate code as SubmitFeedback; one
// SubmitFeedback per record ran at about 1,200 a second here, 14 minutes
// for the million). The seeded file is kept in the temporary directory
// (doorstep-dashboard-bench-*.db) and reused by later runs. Only -bench
// runs it:
//
//	go test ./server -run '^$' -bench BenchmarkDashboard -benchtime 20x
//
// DOORSTEP_BENCH_OFFICERS scales it down (for example 500 for 100,000 feedback).
func BenchmarkDashboard(b *testing.B) {
	officers := 5000
	if v := os.Getenv("DOORSTEP_BENCH_OFFICERS"); v != "" {
		fmt.Sscan(v, &officers)
	}
	const perOfficer, early, issued = 200, 10, 210
	path := filepath.Join(os.TempDir(), fmt.Sprintf("doorstep-dashboard-bench-v1-%d.db", officers))
	_, statErr := os.Stat(path)
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if statErr != nil {
		start := time.Now()
		if err := seedDashboard(ctx, db, officers, perOfficer, early, issued); err != nil {
			db.Close()
			os.Remove(path)
			b.Fatal(err)
		}
		b.Logf("seeded %d feedback over %d officers in %v (%s)", officers*perOfficer, officers, time.Since(start).Round(time.Second), path)
	}
	st, err := db.ScopeStats(ctx, doorstep.Scope{})
	if err != nil {
		b.Fatal(err)
	}
	if st.Responses != officers*perOfficer {
		b.Fatalf("store holds %d responses, want %d (delete %s)", st.Responses, officers*perOfficer, path)
	}
	srv, err := server.New(server.Options{Store: db, PublicURL: "https://doorstep.example.org",
		AdminTokenHash: server.HashAdminToken(adminToken), ServerKey: bytes.Repeat([]byte{7}, server.ServerKeySize)})
	if err != nil {
		b.Fatal(err)
	}
	id := "bench-session-id-0123456789abcdefghijklmnop" // 43 characters, like a real one
	h := sha256.Sum256([]byte(id))
	if err := db.CreateSession(ctx, &doorstep.Session{IDHash: h[:], Username: "bench", Role: doorstep.RoleTrainer, CSRF: "x",
		ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	all, err := db.Officers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	get := func(b *testing.B, target string) {
		req := httptest.NewRequest("GET", target, nil)
		req.AddCookie(&http.Cookie{Name: "doorstep_session", Value: id})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s -> %d: %.300s", target, rec.Code, rec.Body)
		}
	}
	for _, v := range []struct{ name, target string }{
		{"overview", "/dashboard"},
		{"borough", "/dashboard?borough=Borough+07"},
		{"officer", "/dashboard/officers/" + all[len(all)/2].ID},
		{"officer-filtered", "/dashboard/officers/" + all[len(all)/3].ID + "?max_rating=2&from=2026-06-01"},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				get(b, v.target)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
}

// seedDashboard fills db through its write path: officers, a device each,
// issues pushed in one batch per officer, and the officer's feedback
// imported in one transaction, from 8 writers.
func seedDashboard(ctx context.Context, db *bolt.DB, officers, perOfficer, early, issued int) error {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	work := make(chan int)
	errs := make(chan error, 64)
	var wg stdsync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := seedOfficer(ctx, db, i, now, perOfficer, early, issued); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
	for i := 0; i < officers && err == nil; i++ {
		select {
		case work <- i:
		case err = <-errs:
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func seedOfficer(ctx context.Context, db *bolt.DB, i int, now time.Time, perOfficer, early, issued int) error {
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	o := &doorstep.Officer{CollarNumber: fmt.Sprintf("%05d", i), Name: fmt.Sprintf("Officer %d", i),
		Borough: fmt.Sprintf("Borough %02d", i%32), Team: fmt.Sprintf("Team %d", i/32%4)}
	if err := db.CreateOfficer(ctx, o); err != nil {
		return err
	}
	pc := &doorstep.PairingCode{Code: "BENCH" + o.ID, OfficerID: o.ID, ExpiresAt: now.Add(time.Hour)}
	if err := db.CreatePairingCode(ctx, pc); err != nil {
		return err
	}
	d := &doorstep.Device{Name: "phone"}
	if _, err := db.Pair(ctx, pc.Code, now, d); err != nil {
		return err
	}
	at := func(n int) time.Time { return now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))) }
	times := make([]time.Time, issued+early)
	for n := range times {
		times[n] = at(n)
	}
	muts := make([]doorstep.Mutation, issued)
	for n := range muts {
		ref := doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(n + 1)}
		muts[n] = doorstep.Mutation{ID: uint64(n + 1), Kind: doorstep.MutationIssue, Issuance: &doorstep.Issuance{
			ID: doorstep.NewID(times[n]), Token: ref, TokenText: fmt.Sprintf("T%d-%d", d.ID, n+1), IssuedAt: times[n],
			ExpiresAt: times[n].Add(90 * 24 * time.Hour), Language: "en", Format: doorstep.FormatThermal, ContentVersion: "1",
			HLC: dsync.HLC{Wall: times[n].UnixMilli()}.String()}}
	}
	if _, err := db.ApplyMutations(ctx, d.ID, muts, now); err != nil {
		return err
	}
	skill := 2.5 + 2.5*rng.Float64() // the officer's typical rating
	comments := []string{"Kind and clear, thank you.", "Took time to listen.", "Did not explain what happens next.",
		"Arrived quickly, calm and professional.", "I felt rushed.", ""}
	batch := make([]*doorstep.Feedback, 0, perOfficer)
	for n := 0; n < perOfficer; n++ {
		counter := n + 1 // answered codes that synced
		if n >= perOfficer-early {
			counter = issued + n - (perOfficer - early) + 1 // answered before their issue synced
		}
		r := int(skill + rng.NormFloat64() + 0.5)
		r = max(1, min(5, r))
		fb := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(counter)}, Rating: r,
			Respect: doorstep.AnswerYes, Rights: doorstep.AnswerUnsure, Comment: comments[rng.IntN(len(comments))],
			IssuedAt: times[counter-1], ReceivedAt: times[counter-1].Add(time.Duration(rng.IntN(72)) * time.Hour)}
		batch = append(batch, fb)
	}
	return db.ImportFeedback(ctx, batch)
}
