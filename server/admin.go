package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	doorstep "github.com/doorstep-project/doorstep"
	"github.com/doorstep-project/doorstep/qrcode"
	"github.com/gin-gonic/gin"
)

const (
	ctxActor = "doorstep.actor"
	// adminTokenActor names the bootstrap admin token in the audit log.
	adminTokenActor = "admin-token"

	// pairingAlphabet has no 0/O, 1/I/L or U/V lookalikes, so a code read
	// aloud or typed from a screen comes out right.
	pairingAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"
	pairingCodeLen  = 10

	defaultListLimit = 100
	maxListLimit     = 1000
)

// adminAuth admits the bootstrap admin token (Bearer) or an admin account
// (HTTP Basic). A trainer's account is refused with 403: trainers see the
// dashboard, never the admin API.
func (s *Server) adminAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		ip := c.ClientIP()
		if s.authLimit.exhausted(ip) {
			s.apiError(c, doorstep.Errorf(doorstep.ERATELIMIT, "too many failed sign-ins from your address: wait a minute"))
			return
		}
		actor, err := s.authenticateAdmin(c)
		if err != nil {
			if doorstep.ErrorCode(err) == doorstep.EUNAUTHORIZED {
				s.authLimit.allow(ip) // count the failure
			}
			s.apiError(c, err)
			return
		}
		c.Set(ctxActor, actor)
		c.Next()
	}
}

// authenticateAdmin returns who is calling: "admin-token" or an admin
// account's username.
func (s *Server) authenticateAdmin(c *gin.Context) (string, error) {
	if tok, ok := bearer(c); ok {
		h := sha256.Sum256([]byte(tok))
		if subtle.ConstantTimeCompare(h[:], s.adminTokenHash) != 1 {
			return "", doorstep.Errorf(doorstep.EUNAUTHORIZED, "wrong admin token")
		}
		return adminTokenActor, nil
	}
	if actor, ok, err := s.adminSession(c); ok { // a dashboard session (session.go)
		return actor, err
	}
	user, pass, ok := c.Request.BasicAuth()
	if !ok {
		return "", doorstep.Errorf(doorstep.EUNAUTHORIZED, "send the admin token as Authorization: Bearer <token>")
	}
	a, err := s.store.AccountByUsername(c.Request.Context(), user)
	switch {
	case doorstep.ErrorCode(err) == doorstep.ENOTFOUND:
		verifyPassword([]byte(dummyPasswordHash), pass) // as slow as for a real account
		return "", doorstep.Errorf(doorstep.EUNAUTHORIZED, "wrong username or password")
	case err != nil:
		return "", err
	case !verifyPassword(a.PasswordHash, pass):
		return "", doorstep.Errorf(doorstep.EUNAUTHORIZED, "wrong username or password")
	case a.Role != doorstep.RoleAdmin:
		return "", doorstep.Errorf(doorstep.EFORBIDDEN, "the admin API is for admins; a %s account cannot use it", a.Role)
	}
	return a.Username, nil
}

func actorOf(c *gin.Context) string { return c.GetString(ctxActor) }

// officerRequest is the body of POST /api/v1/admin/officers.
type officerRequest struct {
	CollarNumber string `json:"collar_number"`
	Name         string `json:"name"`
	Borough      string `json:"borough"`
	Team         string `json:"team"`
}

func (s *Server) handleOfficerCreate() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req officerRequest
		if err := decodeJSON(c, maxAdminBody, &req); err != nil {
			s.apiError(c, err)
			return
		}
		o := &doorstep.Officer{}
		for _, f := range []struct {
			name, val string
			max       int
			required  bool
			dst       *string
		}{
			{"collar_number", req.CollarNumber, 16, true, &o.CollarNumber},
			{"name", req.Name, 100, true, &o.Name},
			{"borough", req.Borough, 64, true, &o.Borough},
			{"team", req.Team, 64, false, &o.Team},
		} {
			v, err := checkField(f.name, f.val, f.max, f.required)
			if err != nil {
				s.apiError(c, err)
				return
			}
			*f.dst = v
		}
		o.CreatedAt = s.now().UTC()
		if err := s.store.CreateOfficer(c.Request.Context(), o); err != nil {
			s.apiError(c, err)
			return
		}
		c.JSON(http.StatusCreated, o)
	}
}

func (s *Server) handleOfficerList() gin.HandlerFunc {
	return func(c *gin.Context) {
		os, err := s.store.Officers(c.Request.Context())
		if err != nil {
			s.apiError(c, err)
			return
		}
		if os == nil {
			os = []*doorstep.Officer{}
		}
		c.JSON(http.StatusOK, os)
	}
}

