// Package sync is the device ⇄ server protocol: the wire types of pairing, push
// and pull, their strict decoders, the cursor format, the hybrid logical clock
// and the reconciliation rules both sides apply.
//
// Push: a device numbers its outbox mutations 1, 2, 3… and pushes them in
// batches of at most MaxPushMutations. The server applies a batch in one
// transaction with the device's last mutation ID, answers replays as before and
// refuses gaps. Pull: the server keeps one change sequence; a device pulls pages
// after an opaque cursor the server gave it and stores the next cursor only with
// the page.
//
// HTTP binding (served by package server, called by package mobileapi):
//
//	POST /api/v1/device/pair   PairRequest -> 201 PairResponse
//	POST /api/v1/device/push   PushRequest -> 200 PushResponse
//	GET  /api/v1/device/pull?cursor=C&limit=N -> 200 PullResponse
//
// push and pull carry "Authorization: Bearer <credential>", where the credential
// is "<device id>.<secret>" (secret: 32 random bytes, base64url, unpadded).
// Errors answer ErrorResponse JSON with the doorstep error code: 400 invalid,
// 401 unauthorized, 403 revoked, 404 not_found, 409 conflict (a used pairing
// code, or a gap in mutation IDs), 410 expired, 413 too_large, 429
// rate_limited, 503 unavailable. A client retries network errors and 5xx with
// backoff and never retries a 4xx.
//
// The package name shadows the standard library's sync: import it as dsync.
package sync
