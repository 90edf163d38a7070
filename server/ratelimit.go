package server

import (
	"sync"
	"time"
)

// limiter allows each client a burst of perMin requests, refilled at perMin a
// minute (a token bucket per client address). perMin 0 allows everything.
type limiter struct {
	perMin int
	now    func() time.Time
	mu     sync.Mutex
	bucket map[string]*tokens
	swept  time.Time
}

type tokens struct {
	left float64
	at   time.Time
}

// maxClients bounds the limiter's memory: past it, full buckets are dropped.
const maxClients = 100_000

func newLimiter(perMin int, now func() time.Time) *limiter {
	return &limiter{perMin: perMin, now: now, bucket: make(map[string]*tokens)}
}

// allow takes one token for client, reporting whether there was one.
func (l *limiter) allow(client string) bool {
	if l.perMin <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bucket) >= maxClients || now.Sub(l.swept) > 10*time.Minute {
		l.sweep(now)
	}
	t := l.bucket[client]
	if t == nil {
		t = &tokens{left: float64(l.perMin), at: now}
		l.bucket[client] = t
	}
	t.refill(now, l.perMin)
	if t.left < 1 {
		return false
	}
	t.left--
	return true
}

func (t *tokens) refill(now time.Time, perMin int) {
	if d := now.Sub(t.at); d > 0 {
		t.left += d.Minutes() * float64(perMin)
		if t.left > float64(perMin) {
			t.left = float64(perMin)
		}
		t.at = now
	}
}

// exhausted reports whether client has no token left, without taking one.
func (l *limiter) exhausted(client string) bool {
	if l.perMin <= 0 {
		return false
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.bucket[client]
	if t == nil {
		return false
	}
	t.refill(now, l.perMin)
	return t.left < 1
}

// sweep forgets clients whose bucket has filled up again.
func (l *limiter) sweep(now time.Time) {
	for k, t := range l.bucket {
		t.refill(now, l.perMin)
		if t.left >= float64(l.perMin) {
			delete(l.bucket, k)
		}
	}
	l.swept = now
}
