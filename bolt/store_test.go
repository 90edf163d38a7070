package bolt_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	stdsync "sync"
	"syscall"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/storetest"
	dsync "github.com/doorstep-project/doorstep/sync"
)

func t0() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }

// setup makes one officer with one paired device.
func setup(t testing.TB, db *bolt.DB) (*doorstep.Officer, *doorstep.Device) {
	t.Helper()
	o := &doorstep.Officer{CollarNumber: "1234", Name: "Jo Smith", Borough: "Hackney"}
	if err := db.CreateOfficer(ctx(), o); err != nil {
		t.Fatal(err)
	}
	pc := &doorstep.PairingCode{Code: "PAIR-" + doorstep.NewID(t0()), OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
	if err := db.CreatePairingCode(ctx(), pc); err != nil {
		t.Fatal(err)
	}
	d := &doorstep.Device{Name: "phone"}
	if _, err := db.Pair(ctx(), pc.Code, t0(), d); err != nil {
		t.Fatal(err)
	}
	return o, d
}

func issuance(d *doorstep.Device, counter uint32, at time.Time) *doorstep.Issuance {
	ref := doorstep.TokenRef{DeviceID: d.ID, Counter: counter}
	return &doorstep.Issuance{
		ID: doorstep.NewID(at), Token: ref, TokenText: storetest.TokenText(ref),
		IssuedAt: at, ExpiresAt: at.Add(90 * 24 * time.Hour), Language: "en",
		Format: doorstep.FormatThermal, ContentVersion: "1",
		HLC: dsync.HLC{Wall: at.UnixMilli(), Logical: counter}.String(),
	}
}

// issues makes n issue mutations with IDs and counters from first on.
func issues(d *doorstep.Device, first uint64, n int) []doorstep.Mutation {
	muts := make([]doorstep.Mutation, n)
	for i := range muts {
		id := first + uint64(i)
		// Issued a minute apart, so IDs (UUIDv7) are time ordered as in life.
		at := t0().Add(time.Duration(id) * time.Minute)
		muts[i] = doorstep.Mutation{ID: id, Kind: doorstep.MutationIssue, Issuance: issuance(d, uint32(id), at)}
	}
	return muts
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), bolt.DefaultFileName)
	mustOpenAt(t, path, testOptions())
	start := time.Now()
	db2, err := bolt.Open(path, testOptions())
	took := time.Since(start)
	if err == nil {
		db2.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
	if took > 2*time.Second {
		t.Fatalf("second Open took %v to fail, want about 1 s", took)
	}
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE || !strings.Contains(err.Error(), "data dir is in use by another process") {
		t.Fatalf("second Open: %v (code %s), want a clear 'in use by another process' error", err, doorstep.ErrorCode(err))
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), bolt.DefaultFileName)
	db, err := bolt.Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	o, d := setup(t, db)
	if _, err := db.ApplyMutations(ctx(), d.ID, issues(d, 1, 3), t0()); err != nil {
		t.Fatal(err)
	}
	if err := db.SubmitFeedback(ctx(), &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 2}, Rating: 5}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenAt(t, path, testOptions())
	s, err := db.Summary(ctx(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Issued != 3 || s.Responses != 1 || s.Unlinked != 0 {
		t.Fatalf("Summary after reopen = %+v", s)
	}
	dev, err := db.Device(ctx(), d.ID)
	if err != nil || dev.LastMutationID != 3 {
		t.Fatalf("Device after reopen = %+v, %v", dev, err)
	}
	// The device ID sequence carries on.
	pc := &doorstep.PairingCode{Code: "AGAIN", OfficerID: o.ID, ExpiresAt: t0().Add(time.Hour)}
	if err := db.CreatePairingCode(ctx(), pc); err != nil {
		t.Fatal(err)
	}
	d2 := &doorstep.Device{Name: "second"}
	if _, err := db.Pair(ctx(), "AGAIN", t0(), d2); err != nil || d2.ID != d.ID+1 {
		t.Fatalf("Pair after reopen: device %d, %v; want %d", d2.ID, err, d.ID+1)
	}
}

func TestOpenRefusesForeignFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if db, err := bolt.Open(junk, testOptions()); err == nil {
		db.Close()
		t.Fatal("Open of a file that is not a bbolt file succeeded")
	}
}

// A truncated file (a backup cut short, a full disk) is refused with an
// error: bbolt itself would die of SIGBUS reading past the end.
func TestOpenRefusesTruncatedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), bolt.DefaultFileName)
	db, err := bolt.Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, d := setup(t, db)
	if _, err := db.ApplyMutations(ctx(), d.ID, issues(d, 1, 500), t0()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Keep the meta pages, lose data pages.
	if err := os.Truncate(path, int64(4*os.Getpagesize())); err != nil {
		t.Fatal(err)
	}
	db, err = bolt.Open(path, testOptions())
	if err == nil {
		db.Close()
		t.Fatal("Open of a truncated file succeeded")
	}
	if !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("Open of a truncated file: %v, want it to say so", err)
	}
}

