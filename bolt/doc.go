// Package bolt is Doorstep's embedded doorstep.Store: one bbolt file, no
// server to run. Open it with Open; it passes the storetest conformance suite.
//
// # Transactions and group commit
//
// Every method that changes state runs in one read-write transaction, so it
// stores all of its change or none of it: a record, its indexes, the
// aggregates and the change-feed entries commit together. Concurrent writers
// share a transaction and its fsync through bbolt's DB.Batch (Options
// MaxBatchSize and MaxBatchDelay); a writer that finds no other in flight
// commits at once instead of waiting for a batch. A domain refusal
// (ECONFLICT, EREVOKED, …) rolls back only the refused call: bbolt re-runs the
// rest of its batch without it, which is why every write function derives
// its result from the transaction alone and may run more than once.
//
// # Token checking
//
// ApplyMutations judges each mutation with sync.CheckMutation, verifying a
// pushed issuance's token text through Options.CheckToken, which the server
// supplies (it holds the device keys). Without it any non-empty token text
// is taken to name the reference it claims: that is for tests only.
//
// # Counting
//
// Summary.Issued counts the issuances held that are not voided: a code voided
// by its officer is not counted, and voiding a stored one uncounts it.
// Responses counts all feedback, linked or not; feedback on a code voided
// after it was answered stays counted. New feedback on a voided code is
// refused (EEXPIRED). Per-day figures are dated by the visit (the issue time,
// UTC).
//
// # Mutation results
//
// Only rejections are stored (device, mutation ID -> reason), and kept for
// good: they are rare and small. A replayed mutation ID at or below the
// device's LastMutationID with no rejection stored was applied, so every
// replay, however old, is answered as it was first answered, and an accepted
// push costs no result writes.
//
// # Backup and restore
//
// Backup copies the file from a read transaction (tx.WriteTo) while writers
// carry on; 1 GiB of address space is mapped at open so that a growing store
// rarely needs the remap that would make writers wait for a long backup.
// Restore writes a backup to a new path, checks its pages and schema and
// only then renames it into place. Open and Restore refuse a file shorter
// than its meta page says (bbolt would die of SIGBUS on it).
//
// # Layout
//
// Integers in keys are big-endian so that byte order is numeric order. "+"
// below is concatenation, 0 a zero byte separating a text key from what
// follows. Values are JSON, except counts: nine big-endian int64s (issued,
// responses, unlinked, rating sum, then the number of ratings 1 to 5).
//
//	meta                "schema" -> "1"
//	officers            officer ID -> Officer
//	officer_collar      collar number -> officer ID (unique)
//	pairing_codes       code -> PairingCode (UsedAt set when redeemed)
//	devices             device ID (4) -> Device with credential hash and sealed key;
//	                    the bucket's sequence allocates device IDs 1, 2, 3…
//	officer_devices     officer ID + 0 + device ID (4) -> ""
//	rejected_mutations  device ID (4) + mutation ID (8) -> reason
//	issuances           issuance ID -> Issuance
//	tokens              device ID (4) + counter (4) -> issuance ID (unique per code)
//	pending_voids       issuance ID -> {device, officer, Void} until the issue arrives
//	feedback            device ID (4) + counter (4) -> Feedback (one per code)
//	officer_feedback    officer ID + 0 + receive time (8) + token (8) -> ""
//	summaries           officer ID -> counts (issued, responses, unlinked, rating sum, histogram)
//	daily               officer ID + 0 + "YYYY-MM-DD" -> counts for that day of visits
//	changes             sequence (8) -> Change JSON; the bucket's NextSequence,
//	                    taken in the transaction of the change, orders the feed
//	device_feed         device ID (4) + sequence (8) -> "": what one device sees
//	broadcast_feed      sequence (8) -> "": what every device sees (content)
//	content             language + 0 + version -> ContentVersion
//	content_latest      language -> content key of the version published last
//	accounts            username -> Account with password hash
//	audit               sequence (8) -> AuditEntry
//	scope_summaries     scope -> counts, for "*" (the force), "b" 0x1f borough and
//	                    "t" 0x1f borough 0x1f team (dashboard.go)
//	scope_daily         scope + 0 + "YYYY-MM-DD" -> counts for that day of visits
//	scope_feedback      scope + 0 + receive time (8) + token (8) -> "": the
//	                    dashboard's comments, newest first, per borough, team, force
//	alerts              scope or "o" 0x1f officer ID, + 0 + receive time (8) +
//	                    token (8) -> "": ratings of 1 or 2 not yet reviewed
//	flags               flag ID (UUIDv7) -> Flag
//	officer_flags       officer ID + 0 + flag ID -> ""
//	sessions            SHA-256 of the session ID -> Session (expired ones purged
//	                    at sign-in)
//	contact_requests    request ID (UUIDv7 of its creation) -> ContactRequest;
//	                    apart from feedback, purged after retention (contact.go)
//	contact_tokens      device ID (4) + counter (4) -> request ID (one per code)
//
// The scope aggregates and indexes are written by aggDelta.flush in the
// transaction of the feedback or push that changes them; a store written
// before they existed has them built once at open (meta "dashboard").
//
// A pull (Changes) merges the device's own feed with the broadcast feed from
// its cursor on, so it reads only changes the device may see.
package bolt
