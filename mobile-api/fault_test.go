package mobileapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	bolt "go.etcd.io/bbolt"
)

// "Sync that survives the field": the device process killed with SIGKILL in
// the middle of a sync or an issue, answers lost after the server applied the
// request, a connection that flaps. Each ends with every issue on the server
// exactly once and the outbox drained.

const (
	childModeEnv  = "DOORSTEP_MOBILEAPI_CHILD"
	childStateEnv = "DOORSTEP_MOBILEAPI_CHILD_STATE"
)

// TestChildProcess is not a test: it is the device process the SIGKILL tests
// start (this test binary again) and kill. It says "ready" once the state is
// open, then syncs until the outbox is empty ("sync") or issues forever,
// saying "issued" after each ("issue").
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childModeEnv)
	if mode == "" {
		t.Skip("the device process of the SIGKILL tests, run by them")
	}
	d, err := OpenWithOptions(os.Getenv(childStateEnv), &Options{
		RequestTimeoutMillis: 5_000, MaxAttempts: 3, InitialBackoffMillis: 10, MaxBackoffMillis: 50, LockTimeoutMillis: 5_000,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	d.pushBatch, d.pullLimit = 5, 5
	if mode == "issue" {
		if err := d.leaflets.init(); err != nil { // fonts read before "ready": kills land in issues
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
	fmt.Println("ready")
	for {
		switch mode {
		case "sync":
			rep, err := d.Sync()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			if rep.Pending == 0 {
				os.Exit(0)
			}
		case "issue":
			if _, err := d.Issue(&IssueOptions{CrimeRef: "CR/9/26"}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			fmt.Println("issued")
		}
	}
}

// runAndKill starts the device process in mode on dir and kills it with
// SIGKILL. In "sync" mode the kill comes a random 0–3 ms after kill is closed
// (the test closes it when the server receives a chosen push, so the kill
// lands mid-sync however fast the machine is); in "issue" mode a random delay
// runs from the first "issued" line and is up to twice the time that first
// issue took, so that kills land anywhere in an issue. It reports whether the
// kill landed (false: the process finished first).
func runAndKill(t *testing.T, mode, dir string, kill <-chan struct{}) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childStateEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // never block the child on its stdout
			}
		}
	}()
	waitFor := func(want string) {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case l := <-lines:
				if l == want {
					return
				}
			case <-timeout:
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("device process never said %q: %s", want, stderr.String())
			}
		}
	}
	waitFor("ready")
	var delay time.Duration
	if mode == "issue" {
		start := time.Now()
		waitFor("issued")
		delay = time.Duration(rand.Int64N(int64(2 * time.Since(start))))
		closed := make(chan struct{})
		close(closed)
		kill = closed
	} else {
		delay = time.Duration(rand.Int64N(int64(3 * time.Millisecond)))
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("device process failed: %v: %s", err, stderr.String())
		}
		return false
	case <-kill:
	}
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("device process failed: %v: %s", err, stderr.String())
		}
		return false
	case <-time.After(delay):
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-waited
		return true
	}
}

func TestSyncSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	e := newEnv(t, nil)
	dir := t.TempDir()
	d, officer := e.device(dir, "")
	const n = 50
	for i := range n {
		is, err := d.Issue(&IssueOptions{Format: doorstep.FormatThermal})
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			e.feedback(is.URL, 1+i%5, fmt.Sprintf("feedback %d", i))
		}
	}
	d.Close()
	kills, finished := 0, false
	for round := 0; round < 20 && !finished; round++ {
		// Kill while the server takes the first or second push of this run.
		at := e.pushes.Load() + 1 + rand.Int64N(2)
		kill := make(chan struct{})
		stop := make(chan struct{})
		go func() {
			defer close(kill)
			for e.pushes.Load() < at {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Microsecond):
				}
			}
		}()
		landed := runAndKill(t, "sync", dir, kill)
		close(stop)
		if landed {
			kills++
		} else {
			finished = true
		}
		if got := e.summary(officer).Issued; got > n {
			t.Fatalf("after %d kills the server counts %d issues of %d: duplicates", kills, got, n)
		}
	}
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-sync: the test proves nothing", kills)
	}
	before := e.summary(officer).Issued
	d = openTest(t, dir, nil)
	if _, err := d.Sync(); err != nil {
		t.Fatalf("sync after %d kills: %v", kills, err)
	}
	e.checkServerHolds(d, officer, n)
	t.Logf("the killed syncs had pushed %d of %d issues", before, n)
	if fl, _ := d.Feedback(); fl.Count() != n/10 {
		t.Fatalf("device has %d feedback, want %d", fl.Count(), n/10)
	}
	t.Logf("%d SIGKILLs mid-sync; the server holds all %d issues once", kills, n)
}

func TestIssueSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	e := newEnv(t, nil)
	dir := t.TempDir()
	d, officer := e.device(dir, "")
	d.Close()
	for range 6 {
		if !runAndKill(t, "issue", dir, nil) {
			t.Fatal("the issuing process stopped by itself")
		}
	}
	d = openTest(t, dir, nil)
	n := checkLocalConsistency(t, d)
	if n < 6 {
		t.Fatalf("%d issues after 6 rounds that each issued at least one", n)
	}
	if _, err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	e.checkServerHolds(d, officer, n)
	t.Logf("6 SIGKILLs mid-issue; %d issues, each recorded whole and synced once", n)
}

