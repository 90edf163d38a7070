package mobileapi

import (
	"math/rand/v2"
	"time"

	doorstep "github.com/doorstep-project/doorstep"
)

// SyncListener hears from the background sync started by StartAutoSync. Its
// methods run on the loop's goroutine and should return quickly.
type SyncListener interface {
	// SyncDone reports a sync that completed.
	SyncDone(report *SyncReport)
	// SyncFailed reports a failed sync with its error code and message (as
	// ErrorCode and ErrorMessage give them). retryInMillis is when the loop
	// tries again, or -1 when it has stopped for good (a revoked or unpaired
	// device).
	SyncFailed(code, message string, retryInMillis int64)
}

// autoSync is the state of a running background loop.
type autoSync struct {
	stop  chan struct{}
	done  chan struct{}
	nudge chan struct{}
}

// StartAutoSync syncs in the background until StopAutoSync or Close: at once,
// again soon after every Issue or Void, and every intervalMillis otherwise
// (0: five minutes), so that codes issued offline reach the server as soon as
// there is signal without the officer asking. A failed sync is retried with
// capped exponential backoff and jitter, never more often than the client's
// InitialBackoffMillis and never later than intervalMillis. A revoked or
// unpaired device stops the loop. listener may be nil. Starting a running loop
// restarts it with the new interval.
func (d *Device) StartAutoSync(intervalMillis int64, listener SyncListener) {
	d.StopAutoSync()
	if intervalMillis <= 0 {
		intervalMillis = 5 * 60 * 1000
	}
	a := &autoSync{stop: make(chan struct{}), done: make(chan struct{}), nudge: make(chan struct{}, 1)}
	d.autoMu.Lock()
	d.auto = a
	d.autoMu.Unlock()
	go d.autoSyncLoop(a, millis(intervalMillis), listener)
}

// StopAutoSync stops the background loop, cancelling a sync in flight, and
// waits for it to end. What that sync had stored stays stored.
func (d *Device) StopAutoSync() {
	d.autoMu.Lock()
	a := d.auto
	d.auto = nil
	d.autoMu.Unlock()
	if a == nil {
		return
	}
	close(a.stop)
	d.CancelSync()
	<-a.done
}

// nudgeAutoSync asks a running loop to sync now (after an Issue or Void).
func (d *Device) nudgeAutoSync() {
	d.autoMu.Lock()
	a := d.auto
	d.autoMu.Unlock()
	if a == nil {
		return
	}
	select {
	case a.nudge <- struct{}{}:
	default:
	}
}

func (d *Device) autoSyncLoop(a *autoSync, interval time.Duration, l SyncListener) {
	defer close(a.done)
	failures := 0
	for {
		select {
		case <-a.stop:
			return
		default:
		}
		rep, err := d.Sync()
		wait := interval
		if err == nil {
			failures = 0
			if l != nil {
				l.SyncDone(rep)
			}
		} else {
			select {
			case <-a.stop: // cancelled by StopAutoSync: not a failure to report
				return
			default:
			}
			code := ErrorCode(err)
			if paired, _ := d.Paired(); code == doorstep.EREVOKED || code == doorstep.EUNAUTHORIZED || !paired {
				if l != nil {
					l.SyncFailed(code, ErrorMessage(err), -1)
				}
				return
			}
			failures++
			wait = retryWait(failures, millis(d.opts.InitialBackoffMillis), interval)
			if l != nil {
				l.SyncFailed(code, ErrorMessage(err), wait.Milliseconds())
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-a.stop:
			t.Stop()
			return
		case <-a.nudge:
			t.Stop()
		case <-t.C:
		}
	}
}

// retryWait is the pause after the n-th failed sync in a row: doubling from
// initial, capped at max, with up to a quarter of random jitter so that a
// force's devices do not all come back at once after an outage.
func retryWait(n int, initial, max time.Duration) time.Duration {
	w := initial
	for i := 1; i < n && w < max; i++ {
		w *= 2
	}
	if w > max {
		w = max
	}
	return w - time.Duration(rand.Int64N(int64(w)/4+1))
}
