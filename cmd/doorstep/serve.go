package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/doorstep-project/doorstep/bolt"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/doorstep-project/doorstep/server"
)

// Files in the data dir besides the store.
const (
	serverKeyFile = "server.key"         // 32 random bytes, 0600
	adminHashFile = "admin-token.sha256" // hex SHA-256 of the generated admin token
)

// generatedTokenNote starts the note that shows a newly generated admin token.
const generatedTokenNote = "Admin token (printed this once"

const (
	defaultDataDir         = "./doorstep-data"
	defaultAddr            = "127.0.0.1:8080"
	defaultShutdownTimeout = 10 * time.Second
	minAdminTokenChars     = 16
)

const serveUsage = `Usage: doorstep serve [flags]

Runs the Doorstep server on an embedded store in the data dir: the device API,
the victim pages behind every feedback URL, the admin API, /healthz, /readyz
and /metrics. SIGTERM or SIGINT drains requests and exits 0.

Flags (each also from the environment variable named beside it; a flag given
on the command line wins):
`

const serveEnvUsage = `
Also from the environment:
  DOORSTEP_ADMIN_TOKEN   the admin API token (at least 16 characters). When
                         unset, one is generated on first start, printed once,
                         and only its hash is kept in DIR/admin-token.sha256.
  DOORSTEP_SERVER_KEY    the server key, 32 bytes in base64, which seals the
                         devices' token keys. When unset it is read from
                         --server-key-file, else DIR/server.key (generated on
                         the first start of an empty data dir, never for an
                         existing store). Backups leave it out on purpose: keep
                         a copy apart from them (a secrets manager, a KMS);
                         without it no paired device's codes can be verified.

The retention job runs at start and every --retention-every: it deletes
call-back requests older than --retention-contact and blanks feedback comments
older than --retention-text. GET /healthz (alive), /readyz (store open) and
/metrics (Prometheus, doorstep_*) need no token; see docs/operations.md.
`

