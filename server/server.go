// Package server is Doorstep's HTTP server: the device API (pairing, push,
// pull), the victim pages behind every feedback URL, the admin API, health,
// readiness and metrics.
//
// Every route is listed in routes.go. Handlers are methods returning a
// gin.HandlerFunc, so each one sets up what it needs once, when the routes are
// built. Domain errors (doorstep.Error) become HTTP statuses in one place,
// statusFor; the API answers them as sync.ErrorResponse JSON, the victim pages
// as a kind HTML page.
package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/leaflet"
	"github.com/gin-gonic/gin"
)

// Defaults for Options fields left zero.
const (
	DefaultTokenValidity   = 90 * 24 * time.Hour
	DefaultPairingValidity = 24 * time.Hour
	DefaultSubmitsPerMin   = 10
	DefaultPairsPerMin     = 10
	// DefaultLeafletsPerMin limits leaflet downloads (a PDF costs tens of
	// milliseconds to render) per client address.
	DefaultLeafletsPerMin = 20
	// DefaultAuthFailuresPerMin is how many wrong admin tokens or passwords
	// one client address may send a minute before it is answered 429.
	DefaultAuthFailuresPerMin = 20
	// QuickExitURL is where the "Quick exit" link on every victim page leads: a
	// neutral site that gives nothing away on a shared screen.
	QuickExitURL = "https://www.bbc.co.uk/weather"
)

// Options configure a Server. Store, PublicURL, AdminTokenHash and ServerKey
// are required; the rest have defaults.
type Options struct {
	// Store keeps everything. The server never closes it.
	Store doorstep.Store
	// PublicURL is the scheme and host every feedback URL starts with, such
	// as https://doorstep.example.org. Devices learn it at pairing. Cookies
	// are Secure when it is https.
	PublicURL string
	// AdminTokenHash is SHA-256 of the bootstrap admin API token (see
	// HashAdminToken). The token itself is never held.
	AdminTokenHash []byte
	// ServerKey (32 bytes) seals device token keys with AES-256-GCM and keys
	// the victim pages' CSRF tokens. Losing it makes every paired device's
	// codes unverifiable.
	ServerKey []byte
	// TokenValidity is how long a feedback code stays valid after it is
	// issued; devices learn it at pairing. Zero means DefaultTokenValidity.
	TokenValidity time.Duration
	// PairingValidity is how long a new pairing code stays redeemable. Zero
	// means DefaultPairingValidity.
	PairingValidity time.Duration
	// Logger receives one line per request (route template, never the URL
	// path, which may hold a token) and every internal error. Nil discards.
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Location is the time zone victim pages show dates in. Nil means UTC.
	Location *time.Location
	// Leaflets is the Victims' Code content: victim pages show the rights and
	// support contacts from it, in the language the browser asks for, and
	// offer the leaflet again as a PDF. Nil leaves both out.
	Leaflets *leaflet.Library
	// SubmitsPerMinute limits victim feedback submits per client address
	// (429 past it). Zero means DefaultSubmitsPerMin; negative turns the
	// limit off (tests).
	SubmitsPerMinute int
	// PairsPerMinute limits pairing attempts per client address, so that
	// pairing codes cannot be guessed. Zero means DefaultPairsPerMin;
	// negative turns the limit off.
	PairsPerMinute int
	// LeafletsPerMinute limits leaflet PDF downloads per client address. Zero
	// means DefaultLeafletsPerMin; negative turns the limit off.
	LeafletsPerMinute int
	// AuthFailuresPerMinute limits failed admin API authentications per
	// client address. Zero means DefaultAuthFailuresPerMin; negative turns
	// the limit off.
	AuthFailuresPerMinute int
	// TrustedProxies are the addresses (or CIDRs) of reverse proxies whose
	// X-Forwarded-For names the client. Empty: the peer address is the client.
	TrustedProxies []string
	// StoreStats, when set, gives the store's figures (file size, freelist,
	// transactions) that /metrics shows as doorstep_bolt_*. The embedded
	// store's command wires it to bolt.DB.Stats.
	StoreStats func() StoreStats
	// RetainContact is how long victims' call-back requests are kept, and
	// RetainText how long the free text of feedback is (ratings and answers
	// are kept). RunRetention enforces both. Zero means
	// DefaultRetainContact and DefaultRetainText.
	RetainContact time.Duration
	RetainText    time.Duration
}

