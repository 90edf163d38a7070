package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	doorstep "github.com/doorstep-project/doorstep"
)

// ServerKeySize is the length of Options.ServerKey.
const ServerKeySize = 32

// TokenKeySize is the length of a device's token key.
const TokenKeySize = 32

// sealAAD binds sealed device keys to their purpose, so that a ciphertext
// made for something else under the same server key never opens as one.
const sealAAD = "doorstep device token key v1"

// keyring holds what the server derives from its server key.
type keyring struct {
	aead    cipher.AEAD // seals device token keys
	csrfKey []byte      // keys the victim pages' CSRF field
}

func newKeyring(serverKey []byte) (*keyring, error) {
	if len(serverKey) != ServerKeySize {
		return nil, fmt.Errorf("server: the server key must be %d bytes, got %d", ServerKeySize, len(serverKey))
	}
	block, err := aes.NewCipher(serverKey)
	if err != nil {
		return nil, fmt.Errorf("server: server key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("server: server key: %w", err)
	}
	mac := hmac.New(sha256.New, serverKey)
	mac.Write([]byte("doorstep csrf key v1"))
	return &keyring{aead: aead, csrfKey: mac.Sum(nil)}, nil
}

// seal encrypts a device token key: nonce || ciphertext.
func (k *keyring) seal(key []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(key)+k.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	return k.aead.Seal(nonce, nonce, key, []byte(sealAAD))
}

// open decrypts what seal made. A failure means the server key changed or the
// record is damaged: an internal error, never the device's fault.
func (k *keyring) open(sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errors.New("sealed device key is too short")
	}
	key, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(sealAAD))
	if err != nil {
		return nil, errors.New("sealed device key does not open with this server key (was the server key changed?)")
	}
	return key, nil
}

// TokenChecker returns the bolt.Options.CheckToken hook: it verifies a pushed
// issuance's token text with the pushing device's key (unsealed with
// serverKey) and returns the reference it names. A forged or malformed token
// is ENOTFOUND. Expiry is not judged: an issue made offline may reach the
// server after its code expired, and is still a true record.
func TokenChecker(serverKey []byte) (func(d *doorstep.Device, text string) (doorstep.TokenRef, error), error) {
	k, err := newKeyring(serverKey)
	if err != nil {
		return nil, err
	}
	return func(d *doorstep.Device, text string) (doorstep.TokenRef, error) {
		key, err := k.open(d.KeyCiphertext)
		if err != nil {
			return doorstep.TokenRef{}, err
		}
		tok, err := verifyIgnoringExpiry(key, text)
		if err != nil {
			return doorstep.TokenRef{}, err
		}
		if tok.Ref.DeviceID != d.ID {
			return doorstep.TokenRef{}, doorstep.Errorf(doorstep.ENOTFOUND, "the token names another device")
		}
		return tok.Ref, nil
	}, nil
}

// newCredential makes a device's sync credential "<id>.<secret>" and the hash
// the store keeps. The hash covers the secret only: the device ID is assigned
// by the store in the same transaction that stores the hash.
func newCredential() (secret string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(secret))
	return secret, h[:]
}

// parseCredential splits a bearer credential into the device ID and the
// secret's hash. Anything malformed is EUNAUTHORIZED.
func parseCredential(cred string) (uint32, []byte, error) {
	bad := doorstep.Errorf(doorstep.EUNAUTHORIZED, "the device credential is malformed: pair the device again")
	idText, secret, ok := strings.Cut(cred, ".")
	if !ok || len(idText) == 0 || len(idText) > 10 || len(secret) != 43 {
		return 0, nil, bad
	}
	id, err := strconv.ParseUint(idText, 10, 32)
	if err != nil || id == 0 || strconv.FormatUint(id, 10) != idText {
		return 0, nil, bad
	}
	h := sha256.Sum256([]byte(secret))
	return uint32(id), h[:], nil
}

// equalHash compares two hashes in constant time.
func equalHash(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

// newTokenKey makes a device's token key.
func newTokenKey() []byte {
	k := make([]byte, TokenKeySize)
	_, _ = rand.Read(k)
	return k
}