// runServe runs "doorstep serve" until ctx is done.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr, serveUsage, serveEnvUsage)
	data := fs.String("data", defaultDataDir, "data `DIR` holding the store, the server key and the admin token hash")
	addr := fs.String("addr", defaultAddr, "`HOST:PORT` to listen on")
	publicURL := fs.String("public-url", "", "`URL` every feedback URL starts with, as victims reach the server (default http://ADDR)")
	validity := daysFlag(server.DefaultTokenValidity)
	fs.Var(&validity, "token-validity", "how long a feedback code stays valid: `DAYS`d (such as 90d) or a Go duration")
	logFormat := fs.String("log-format", "text", "log `FORMAT`: text or json (one JSON object a line, for a log shipper)")
	keyFile := fs.String("server-key-file", "", "read the server key from `FILE` (32 bytes, or their base64; such as a mounted secret) instead of DIR/server.key; never generated")
	replaceKey := fs.Bool("replace-lost-server-key", false, "the server key of this store is lost: write a new DIR/server.key and start anyway (every paired device must pair again)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate chain `FILE` (PEM); with --tls-key, serve HTTPS. Re-read when the file changes")
	tlsKey := fs.String("tls-key", "", "TLS private key `FILE` (PEM) of --tls-cert")
	proxies := fs.String("trusted-proxies", "", "comma-separated `ADDRS` (IPs or CIDRs) of reverse proxies whose X-Forwarded-For names the client; empty: the peer is the client")
	submitsPerMin := fs.Int("submits-per-minute", server.DefaultSubmitsPerMin, "victim feedback submits allowed per client address a minute (`N`; 0: no limit)")
	retainContact := daysFlag(server.DefaultRetainContact)
	fs.Var(&retainContact, "retention-contact", "how long victims' call-back requests are kept (`DAYS`d or a Go duration), handled or not")
	retainText := daysFlag(server.DefaultRetainText)
	fs.Var(&retainText, "retention-text", "how long the free text of feedback is kept (`DAYS`d or a Go duration); ratings and answers are kept")
	retentionEvery := fs.Duration("retention-every", server.DefaultRetentionEvery, "how often the retention job runs (`DURATION`); it also runs at start")
	shutdownTimeout := fs.Duration("shutdown-timeout", defaultShutdownTimeout, "how long SIGTERM waits for requests in flight (`DURATION`) before cutting them")
	maxBatchSize := fs.Int("max-batch-size", bolt.DefaultMaxBatchSize, "group commit: at most `N` concurrent writes share one transaction and fsync; 1 turns group commit off (one fsync per request, the baseline for load tests)")
	maxBatchDelay := fs.Duration("max-batch-delay", bolt.DefaultMaxBatchDelay, "group commit: a batch of concurrent writes commits this `DURATION` after its first write at the latest (a lone writer never waits)")
	if help, err := parseFlags(fs, args, getenv); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	trusted := splitList(*proxies)
	if *submitsPerMin < 0 {
		return usagef("serve: --submits-per-minute must be 0 or more")
	}
	if *retentionEvery < time.Minute || *shutdownTimeout <= 0 {
		return usagef("serve: --retention-every must be at least 1m and --shutdown-timeout positive")
	}
	if *maxBatchSize < 1 || *maxBatchDelay <= 0 {
		return usagef("serve: --max-batch-size must be 1 or more and --max-batch-delay positive")
	}
	batchSize := *maxBatchSize
	if batchSize == 1 {
		batchSize = -1 // bolt: batching off, every write commits alone
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return usagef("serve: --log-format must be text or json, not %q", *logFormat)
	}
	log := slog.New(handler)
	var certs *certReloader
	if *tlsCert != "" {
		var err error
		if certs, err = newCertReloader(*tlsCert, *tlsKey, log); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	pub := *publicURL
	if pub == "" {
		pub = defaultPublicURL(*addr, certs != nil)
	}

	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("serve: data dir: %w", err)
	}
	// The store verifies pushed tokens with the server key, so the key comes
	// first (a second server on this data dir only reads it); the store's file
	// lock then keeps a second server out before anything is written.
	storePath := filepath.Join(*data, bolt.DefaultFileName)
	_, statErr := os.Stat(storePath)
	if *replaceKey {
		if _, err := os.Stat(filepath.Join(*data, serverKeyFile)); err == nil || *keyFile != "" || getenv("DOORSTEP_SERVER_KEY") != "" {
			return usagef("serve: --replace-lost-server-key is for a store whose key is lost: there is one (in %s, --server-key-file or DOORSTEP_SERVER_KEY)", *data)
		}
	}
	key, keyNote, err := loadServerKey(*data, *keyFile, getenv, statErr == nil && !*replaceKey)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	check, err := server.TokenChecker(key)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	store, err := bolt.Open(storePath, bolt.Options{CheckToken: check, MaxBatchSize: batchSize, MaxBatchDelay: *maxBatchDelay})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer store.Close()
	if *replaceKey {
		log.Warn("started with a new server key: devices paired before cannot sync and their codes cannot be answered; revoke them and pair the phones again")
	} else if err := server.CheckServerKey(ctx, store, key); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	leaflets, err := leaflet.Default()
	if err != nil {
		return fmt.Errorf("serve: leaflet content: %w", err)
	}
	tokenHash, tokenNote, err := loadAdminToken(*data, getenv)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv, err := server.New(server.Options{
		Store:          store,
		PublicURL:      pub,
		AdminTokenHash: tokenHash,
		ServerKey:      key,
		TokenValidity:  time.Duration(validity),
		Logger:         log,
		Leaflets:       leaflets,
		TrustedProxies: trusted,
		StoreStats:     func() server.StoreStats { return storeStats(store.Stats()) },
		RetainContact:  time.Duration(retainContact),
		RetainText:     time.Duration(retainText),
		// the flag's 0 (no limit) is the option's negative
		SubmitsPerMinute: cmp.Or(*submitsPerMin, -1),
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %w", *addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
		// No WriteTimeout: a backup of a large store streams for as long as it takes.
	}
	scheme := "http"
	if certs != nil {
		scheme = "https"
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
	}
	base := scheme + "://" + ln.Addr().String()
	if *logFormat == "json" {
		// Every line is JSON for the log shipper; only a newly generated
		// admin token, which is shown this once, is printed as text.
		if strings.HasPrefix(tokenNote, generatedTokenNote) {
			fmt.Fprint(stderr, tokenNote)
		}
	} else {
		printBanner(stderr, base, *data, keyNote, pub, tokenNote)
	}

	// The retention job runs beside the server and stops before the store closes.
	rctx, stopRetention := context.WithCancel(context.WithoutCancel(ctx))
	retentionDone := make(chan struct{})
	go func() {
		defer close(retentionDone)
		srv.RunRetention(rctx, *retentionEvery)
	}()
	defer func() { stopRetention(); <-retentionDone }()

	served := make(chan error, 1)
	go func() {
		if certs != nil {
			served <- hs.ServeTLS(ln, "", "")
		} else {
			served <- hs.Serve(ln)
		}
	}()
	log.Info("serving", "addr", ln.Addr().String(), "tls", certs != nil, "public_url", pub, "data", *data, "server_key", keyNote,
		"trusted_proxies", len(trusted),
		"retention_contact", time.Duration(retainContact).String(), "retention_text", time.Duration(retainText).String())
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		log.Warn("requests still running at the shutdown timeout were cut", "err", err)
	}
	stopRetention()
	<-retentionDone
	if err := store.Close(); err != nil {
		return fmt.Errorf("serve: closing the store: %w", err)
	}
	log.Info("stopped")
	return nil
}

