package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certRecheck is how often a handshake may look at the certificate files
// for a renewed pair.
const certRecheck = time.Minute

// certReloader serves the TLS certificate in certFile and keyFile, and picks
// up a renewed pair (an ACME client, a certificate rotation) without a
// restart: at most once a certRecheck a handshake compares the files'
// modification times and reloads them. A pair that does not load is logged
// and the old one kept.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger
	now               func() time.Time

	mu        sync.Mutex
	cert      *tls.Certificate
	certMod   time.Time
	keyMod    time.Time
	checkedAt time.Time
}

func newCertReloader(certFile, keyFile string, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log, now: time.Now}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads the pair; the caller holds mu or owns r.
func (r *certReloader) load() error {
	cm, km, err := r.modTimes()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s and key %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert, r.certMod, r.keyMod, r.checkedAt = &cert, cm, km, r.now()
	return nil
}

func (r *certReloader) modTimes() (time.Time, time.Time, error) {
	cf, err := os.Stat(r.certFile)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("TLS certificate: %w", err)
	}
	kf, err := os.Stat(r.keyFile)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("TLS key: %w", err)
	}
	return cf.ModTime(), kf.ModTime(), nil
}

// get is tls.Config.GetCertificate.
func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checkedAt) >= certRecheck {
		r.checkedAt = now
		cm, km, err := r.modTimes()
		if err == nil && (!cm.Equal(r.certMod) || !km.Equal(r.keyMod)) {
			old := r.cert
			if err = r.load(); err != nil {
				r.cert = old
			} else {
				r.log.Info("TLS certificate reloaded", "cert", r.certFile)
			}
		}
		if err != nil {
			r.log.Warn("TLS certificate not reloaded; serving the previous one", "err", err)
		}
	}
	return r.cert, nil
}