// officerID reads the :id path parameter as an officer ID. A malformed one
// names no officer: ENOTFOUND.
func officerID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if !doorstep.ValidID(id) {
		return "", doorstep.Errorf(doorstep.ENOTFOUND, "no officer has the id %.40q", id)
	}
	return id, nil
}

// deviceView is a device as the admin API shows it: no secrets.
type deviceView struct {
	ID         uint32     `json:"id"`
	Name       string     `json:"name"`
	PairedAt   time.Time  `json:"paired_at"`
	LastSyncAt *time.Time `json:"last_sync_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func viewDevice(d *doorstep.Device) deviceView {
	return deviceView{ID: d.ID, Name: d.Name, PairedAt: d.PairedAt, LastSyncAt: d.LastSyncAt, RevokedAt: d.RevokedAt}
}

func (s *Server) handleDeviceList() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := officerID(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		ds, err := s.store.Devices(c.Request.Context(), id)
		if err != nil {
			s.apiError(c, err)
			return
		}
		out := make([]deviceView, 0, len(ds))
		for _, d := range ds {
			out = append(out, viewDevice(d))
		}
		c.JSON(http.StatusOK, out)
	}
}

func (s *Server) handleDeviceRevoke() gin.HandlerFunc {
	return func(c *gin.Context) {
		n, err := strconv.ParseUint(c.Param("id"), 10, 32)
		if err != nil || n == 0 {
			s.apiError(c, doorstep.Errorf(doorstep.ENOTFOUND, "no device has the id %.20q", c.Param("id")))
			return
		}
		d, err := s.store.RevokeDevice(c.Request.Context(), uint32(n), s.now().UTC())
		if err != nil {
			s.apiError(c, err)
			return
		}
		s.log.InfoContext(c.Request.Context(), "device revoked", "request_id", requestID(c), "device", d.ID, "actor", actorOf(c))
		c.JSON(http.StatusOK, viewDevice(d))
	}
}

func (s *Server) handleSummary() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := officerID(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		sum, err := s.store.Summary(c.Request.Context(), id)
		if err != nil {
			s.apiError(c, err)
			return
		}
		if sum.Ratings == nil {
			sum.Ratings = map[string]int{}
		}
		for r := 1; r <= 5; r++ {
			if k := strconv.Itoa(r); sum.Ratings[k] == 0 {
				sum.Ratings[k] = 0 // every rating is present, zero or not
			}
		}
		if sum.Responses == 0 {
			sum.MeanRating = nil
		}
		c.JSON(http.StatusOK, sum)
	}
}

// handleOfficerFeedback lists an officer's feedback, comments included. It
// counts as viewing the officer's feedback, so it is audited first.
func (s *Server) handleOfficerFeedback() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := officerID(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		limit, err := listLimit(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		ctx := c.Request.Context()
		if _, err := s.store.Officer(ctx, id); err != nil {
			s.apiError(c, err)
			return
		}
		entry := &doorstep.AuditEntry{At: s.now().UTC(), Actor: actorOf(c), Action: "view_officer", OfficerID: id, Detail: "admin API feedback list"}
		if err := s.store.AppendAudit(ctx, entry); err != nil {
			s.apiError(c, err)
			return
		}
		fbs, err := s.store.OfficerFeedback(ctx, id, doorstep.FeedbackFilter{Limit: limit})
		if err != nil {
			s.apiError(c, err)
			return
		}
		if fbs == nil {
			fbs = []*doorstep.Feedback{}
		}
		c.JSON(http.StatusOK, fbs)
	}
}

// pairingRequest is the body of POST /api/v1/admin/pairing-codes.
type pairingRequest struct {
	OfficerID string `json:"officer_id"`
}

// pairingResponse answers it: the code to type, its expiry and the code as
// an SVG QR image for the device's camera.
type pairingResponse struct {
	Code      string    `json:"code"`
	OfficerID string    `json:"officer_id"`
	ExpiresAt time.Time `json:"expires_at"`
	QRSVG     string    `json:"qr_svg"`
}

func (s *Server) handlePairingCodeCreate() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req pairingRequest
		if err := decodeJSON(c, maxAdminBody, &req); err != nil {
			s.apiError(c, err)
			return
		}
		if !doorstep.ValidID(req.OfficerID) {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "officer_id must be an officer's id"))
			return
		}
		now := s.now().UTC()
		pc := &doorstep.PairingCode{OfficerID: req.OfficerID, CreatedAt: now, ExpiresAt: now.Add(s.pairingValidity)}
		var err error
		for try := 0; try < 3; try++ { // a clash of two random codes is rare; retry it
			pc.Code = newPairingCode()
			if err = s.store.CreatePairingCode(c.Request.Context(), pc); doorstep.ErrorCode(err) != doorstep.ECONFLICT {
				break
			}
		}
		if err != nil {
			s.apiError(c, err)
			return
		}
		qr, err := qrcode.Encode(pc.Code)
		if err != nil {
			s.apiError(c, err)
			return
		}
		c.JSON(http.StatusCreated, &pairingResponse{Code: pc.Code, OfficerID: pc.OfficerID, ExpiresAt: pc.ExpiresAt, QRSVG: string(qr.SVG())})
	}
}

// newPairingCode is pairingCodeLen characters of pairingAlphabet (about 48
// bits): unguessable within a day at the pairing rate limit.
func newPairingCode() string {
	b := make([]byte, pairingCodeLen)
	for i := range b {
		b[i] = pairingAlphabet[randIndex(len(pairingAlphabet))]
	}
	return string(b)
}

// randIndex is a uniform random number in [0, n), n ≤ 256.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// normalizePairingCode lets an officer type a code in lower case, with
// spaces or hyphens.
func normalizePairingCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// accountRequest is the body of POST /api/v1/admin/accounts.
type accountRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

const (
	minPasswordLen = 12
	maxPasswordLen = 256
)

func (s *Server) handleAccountCreate() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req accountRequest
		if err := decodeJSON(c, maxAdminBody, &req); err != nil {
			s.apiError(c, err)
			return
		}
		if !validUsername(req.Username) {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "username must be 3 to 64 characters of a-z, 0-9, '.', '_', '-' or '@'"))
			return
		}
		if n := utf8.RuneCountInString(req.Password); n < minPasswordLen || len(req.Password) > maxPasswordLen {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "password must be %d to %d characters", minPasswordLen, maxPasswordLen))
			return
		}
		if req.Role != doorstep.RoleAdmin && req.Role != doorstep.RoleTrainer {
			s.apiError(c, doorstep.Errorf(doorstep.EINVALID, "role must be %q or %q", doorstep.RoleAdmin, doorstep.RoleTrainer))
			return
		}
		a := &doorstep.Account{Username: req.Username, PasswordHash: hashPassword(req.Password), Role: req.Role, CreatedAt: s.now().UTC()}
		if err := s.store.CreateAccount(c.Request.Context(), a); err != nil {
			s.apiError(c, err)
			return
		}
		c.JSON(http.StatusCreated, a)
	}
}

func validUsername(u string) bool {
	if len(u) < 3 || len(u) > 64 {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@') {
			return false
		}
	}
	return true
}

func (s *Server) handleAudit() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := listLimit(c)
		if err != nil {
			s.apiError(c, err)
			return
		}
		es, err := s.store.Audit(c.Request.Context(), limit)
		if err != nil {
			s.apiError(c, err)
			return
		}
		if es == nil {
			es = []*doorstep.AuditEntry{}
		}
		c.JSON(http.StatusOK, es)
	}
}

// listLimit reads ?limit=, defaultListLimit when absent.
func listLimit(c *gin.Context) (int, error) {
	l, ok := c.GetQuery("limit")
	if !ok {
		return defaultListLimit, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > maxListLimit {
		return 0, doorstep.Errorf(doorstep.EINVALID, "limit must be 1 to %d", maxListLimit)
	}
	return n, nil
}

// handleBackup streams a consistent copy of the store. Once the copy has
// started the status is sent; a failure after that aborts the connection, so
// the client sees a cut transfer, never a short file that looks complete.
func (s *Server) handleBackup() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if err := s.store.Ready(); err != nil {
			s.apiError(c, err)
			return
		}
		name := "doorstep-" + s.now().UTC().Format("20060102T150405Z") + ".db"
		c.Header("Content-Type", "application/octet-stream")
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Status(http.StatusOK)
		n, err := s.store.Backup(ctx, c.Writer)
		s.metrics.backup(s.now(), n, err == nil)
		if err != nil {
			s.log.ErrorContext(ctx, "backup failed", "request_id", requestID(c), "bytes", n, "err", err)
			if !c.Writer.Written() {
				s.apiError(c, err)
				return
			}
			panic(http.ErrAbortHandler)
		}
		s.log.InfoContext(ctx, "backup sent", "request_id", requestID(c), "bytes", n, "actor", actorOf(c))
	}
}

// checkField trims a text field and refuses it when required and empty, too
// long, not UTF-8 or holding control characters.
func checkField(name, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v):
		return "", doorstep.Errorf(doorstep.EINVALID, "%s is not valid UTF-8", name)
	case required && v == "":
		return "", doorstep.Errorf(doorstep.EINVALID, "%s is required", name)
	case utf8.RuneCountInString(v) > max:
		return "", doorstep.Errorf(doorstep.EINVALID, "%s is longer than %d characters", name, max)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return "", doorstep.Errorf(doorstep.EINVALID, "%s holds control characters", name)
		}
	}
	return v, nil
}