// A slow hot backup holds a read transaction for its whole copy; writers
// growing the store meanwhile must not wait for it.
func TestBackupDoesNotStallWriters(t *testing.T) {
	db := MustOpen(t)
	_, d := setup(t, db)
	w := &blockingWriter{started: make(chan struct{}), release: make(chan struct{})}
	backupDone := make(chan error, 1)
	go func() {
		_, err := db.Backup(ctx(), w)
		backupDone <- err
	}()
	<-w.started
	writes := make(chan error, 1)
	go func() {
		for next := uint64(1); next <= 10_000; next += 500 {
			if _, err := db.ApplyMutations(ctx(), d.ID, issues(d, next, 500), t0()); err != nil {
				writes <- err
				return
			}
		}
		writes <- nil
	}()
	select {
	case err := <-writes:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		close(w.release)
		t.Fatal("writers stalled behind a running backup")
	}
	close(w.release)
	if err := <-backupDone; err != nil {
		t.Fatalf("Backup: %v", err)
	}
}

// blockingWriter holds up a backup at its first write until released.
type blockingWriter struct {
	once             stdsync.Once
	started, release chan struct{}
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.started); <-w.release })
	return len(p), nil
}

func TestRestore(t *testing.T) {
	db := MustOpen(t)
	o, _ := setup(t, db)
	var buf bytes.Buffer
	if _, err := db.Backup(ctx(), &buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, bolt.DefaultFileName)
	if err := bolt.Restore(bytes.NewReader(buf.Bytes()), path); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	err := bolt.Restore(bytes.NewReader(buf.Bytes()), path)
	if doorstep.ErrorCode(err) != doorstep.ECONFLICT {
		t.Fatalf("Restore over an existing file: %v, want a conflict", err)
	}
	restored := mustOpenAt(t, path, testOptions())
	if got, err := restored.Officer(ctx(), o.ID); err != nil || got.CollarNumber != o.CollarNumber {
		t.Fatalf("restored officer = %+v, %v", got, err)
	}

	bad := filepath.Join(dir, "bad", bolt.DefaultFileName)
	err = bolt.Restore(bytes.NewReader(buf.Bytes()[:buf.Len()/2]), bad)
	if err == nil {
		t.Fatal("Restore of a truncated backup succeeded")
	}
	if _, statErr := os.Stat(bad); !os.IsNotExist(statErr) {
		t.Fatalf("a failed Restore left %s behind (%v)", bad, statErr)
	}
	if ents, _ := os.ReadDir(filepath.Dir(bad)); len(ents) != 0 {
		t.Fatalf("a failed Restore left files: %v", ents)
	}
}

// 64 victims submitting at once share commits and are all counted, once.
func TestConcurrentFeedbackCountsExactly(t *testing.T) {
	db := MustOpen(t)
	o, d := setup(t, db)
	const writers, each = 64, 20
	var wg stdsync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				f := &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(w*each + i + 1)}, Rating: 1 + (w+i)%5}
				if err := db.SubmitFeedback(ctx(), f); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("SubmitFeedback: %v", err)
	}
	s, err := db.Summary(ctx(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range s.Ratings {
		sum += n
	}
	if s.Responses != writers*each || s.Unlinked != writers*each || sum != writers*each {
		t.Fatalf("Summary = %+v, want %d responses", s, writers*each)
	}
	fbs, err := db.OfficerFeedback(ctx(), o.ID, doorstep.FeedbackFilter{})
	if err != nil || len(fbs) != writers*each {
		t.Fatalf("OfficerFeedback = %d, %v; want %d", len(fbs), err, writers*each)
	}
}

// A lone writer commits at once instead of waiting for a batch to fill.
func TestLoneWriterDoesNotWaitForBatch(t *testing.T) {
	opts := testOptions()
	opts.MaxBatchDelay = time.Second
	db := mustOpenAt(t, filepath.Join(t.TempDir(), bolt.DefaultFileName), opts)
	_, d := setup(t, db)
	start := time.Now()
	for i := 1; i <= 10; i++ {
		if err := db.SubmitFeedback(ctx(), &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: uint32(i)}, Rating: 3}); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > 900*time.Millisecond {
		t.Fatalf("10 sequential submits took %v with a 1 s batch delay: the lone writer waited", took)
	}
}

