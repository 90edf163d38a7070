// Package qrcode owns the feedback-token format (Sign, Parse, Verify) and the
// rendering of feedback URLs as QR codes (Encode, then PNG or SVG).
//
// # Token layout
//
// A token is 31 bytes:
//
//	byte  0       format version, 1
//	bytes 1..4    device ID, uint32 big-endian
//	bytes 5..8    the device's per-issue counter, uint32 big-endian
//	bytes 9..12   issue time in whole minutes since the Unix epoch, uint32 big-endian
//	bytes 13..14  validity in days, uint16 big-endian (1..65535); expiry = issue time + days
//	bytes 15..30  the first 16 bytes of HMAC-SHA256(device key, bytes 0..14)
//
// It is written as RFC 4648 base32, upper case, without padding: TokenLen (50)
// characters from A-Z and 2-7. It carries no victim data and no crime
// reference. The MAC is truncated to 128 bits because a signature would not
// fit: the whole feedback URL, such as
//
//	HTTPS://FEEDBACK.DOORSTEP.POLICE.UK/F/AEAAAA7ZAAAAAKQBZCH22AC25NUWT5UFGRSGHA5GA4ELFVR3XQ
//
// is encoded in QR alphanumeric mode and must fit QR version 6 (MaxVersion) at
// error correction level M, so that it scans off a crumpled thermal print.
//
// Only the canonical spelling of a token is accepted: lower case, padding,
// another length, and a last character whose two unused bits are not zero are
// all refused, so that two strings never name one code. Malformed and forged
// tokens are doorstep.ENOTFOUND; an authentic token past its expiry is
// doorstep.EEXPIRED.
//
// # Keys
//
// Each device has its own key (at least 16 bytes), given to it at pairing. Parse
// needs no key, so that a server can read the device ID first, look the key up
// and then call Verify; a victim can thus give feedback before the device has
// synced the issue.
package qrcode