// Server is the HTTP handler of Doorstep. It is safe for concurrent use.
type Server struct {
	store           doorstep.Store
	publicURL       string
	secureCookies   bool
	adminTokenHash  []byte
	keys            *keyring
	tokenValidity   time.Duration
	pairingValidity time.Duration
	log             *slog.Logger
	now             func() time.Time
	loc             *time.Location
	leaflets        atomic.Pointer[leaflet.Library] // library(): embedded content with published versions applied
	contentMu       sync.Mutex                      // serialises publishing
	renderer        *leaflet.Renderer
	submitLimit     *limiter
	leafletLimit    *limiter
	authLimit       *limiter
	pairLimit       *limiter
	clock           *serverClock
	metrics         *metrics
	pages           map[string]*template.Template
	catalog         catalog
	openapi         []byte
	router          *gin.Engine
	storeStats      func() StoreStats
	retainContact   time.Duration
	retainText      time.Duration
}

// HashAdminToken is what Options.AdminTokenHash holds for token.
func HashAdminToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// New checks opts and builds a Server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("server: Options.Store is required")
	}
	pub, err := checkPublicURL(opts.PublicURL)
	if err != nil {
		return nil, err
	}
	if len(opts.AdminTokenHash) != sha256.Size {
		return nil, errors.New("server: Options.AdminTokenHash must be a SHA-256 hash (32 bytes)")
	}
	keys, err := newKeyring(opts.ServerKey)
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:           opts.Store,
		publicURL:       pub,
		secureCookies:   strings.HasPrefix(pub, "https:"),
		adminTokenHash:  append([]byte(nil), opts.AdminTokenHash...),
		keys:            keys,
		tokenValidity:   opts.TokenValidity,
		pairingValidity: opts.PairingValidity,
		log:             opts.Logger,
		now:             opts.Now,
		loc:             opts.Location,
		metrics:         newMetrics(),
		catalog:         newCatalog(),
		storeStats:      opts.StoreStats,
	}
	if s.retainContact, s.retainText, err = retentionPeriods(opts.RetainContact, opts.RetainText); err != nil {
		return nil, err
	}
	if s.tokenValidity == 0 {
		s.tokenValidity = DefaultTokenValidity
	}
	if s.tokenValidity < time.Hour {
		return nil, fmt.Errorf("server: token validity %v is under an hour", s.tokenValidity)
	}
	if s.pairingValidity <= 0 {
		s.pairingValidity = DefaultPairingValidity
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	s.submitLimit = newLimiter(perMinute(opts.SubmitsPerMinute, DefaultSubmitsPerMin), s.now)
	s.pairLimit = newLimiter(perMinute(opts.PairsPerMinute, DefaultPairsPerMin), s.now)
	s.leafletLimit = newLimiter(perMinute(opts.LeafletsPerMinute, DefaultLeafletsPerMin), s.now)
	s.authLimit = newLimiter(perMinute(opts.AuthFailuresPerMinute, DefaultAuthFailuresPerMin), s.now)
	if opts.Leaflets != nil {
		if s.renderer, err = leaflet.NewRenderer(); err != nil {
			return nil, fmt.Errorf("server: leaflet renderer: %w", err)
		}
		lib, err := s.applyPublished(context.Background(), opts.Leaflets)
		if err != nil {
			return nil, err
		}
		s.leaflets.Store(lib)
	}
	s.clock = newServerClock(s.now)
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s.router = gin.New()
	s.router.HandleMethodNotAllowed = true
	s.router.RedirectTrailingSlash = false
	if err := s.router.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	s.routes()
	if s.openapi, err = openAPIDocument(); err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// perMinute reads a rate option: zero means def, negative means unlimited (0).
func perMinute(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// checkPublicURL accepts an http(s) URL with a host and no path, query or
// fragment, and returns it without a trailing slash.
func checkPublicURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("server: public URL %q must be http(s)://HOST[:PORT] with no path", raw)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}
