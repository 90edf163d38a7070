package server

import (
	"sync"
	"time"
)

// Sign-in backoff. After loginUserFailures wrong passwords for one username
// (or loginAddrFailures from one client address) within loginFailureWindow,
// further attempts are refused without checking the password, first for
// loginBaseLock and then twice as long after each further failure, up to
// loginMaxLock. A good password clears the username's count.
const (
	loginUserFailures  = 5
	loginAddrFailures  = 20
	loginFailureWindow = 15 * time.Minute
	loginBaseLock      = 30 * time.Second
	loginMaxLock       = 15 * time.Minute
	loginMaxKeys       = 100_000
)

type loginThrottle struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*loginFailures
}

type loginFailures struct {
	n     int
	last  time.Time
	until time.Time
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, m: make(map[string]*loginFailures)}
}

// wait is how long key must still wait before its next attempt (0: go ahead).
func (l *loginThrottle) wait(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.m[key]; f != nil && now.Before(f.until) {
		return f.until.Sub(now)
	}
	return 0
}

// fail counts a failed attempt for key, locking it past threshold.
func (l *loginThrottle) fail(key string, threshold int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) >= loginMaxKeys {
		for k, f := range l.m {
			if now.Sub(f.last) > loginFailureWindow && !now.Before(f.until) {
				delete(l.m, k)
			}
		}
	}
	f := l.m[key]
	if f == nil || now.Sub(f.last) > loginFailureWindow && !now.Before(f.until) {
		f = &loginFailures{}
		l.m[key] = f
	}
	f.n++
	f.last = now
	if over := f.n - threshold; over >= 0 {
		lock := loginBaseLock
		for i := 0; i < over && lock < loginMaxLock; i++ {
			lock *= 2
		}
		f.until = now.Add(min(lock, loginMaxLock))
	}
}

// clear forgets key's failures.
func (l *loginThrottle) clear(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}