// printBanner tells a person at a terminal where the server is and what to
// do next (text logs only).
func printBanner(stderr io.Writer, base, data, keyNote, pub, tokenNote string) {
	fmt.Fprintf(stderr, "doorstep: serving on %s, data in %s %s; feedback URLs start with %s\n", base, data, keyNote, pub)
	fmt.Fprint(stderr, tokenNote)
	fmt.Fprintf(stderr, `Next steps:
  export DOORSTEP_SERVER=%[1]s DOORSTEP_ADMIN_TOKEN=...   # the admin token
  doorstep admin officer add --collar 1234AB --name "Alex Smith" --borough Hackney --team "Response 1"
  doorstep admin pairing-code --officer OFFICER_ID            # give the code to the officer
  doorstep device --state ./phone pair --server %[1]s --code CODE
  or with curl:
  curl -H "Authorization: Bearer $DOORSTEP_ADMIN_TOKEN" -H 'Content-Type: application/json' \
       -d '{"collar_number":"1234AB","name":"Alex Smith","borough":"Hackney","team":"Response 1"}' %[1]s/api/v1/admin/officers
  curl %[1]s/readyz ; curl %[1]s/metrics ; curl %[1]s/api/v1/openapi.json
`, base)
}

// defaultPublicURL is http://ADDR, with a loopback host when ADDR listens on
// every interface (devices then need --public-url to reach it).
func defaultPublicURL(addr string, tls bool) string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + net.JoinHostPort(host, port)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// storeStats hands the embedded store's figures to the server's /metrics.
func storeStats(st bolt.Stats) server.StoreStats {
	return server.StoreStats{
		FileBytes: st.FileBytes, DataBytes: st.DataBytes,
		FreePages: st.FreePages, PendingPages: st.PendingPages, FreeBytes: st.FreeBytes,
		ReadTxTotal: st.ReadTxTotal, OpenReadTx: st.OpenReadTx,
		PageWritesTotal: st.PageWritesTotal, WriteTime: st.WriteTime,
		SpillTime: st.SpillTime, RebalanceTime: st.RebalanceTime,
		NodeSplitsTotal: st.NodeSplitsTotal, RebalancesTotal: st.RebalancesTotal,
	}
}

// loadServerKey reads DOORSTEP_SERVER_KEY (base64), keyFile or DIR/server.key,
// generating the file on first start. It says where the key came from. It
// never generates a key for a store that exists (storeExists): a restored
// store started without its key would refuse every paired device's codes.
func loadServerKey(dir, keyFile string, getenv func(string) string, storeExists bool) ([]byte, string, error) {
	if v := strings.TrimSpace(getenv("DOORSTEP_SERVER_KEY")); v != "" {
		key, err := decodeKey(v)
		if err != nil || len(key) != server.ServerKeySize {
			return nil, "", fmt.Errorf("DOORSTEP_SERVER_KEY must be %d bytes in base64", server.ServerKeySize)
		}
		return key, "with the server key from DOORSTEP_SERVER_KEY", nil
	}
	if keyFile != "" {
		key, err := readServerKeyFile(keyFile)
		if err != nil {
			return nil, "", err
		}
		return key, "with the server key in " + keyFile, nil
	}
	path := filepath.Join(dir, serverKeyFile)
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != server.ServerKeySize {
			return nil, "", fmt.Errorf("%s holds %d bytes, want %d: restore it from a backup", path, len(key), server.ServerKeySize)
		}
		return key, "with the server key in " + path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("reading the server key: %w", err)
	}
	if storeExists {
		return nil, "", fmt.Errorf("%s holds a store but no %s: put the server key kept apart from the backup there "+
			"(doorstep restore --server-key-file) or name it with --server-key-file or DOORSTEP_SERVER_KEY; a new key would make every paired device's codes unverifiable (if it is lost for good: --replace-lost-server-key)",
			dir, serverKeyFile)
	}
	key = make([]byte, server.ServerKeySize)
	_, _ = rand.Read(key)
	if err := writeFileAtomic(path, key, 0o600); err != nil {
		return nil, "", fmt.Errorf("writing a new server key: %w", err)
	}
	return key, "with a new server key in " + path + " (back it up with the store)", nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// loadAdminToken returns the admin token's hash: from DOORSTEP_ADMIN_TOKEN,