func TestDaily(t *testing.T) {
	db := MustOpen(t)
	o, d := setup(t, db)
	day1, day2 := t0(), t0().Add(24*time.Hour)
	muts := []doorstep.Mutation{
		{ID: 1, Kind: doorstep.MutationIssue, Issuance: issuance(d, 1, day1)},
		{ID: 2, Kind: doorstep.MutationIssue, Issuance: issuance(d, 2, day1)},
		{ID: 3, Kind: doorstep.MutationIssue, Issuance: issuance(d, 3, day2)},
	}
	if _, err := db.ApplyMutations(ctx(), d.ID, muts, day2); err != nil {
		t.Fatal(err)
	}
	for _, fb := range []*doorstep.Feedback{
		{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 1}, Rating: 5, ReceivedAt: day2},
		{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 2}, Rating: 2, ReceivedAt: day2},
		{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: 9}, Rating: 4, IssuedAt: day2, ReceivedAt: day2},
	} {
		if err := db.SubmitFeedback(ctx(), fb); err != nil {
			t.Fatal(err)
		}
	}
	void := doorstep.Mutation{ID: 4, Kind: doorstep.MutationVoid, Void: &doorstep.Void{IssuanceID: muts[2].Issuance.ID, HLC: dsync.HLC{Wall: day2.UnixMilli() + 1000}.String()}}
	if _, err := db.ApplyMutations(ctx(), d.ID, []doorstep.Mutation{void}, day2); err != nil {
		t.Fatal(err)
	}
	days, err := db.Daily(ctx(), o.ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 2 {
		t.Fatalf("Daily = %+v, want two days", days)
	}
	// Feedback is dated by the visit: two answers for day 1, one for day 2.
	if d1 := days[0]; !d1.Day.Equal(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) || d1.Issued != 2 || d1.Responses != 2 || *d1.MeanRating != 3.5 || d1.Ratings != [5]int{0, 1, 0, 0, 1} {
		t.Fatalf("day 1 = %+v", d1)
	}
	if d2 := days[1]; d2.Issued != 0 || d2.Responses != 1 || d2.Ratings != [5]int{0, 0, 0, 1, 0} {
		t.Fatalf("day 2 = %+v (its one issuance voided)", d2)
	}
	only, err := db.Daily(ctx(), o.ID, day2, day2.Add(24*time.Hour))
	if err != nil || len(only) != 1 || only[0].Responses != 1 {
		t.Fatalf("Daily(day 2 only) = %+v, %v", only, err)
	}
}

// Without Options.CheckToken any non-empty token text passes (tests only).
func TestDefaultTokenCheck(t *testing.T) {
	db := mustOpenAt(t, filepath.Join(t.TempDir(), bolt.DefaultFileName), bolt.Options{})
	_, d := setup(t, db)
	a, b := issuance(d, 1, t0()), issuance(d, 2, t0())
	a.TokenText, b.TokenText = "ANYTHING", ""
	res, err := db.ApplyMutations(ctx(), d.ID, []doorstep.Mutation{
		{ID: 1, Kind: doorstep.MutationIssue, Issuance: a},
		{ID: 2, Kind: doorstep.MutationIssue, Issuance: b},
	}, t0())
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Status != doorstep.StatusApplied || res.Results[1].Status != doorstep.StatusRejected {
		t.Fatalf("results = %+v, want applied then rejected (no token text)", res.Results)
	}
}

// crashEnv names the store file a crash-test child writes to.
const crashEnv = "DOORSTEP_BOLT_CRASH_CHILD"

