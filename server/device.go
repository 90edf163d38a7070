package server

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	dsync "github.com/doorstep-project/doorstep/sync"
	"github.com/gin-gonic/gin"
)

const ctxDevice = "doorstep.device"

// handlePair redeems a pairing code: the device gets its ID, the officer's
// profile, a sync credential and a token key; the store keeps the
// credential's hash and the key sealed under the server key.
func (s *Server) handlePair() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.pairLimit.allow(c.ClientIP()) {
			s.apiError(c, doorstep.Errorf(doorstep.ERATELIMIT, "too many pairing attempts: wait a minute and try again"))
			return
		}
		body, err := readLimited(c, dsync.MaxPairBytes)
		if err != nil {
			s.apiError(c, err)
			return
		}
		req, err := dsync.DecodePair(bytes.NewReader(body))
		if err != nil {
			s.apiError(c, err)
			return
		}
		secret, hash := newCredential()
		key := newTokenKey()
		d := &doorstep.Device{
			Name:           strings.TrimSpace(req.DeviceName),
			CredentialHash: hash,
			KeyCiphertext:  s.keys.seal(key),
		}
		now := s.now().UTC()
		officer, err := s.store.Pair(c.Request.Context(), normalizePairingCode(req.Code), now, d)
		if err != nil {
			s.apiError(c, err)
			return
		}
		c.JSON(http.StatusCreated, &dsync.PairResponse{
			DeviceID:          d.ID,
			Officer:           *officer,
			Credential:        strconv.FormatUint(uint64(d.ID), 10) + "." + secret,
			TokenKey:          key,
			PublicURL:         s.publicURL,
			TokenValidityDays: int(s.tokenValidity / (24 * time.Hour)),
			ServerTime:        now,
			ServerHLC:         s.clock.stamp(),
		})
	}
}

// deviceAuth authenticates a device by its bearer credential. An unknown
// device or a wrong secret is 401; a revoked device is 403 "revoked".
func (s *Server) deviceAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		cred, ok := bearer(c)
		if !ok {
			s.apiError(c, doorstep.Errorf(doorstep.EUNAUTHORIZED, "send the device credential as Authorization: Bearer <credential>"))
			return
		}
		id, hash, err := parseCredential(cred)
		if err != nil {
			s.apiError(c, err)
			return
		}
		d, err := s.store.Device(c.Request.Context(), id)
		if doorstep.ErrorCode(err) == doorstep.ENOTFOUND || err == nil && !equalHash(d.CredentialHash, hash) {
			s.apiError(c, doorstep.Errorf(doorstep.EUNAUTHORIZED, "the server does not know this device credential: pair the device again"))
			return
		}
		if err != nil {
			s.apiError(c, err)
			return
		}
		if d.Revoked() {
			s.apiError(c, doorstep.Errorf(doorstep.EREVOKED, "this device was revoked on %s: it can no longer sync", d.RevokedAt.UTC().Format(time.RFC3339)))
			return
		}
		c.Set(ctxDevice, d)
		c.Next()
	}
}

func deviceOf(c *gin.Context) *doorstep.Device {
	d, _ := c.MustGet(ctxDevice).(*doorstep.Device)
	return d
}

// handlePush applies a batch of the device's outbox.
func (s *Server) handlePush() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := deviceOf(c)
		body, err := readLimited(c, dsync.MaxPushBytes)
		if err != nil {
			s.apiError(c, err)
			return
		}
		req, err := dsync.DecodePush(bytes.NewReader(body))
		if err != nil {
			s.apiError(c, err)
			return
		}
		res, err := s.store.ApplyMutations(c.Request.Context(), d.ID, req.Mutations, s.now().UTC())
		if err != nil {
			s.apiError(c, err)
			return
		}
		for _, r := range res.Results {
			if r.ID > d.LastMutationID { // not a replay answered as before
				s.metrics.mutation(r.Status, 1)
			}
		}
		if res.Results == nil {
			res.Results = []doorstep.MutationResult{}
		}
		c.JSON(http.StatusOK, &dsync.PushResponse{PushResult: *res, ServerHLC: s.clock.stamp()})
	}
}

// handlePull answers one page of the device's change feed.
func (s *Server) handlePull() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := deviceOf(c)
		if _, err := url.ParseQuery(c.Request.URL.RawQuery); err != nil {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "the query string is malformed"))
			return
		}
		after, err := dsync.DecodeCursor(c.Query("cursor"))
		if err != nil {
			s.apiError(c, err)
			return
		}
		limit := dsync.DefaultPullLimit
		if l, ok := c.GetQuery("limit"); ok {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > dsync.MaxPullLimit {
				s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "limit must be 1 to %d", dsync.MaxPullLimit))
				return
			}
			limit = n
		}
		changes, next, more, err := s.store.Changes(c.Request.Context(), d.ID, after, limit)
		if err != nil {
			s.apiError(c, err)
			return
		}
		if changes == nil {
			changes = []doorstep.Change{}
		}
		c.JSON(http.StatusOK, &dsync.PullResponse{
			Changes:   changes,
			Cursor:    dsync.EncodeCursor(next),
			More:      more,
			ServerHLC: s.clock.stamp(),
		})
	}
}

// bearer returns the credential of an "Authorization: Bearer" header.
func bearer(c *gin.Context) (string, bool) {
	h := c.GetHeader("Authorization")
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}

// verifyIgnoringExpiry checks a token's MAC under key. An expired token is
// still authentic: an issue made offline may reach the server after its code
// expired, and the record of it is true.
func verifyIgnoringExpiry(key []byte, text string) (qrcode.Token, error) {
	tok, err := qrcode.Verify(key, text, time.Now())
	if doorstep.ErrorCode(err) == doorstep.EEXPIRED {
		err = nil
	}
	return tok, err
}

// serverClock is the server's hybrid logical clock, shared by requests.
type serverClock struct {
	mu sync.Mutex
	c  *dsync.Clock
}

func newServerClock(now func() time.Time) *serverClock {
	return &serverClock{c: dsync.NewClock(now, dsync.HLC{})}
}

// stamp is the server's HLC now, for responses that devices observe.
func (s *serverClock) stamp() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Now().String()
}