// from DIR/admin-token.sha256, or for a new token that it generates, keeps
// the hash of and prints once. The note tells the operator which.
func loadAdminToken(dir string, getenv func(string) string) ([]byte, string, error) {
	if tok := getenv("DOORSTEP_ADMIN_TOKEN"); tok != "" {
		if len(tok) < minAdminTokenChars {
			return nil, "", fmt.Errorf("DOORSTEP_ADMIN_TOKEN is shorter than %d characters", minAdminTokenChars)
		}
		return server.HashAdminToken(tok), "Admin token: the one in DOORSTEP_ADMIN_TOKEN.\n", nil
	}
	path := filepath.Join(dir, adminHashFile)
	b, err := os.ReadFile(path)
	if err == nil {
		h, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(h) != 32 {
			return nil, "", fmt.Errorf("%s is damaged: delete it to generate a new admin token", path)
		}
		return h, fmt.Sprintf("Admin token: the one generated on first start and printed then (only its hash is kept, in %s).\n"+
			"  Lost it? Stop the server, delete that file and start again for a new one, or set DOORSTEP_ADMIN_TOKEN.\n", path), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("reading the admin token hash: %w", err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	h := server.HashAdminToken(tok)
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(h)+"\n"), 0o600); err != nil {
		return nil, "", fmt.Errorf("writing the admin token hash: %w", err)
	}
	return h, fmt.Sprintf(generatedTokenNote+"; only its hash is kept, in %s):\n\n    %s\n\n", path, tok), nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed into place, so that a crash leaves either the
// old file or the whole new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	return commitTemp(f, path, perm)
}

// commitTemp chmods, syncs and closes the temporary file f and renames it to
// path, then syncs the directory. It removes f on failure.
func commitTemp(f *os.File, path string, perm os.FileMode) error {
	err := f.Chmod(perm)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// newFlagSet makes a flag set whose -h prints head, the flags with their
// environment variable names, then tail.
func newFlagSet(name string, stderr io.Writer, head, tail string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprint(out, head)
		fs.VisitAll(func(f *flag.Flag) {
			argName, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  --%s %s   (%s)\n", f.Name, argName, envName(f.Name))
			fmt.Fprintf(out, "        %s", usage)
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(out, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(out)
		})
		fmt.Fprint(out, tail)
	}
	return fs
}

// envName is the environment variable of a flag: --public-url is
// DOORSTEP_PUBLIC_URL. --token, the admin token, is DOORSTEP_ADMIN_TOKEN.
func envName(flagName string) string {
	if flagName == "token" {
		return "DOORSTEP_ADMIN_TOKEN"
	}
	return "DOORSTEP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then sets every flag not given on the command line
// from its environment variable. help reports that -h was asked for (and
// printed), which is not an error.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usagef("%s: %v", fs.Name(), err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usagef("%s=%q: %v", envName(f.Name), v, serr)
			}
		}
	})
	return false, err
}

// daysFlag is a duration that also reads whole days: "90d".
type daysFlag time.Duration

func (d *daysFlag) String() string {
	td := time.Duration(*d)
	if td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return td.String()
}

func (d *daysFlag) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 || days > 3650 {
			return errors.New("want a number of days from 1 to 3650, such as 90d")
		}
		*d = daysFlag(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < time.Hour {
		return errors.New("want days (90d) or a duration of at least 1h")
	}
	*d = daysFlag(v)
	return nil
}