// A process killed mid-write loses nothing it acknowledged, and leaves no
// half-stored change: every issuance up to LastMutationID is there with its
// feed entry and counts, and nothing beyond it.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("crash test runs child processes")
	}
	path := filepath.Join(t.TempDir(), bolt.DefaultFileName)
	db, err := bolt.Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	o, d := setup(t, db)
	db.Close()

	ackedFb := map[uint32]bool{}
	var ackedPush uint64
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedWrites$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, "DOORSTEP_BOLT_CRASH_ROUND="+strconv.Itoa(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		acks, killed := 0, false
		deadline := time.AfterFunc(10*time.Second, func() { cmd.Process.Signal(syscall.SIGKILL) })
		for sc.Scan() {
			kind, val, ok := strings.Cut(sc.Text(), " ")
			n, err := strconv.ParseUint(val, 10, 64)
			if !ok || err != nil {
				continue // the test framework's own lines
			}
			switch kind {
			case "fb":
				ackedFb[uint32(n)] = true
			case "push":
				ackedPush = max(ackedPush, n)
			default:
				continue
			}
			if acks++; acks == 200+round*150 && !killed {
				cmd.Process.Signal(syscall.SIGKILL) // lines already in the pipe are still read
				killed = true
			}
		}
		deadline.Stop()
		err = cmd.Wait()
		if !killed {
			t.Fatalf("child ended before it was killed (after %d acks): %v", acks, err)
		}
	}
	if len(ackedFb) == 0 || ackedPush == 0 {
		t.Fatalf("children acknowledged %d feedback and push %d: nothing to check", len(ackedFb), ackedPush)
	}

	db = mustOpenAt(t, path, testOptions())
	dev, err := db.Device(ctx(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if dev.LastMutationID < ackedPush {
		t.Fatalf("LastMutationID %d after the crash, but push %d was acknowledged", dev.LastMutationID, ackedPush)
	}
	for c := uint32(1); c <= uint32(dev.LastMutationID)+10; c++ {
		_, err := db.Issuance(ctx(), doorstep.TokenRef{DeviceID: d.ID, Counter: c})
		if c <= uint32(dev.LastMutationID) && err != nil {
			t.Fatalf("issuance %d (at or below LastMutationID %d) is missing: %v", c, dev.LastMutationID, err)
		}
		if c > uint32(dev.LastMutationID) && doorstep.ErrorCode(err) != doorstep.ENOTFOUND {
			t.Fatalf("issuance %d stored beyond LastMutationID %d: %v", c, dev.LastMutationID, err)
		}
	}
	for c := range ackedFb {
		if _, err := db.FeedbackFor(ctx(), doorstep.TokenRef{DeviceID: d.ID, Counter: c}); err != nil {
			t.Fatalf("acknowledged feedback %d lost: %v", c, err)
		}
	}
	fbs, err := db.OfficerFeedback(ctx(), o.ID, doorstep.FeedbackFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Summary(ctx(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Issued != int(dev.LastMutationID) || s.Responses != len(fbs) || s.Unlinked != len(fbs) || len(fbs) < len(ackedFb) {
		t.Fatalf("Summary %+v after the crash; %d issuances, %d feedback stored, %d acknowledged", s, dev.LastMutationID, len(fbs), len(ackedFb))
	}
	var issuedCh, fbCh int
	for cur, more := uint64(0), true; more; {
		var page []doorstep.Change
		page, cur, more, err = db.Changes(ctx(), d.ID, cur, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			switch c.Kind {
			case doorstep.ChangeIssuance:
				issuedCh++
			case doorstep.ChangeFeedback:
				fbCh++
			}
		}
	}
	if issuedCh != int(dev.LastMutationID) || fbCh != len(fbs) {
		t.Fatalf("feed holds %d issuances and %d feedback, store %d and %d", issuedCh, fbCh, dev.LastMutationID, len(fbs))
	}
	t.Logf("after 3 kills: %d issuances, %d feedback stored; %d feedback acknowledged", dev.LastMutationID, len(fbs), len(ackedFb))
}

// crashChild writes until killed, printing each write once it has returned.
// Feedback counters start at 1,000,000 and never meet the pushed issuances.
func crashChild(path string) {
	db, err := bolt.Open(path, testOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	round, _ := strconv.Atoi(os.Getenv("DOORSTEP_BOLT_CRASH_ROUND"))
	var d *doorstep.Device
	devs, err := db.Devices(ctx(), mustFirstOfficer(db))
	if err != nil || len(devs) != 1 {
		fmt.Fprintln(os.Stderr, "child: no device:", err)
		os.Exit(3)
	}
	d = devs[0]
	var mu stdsync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
		mu.Unlock()
	}
	for w := 0; w < 4; w++ {
		go func() {
			for i := 0; ; i++ {
				c := uint32(1_000_000 + round*100_000 + w*10_000 + i)
				if err := db.SubmitFeedback(ctx(), &doorstep.Feedback{Token: doorstep.TokenRef{DeviceID: d.ID, Counter: c}, Rating: 1 + i%5}); err != nil {
					fmt.Fprintln(os.Stderr, "child: feedback:", err)
					os.Exit(3)
				}
				ack("fb %d", c)
			}
		}()
	}
	next := d.LastMutationID + 1
	for start := time.Now(); time.Since(start) < 30*time.Second; {
		res, err := db.ApplyMutations(ctx(), d.ID, issues(d, next, 10), time.Now())
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: push:", err)
			os.Exit(3)
		}
		next = res.LastMutationID + 1
		ack("push %d", res.LastMutationID)
	}
	os.Exit(4) // never killed
}

func mustFirstOfficer(db *bolt.DB) string {
	os, err := db.Officers(ctx())
	if err != nil || len(os) == 0 {
		panic(fmt.Sprint("child: no officer: ", err))
	}
	return os[0].ID
}