// checkLocalConsistency checks that every counter handed out has its issuance
// and its outbox mutation, and nothing else exists: what one Issue writes is
// all there or not at all. It returns the number of issuances.
func checkLocalConsistency(t *testing.T, d *Device) int {
	t.Helper()
	var n int
	err := d.db.View(func(tx *bolt.Tx) error {
		counter := getU64(bucket(tx, bucketMeta), keyCounter)
		outbox, issuances := bucket(tx, bucketOutbox), bucket(tx, bucketIssuances)
		n = issuances.Stats().KeyN
		if uint64(n) != counter || uint64(outbox.Stats().KeyN) != counter || outbox.Sequence() != counter {
			t.Errorf("counter %d, %d issuances, %d mutations, mutation sequence %d", counter, n, outbox.Stats().KeyN, outbox.Sequence())
		}
		for c := uint64(1); c <= counter; c++ {
			id := string(bucket(tx, bucketByCounter).Get(u64key(c)))
			var is localIssuance
			if ok, err := getJSON(issuances, id, &is); err != nil || !ok || uint64(is.Token.Counter) != c {
				t.Errorf("counter %d: issuance %q missing or wrong (%v)", c, id, err)
				continue
			}
			var m doorstep.Mutation
			if ok, err := getJSON(outbox, string(u64key(is.MutationID)), &m); err != nil || !ok || m.Issuance == nil || m.Issuance.ID != id {
				t.Errorf("counter %d: mutation %d missing or wrong (%v)", c, is.MutationID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// cutProxy runs the contract's cutproxy.py in front of the server: while the
// returned file exists, the server's answers are dropped after it applied the
// request ("applied, ack lost").
func cutProxy(t *testing.T, serverURL string) (proxyURL, cutFile string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", "shared", "contract", "cutproxy.py"))
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no cutproxy.py at %s", script)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	target := serverURL[strings.LastIndex(serverURL, ":")+1:]
	cutFile = filepath.Join(t.TempDir(), "cut")
	cmd := exec.Command(py, script, port, target, cutFile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("cutproxy.py did not start listening")
		}
	}
	return "http://127.0.0.1:" + port, cutFile
}

func TestAckLostThroughCutProxy(t *testing.T) {
	e := newEnv(t, nil)
	proxy, cut := cutProxy(t, e.url)
	d, officer := e.device("", proxy)
	d.pushBatch = 10
	issue := func(k int) {
		for range k {
			is, err := d.Issue(nil)
			if err != nil {
				t.Fatal(err)
			}
			e.feedback(is.URL, 3, "")
		}
	}
	issue(20)
	if err := os.WriteFile(cut, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := d.Sync()
	if doorstep.ErrorCode(err) != doorstep.EUNAVAILABLE {
		t.Fatalf("Sync with every answer lost = %v", err)
	}
	// The server applied the first batch (more than once); the device never
	// heard, so it kept all of it.
	if got := e.summary(officer).Issued; got != 10 {
		t.Fatalf("server holds %d issues after lost acks, want the first batch of 10", got)
	}
	if s, _ := d.Status(); s.Pending != 20 {
		t.Fatalf("device pending %d, want 20", s.Pending)
	}
	os.Remove(cut)
	rep, err := d.Sync()
	if err != nil || rep.Pushed != 20 || rep.Rejected != 0 {
		t.Fatalf("Sync after the cut = %+v, %v", rep, err)
	}
	e.checkServerHolds(d, officer, 20)

	// A link that flaps every few milliseconds while the officer issues and
	// syncs, for a second.
	stop := make(chan struct{})
	flapped := make(chan int)
	go func() {
		n := 0
		defer func() { os.Remove(cut); flapped <- n }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(2+rand.IntN(8)) * time.Millisecond):
			}
			if n%2 == 0 {
				os.WriteFile(cut, nil, 0o644)
			} else {
				os.Remove(cut)
			}
			n++
		}
	}()
	var failures, successes int
	for end := time.Now().Add(time.Second); time.Now().Before(end) || successes == 0 || failures == 0; {
		issue(1)
		if _, err := d.SyncWithin(500); err != nil {
			failures++
		} else {
			successes++
		}
		if failures+successes > 500 {
			break
		}
	}
	close(stop)
	toggles := <-flapped
	s, _ := d.Status()
	total := s.Issued
	if _, err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	e.checkServerHolds(d, officer, total)
	if fl, _ := d.Feedback(); fl.Count() != total {
		t.Fatalf("device has %d feedback, want %d", fl.Count(), total)
	}
	if failures == 0 || successes == 0 {
		t.Fatalf("the flapping link made %d syncs fail and %d succeed: it proves nothing", failures, successes)
	}
	t.Logf("acks lost, then a flapping link (%d toggles; %d syncs failed, %d succeeded): %d issues held once", toggles, failures, successes, total)
}

// Pairing redeems a single-use code: when its answer is lost, the retry is
// refused and the officer is told what probably happened.
func TestPairAnswerLost(t *testing.T) {
	e := newEnv(t, nil)
	proxy, cut := cutProxy(t, e.url)
	if err := os.WriteFile(cut, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	officer := e.officer()
	code := e.pairingCode(officer)
	// The link comes back a little after the server has paired the device (its
	// answer dropped by then), before the device retries.
	go func() {
		for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(time.Millisecond) {
			if ds, _ := e.store.Devices(context.Background(), officer); len(ds) > 0 {
				time.Sleep(150 * time.Millisecond)
				os.Remove(cut)
				return
			}
		}
	}()
	opts := fastOptions()
	opts.InitialBackoffMillis, opts.MaxBackoffMillis = 800, 800
	d := openTest(t, "", opts)
	err := d.Pair(proxy, code, "")
	if doorstep.ErrorCode(err) != doorstep.ECONFLICT || !strings.Contains(err.Error(), "earlier attempt whose answer was lost") {
		t.Fatalf("Pair with its answer lost = %v", err)
	}
	if p, _ := d.Paired(); p {
		t.Fatal("device paired without the server's answer")
	}
}
