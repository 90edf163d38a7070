// Package mobileapi is the on-device library of Doorstep: the phone app links it
// with gomobile (gobind), and the command line's "doorstep device" runs on it.
//
// A Device keeps everything in one bbolt file in its state directory: the
// pairing (server URL, public URL, device ID, sync credential, token key,
// officer profile), the issue counter, the hybrid logical clock, the outbox of
// mutations numbered 1, 2, 3…, the local issuances, the pull cursor and what was
// pulled (the officer's feedback, leaflet content, revocation). Every change is
// one bbolt transaction, so a process killed at any point loses nothing and
// duplicates nothing: an issuance and its outbox mutation are written together,
// acknowledged mutations leave the outbox only with the stored answer, and the
// pull cursor moves only with the page it ends.
//
// Issue works offline: it signs a feedback token with the device's key, encodes
// the feedback URL as a QR code and renders the Victims' Code leaflet. Sync
// pushes the outbox and pulls the feed, retrying network errors and 5xx answers
// with capped exponential backoff and jitter, giving up a stalled request after a
// timeout, and never retrying a 4xx: a revoked device stops at once.
//
// The exported surface is what gobind binds: strings, []byte, int, int64,
// bool, error, and pointers to structs of those. Lists are JSON strings or
// Count/At accessors; times are RFC 3339 strings or Unix milliseconds.
// mobile-api/gobind_check.sh proves it.
package mobileapi
