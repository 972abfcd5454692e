package config

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Sensitive values (passwords, obscured values) are kept in the store
// encrypted with AES-256-GCM under a key that lives in its own 0600 file
// next to the store. A copy of the store alone therefore reveals nothing,
// and a store moved without its key fails with a message that says so.
//
// A sealed value reads "AES256GCM:<key id>:<base64 nonce+ciphertext>". The
// key id is a short hash of the key, so a value sealed under another key is
// recognised as such instead of failing as "tampered". The property name is
// bound in as additional data: a value cannot be moved to another property.

const (
	sealPrefix = "AES256GCM:"
	// KeyFileName is the key file's name in the configuration directory.
	KeyFileName = "encryption-key"
)

// IsSealed reports whether v looks like a sealed value.
func IsSealed(v string) bool {
	parts := strings.Split(strings.TrimPrefix(v, sealPrefix), ":")
	return strings.HasPrefix(v, sealPrefix) && len(parts) == 2 && len(parts[0]) == 8
}

// KeyFile seals and opens values with the key in Path.
type KeyFile struct {
	Path string
	// Create allows Seal to create the key file when it is missing. The
	// store allows it only while it holds no sealed values, so a lost key
	// is never silently replaced by a new one.
	Create bool
	// Replace allows Seal, when the key file is missing, to seal under a
	// new key kept in memory only. The store sets it when it holds values
	// sealed under a lost key, and writes the new key (Publish) only if
	// the change leaves no value sealed under any other key.
	Replace bool

	replacement []byte // the new key, once Seal made one under Replace
}

// KeyFileIn returns the key file of the configuration directory dir. It
// may not create a missing key; set Create to allow that.
func KeyFileIn(dir string) *KeyFile { return &KeyFile{Path: filepath.Join(dir, KeyFileName)} }

// ErrKeyMissing is returned when the key file does not exist.
var ErrKeyMissing = errors.New("encryption key file is missing")

// LostKeyProcedure says how to recover from a lost key file; error hints
// and docs/passphrase-providers.md give it.
const LostKeyProcedure = "copy the file encryption-key back from a backup or from the host the store came from; " +
	"if it is lost for good, give every sensitive value in the store again in one change " +
	"(one dsconfig --batch-file with a --set-from-file PROP:FILE line per value; deleting an object also drops its values), " +
	"which creates a new key"

func (k *KeyFile) load() ([]byte, error) {
	if k.replacement != nil {
		return k.replacement, nil
	}
	data, err := ReadRegular(k.Path, maxKeyFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (values in the store were encrypted with a key kept in that file)", ErrKeyMissing, k.Path)
	}
	if err != nil {
		return nil, err
	}
	TightenMode(k.Path)
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("encryption key file %s is damaged: it must hold 64 hex digits", k.Path)
	}
	return key, nil
}

func (k *KeyFile) loadOrCreate() ([]byte, error) {
	key, err := k.load()
	if !errors.Is(err, ErrKeyMissing) || !(k.Create || k.Replace) {
		return key, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if !k.Create {
		k.replacement = key
		return key, nil
	}
	if err := os.MkdirAll(filepath.Dir(k.Path), 0o700); err != nil {
		return nil, err
	}
	err = k.publish(key)
	if errors.Is(err, fs.ErrExist) {
		// Another process created the key first: use theirs.
		return k.load()
	}
	if err != nil {
		return nil, err
	}
	return key, nil
}

// publish writes key to a temporary file next to Path and links it to
// Path. The link appears complete or not at all and fails if Path exists,
// so a process that loses the race to create the key reads the winner's
// whole key, never a file still being written.
func (k *KeyFile) publish(key []byte) error {
	// The pid in the name lets the next command remove the file if this
	// process is killed before the deferred Remove (tidy.go): it holds a
	// whole key.
	f, err := os.CreateTemp(filepath.Dir(k.Path), fmt.Sprintf(".%s-%d-*", filepath.Base(k.Path), os.Getpid())) // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return err
	}
	return os.Link(f.Name(), k.Path)
}

// Replacement reports whether Seal made a new key, under Replace, that
// Publish has yet to write; its id is the one sealed values now carry.
func (k *KeyFile) Replacement() (id string, ok bool) {
	if k.replacement == nil {
		return "", false
	}
	return keyID(k.replacement), true
}

// Publish writes the replacement key made under Replace to Path. It fails
// if a key file appeared meanwhile.
func (k *KeyFile) Publish() error {
	if k.replacement == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(k.Path), 0o700); err != nil {
		return err
	}
	return k.publish(k.replacement)
}

// sealedKeyID is the id of the key a sealed value was sealed under.
func sealedKeyID(v string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(v, sealPrefix), ":")
	return id
}

// keyID names a key in sealed values: its fingerprint.
func keyID(key []byte) string { return Fingerprint(string(key)) }

// Seal encrypts plain for property.
func (k *KeyFile) Seal(property, plain string) (string, error) {
	key, err := k.loadOrCreate()
	if err != nil {
		return "", err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, []byte(plain), []byte(property))
	return sealPrefix + keyID(key) + ":" + base64.StdEncoding.EncodeToString(ct), nil
}

// Open decrypts a value sealed for property. It never includes the value
// in an error.
func (k *KeyFile) Open(property, sealed string) (string, error) {
	if !IsSealed(sealed) {
		return "", errors.New("the value is not in encrypted form")
	}
	key, err := k.load()
	if err != nil {
		return "", err
	}
	id, b64, _ := strings.Cut(strings.TrimPrefix(sealed, sealPrefix), ":")
	if id != keyID(key) && k.replacement != nil {
		return "", fmt.Errorf("the value was encrypted with key %s, whose key file %s is missing", id, k.Path)
	}
	if id != keyID(key) {
		return "", fmt.Errorf("the value was encrypted with key %s, but %s holds key %s: the store was moved without its key file", id, k.Path, keyID(key))
	}
	ct, err := base64.StdEncoding.DecodeString(b64)
	aead, aerr := newAEAD(key)
	if err != nil || aerr != nil || len(ct) < aead.NonceSize() {
		return "", errors.New("the encrypted value is damaged")
	}
	plain, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], []byte(property))
	if err != nil {
		return "", errors.New("the encrypted value failed its integrity check: it was altered or belongs to another property")
	}
	return string(plain), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// MAC returns, in hex, an HMAC-SHA256 of parts under a key derived from
// the store's key for purpose. Files that must find an entry by a secret
// (the token cache keys its entries by the client secret, among others)
// store this instead of a plain hash, which would let anyone who reads the
// file test guesses of the secret offline. Like Seal, it creates the key
// when Create allows.
func (k *KeyFile) MAC(purpose string, parts ...string) (string, error) {
	key, err := k.loadOrCreate()
	if err != nil {
		return "", err
	}
	derive := hmac.New(sha256.New, key)
	derive.Write([]byte("dsconfig mac: " + purpose))
	m := hmac.New(sha256.New, derive.Sum(nil))
	for _, p := range parts {
		// Each part is hashed first, so that no two lists of parts feed
		// the HMAC the same bytes.
		sum := sha256.Sum256([]byte(p))
		m.Write(sum[:])
	}
	return hex.EncodeToString(m.Sum(nil)), nil
}
