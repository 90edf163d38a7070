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
// The package name shadows the standard library's sync: import it as dsync.
package sync
