package sync

import (
	"fmt"
	"strconv"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// HLC is a hybrid logical clock stamp (Kulkarni et al.): wall time in Unix
// milliseconds, and a counter that orders events within one millisecond or
// while the wall clock lags a time already seen.
type HLC struct {
	Wall    int64
	Logical uint32
}

// hlcLen is the width of the text form: 16 hex digits of wall time, 8 of counter.
const hlcLen = 24

// String is fixed width, so text order is clock order.
func (h HLC) String() string { return fmt.Sprintf("%016x%08x", uint64(h.Wall), h.Logical) }

// Less orders stamps.
func (h HLC) Less(o HLC) bool {
	return h.Wall < o.Wall || h.Wall == o.Wall && h.Logical < o.Logical
}

// ParseHLC parses the text form made by String.
func ParseHLC(s string) (HLC, error) {
	if len(s) != hlcLen {
		return HLC{}, doorstep.Errorf(doorstep.EINVALID, "hlc must be %d hex digits", hlcLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return HLC{}, doorstep.Errorf(doorstep.EINVALID, "hlc must be lower-case hex")
		}
	}
	w, _ := strconv.ParseUint(s[:16], 16, 64)
	l, _ := strconv.ParseUint(s[16:], 16, 32)
	if w > 1<<62 {
		return HLC{}, doorstep.Errorf(doorstep.EINVALID, "hlc wall time out of range")
	}
	return HLC{Wall: int64(w), Logical: uint32(l)}, nil
}

// Clock issues HLC stamps. It is not safe for concurrent use: each owner (a
// device store, a server request under the store's write lock) serialises it.
type Clock struct {
	now  func() time.Time
	last HLC
}

// NewClock returns a clock reading wall time from now (time.Now when nil),
// starting after last (the zero HLC for a new clock).
func NewClock(now func() time.Time, last HLC) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now, last: last}
}

// Now returns a stamp later than every stamp this clock has issued or observed.
func (c *Clock) Now() HLC {
	wall := c.now().UnixMilli()
	if wall > c.last.Wall {
		c.last = HLC{Wall: wall}
	} else {
		c.last.Logical++
	}
	return c.last
}

// Observe moves the clock past a stamp seen from elsewhere (the server's time on
// every pull), so that a device whose wall clock is hours behind still stamps
// its next edit after everything it has seen.
func (c *Clock) Observe(h HLC) {
	if c.last.Less(h) {
		c.last = h
	}
}

// Last is the most recent stamp issued or observed, for persisting the clock.
func (c *Clock) Last() HLC { return c.last }
