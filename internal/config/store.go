package config

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// StoreFileName is the store's file name in the configuration directory.
const StoreFileName = "config.yaml"

// Store is the configuration kept in one directory. Every change goes
// through Update, which locks, validates and writes atomically, so that
// concurrent invocations never lose an update and a crash never leaves a
// partial file.
type Store struct {
	Dir      string
	Registry *Registry
	// LockTimeout bounds the wait for another dsconfig to finish. Zero
	// means 30 seconds.
	LockTimeout time.Duration
	// Loaded hooks see the store file an Update has just loaded (nil when
	// there is none), before the change is made, so that work on the
	// version being replaced can run meanwhile; a BeforeCommit hook
	// finishes it. They must not write anything: the change may yet fail,
	// or change nothing.
	Loaded []func(before []byte)
	// Hooks run after a change has been validated and encoded, while the
	// lock is still held. The audit log and the archive use them. A hook
	// that fails aborts the change.
	BeforeCommit []func(c *Commit) error
	// LogPath, if set, is the log that gets each Commit's Log text once
	// the new store is in place, and never before (intent.go): the audit
	// log.
	LogPath string
	// Build names the code that validates, for the validation record
	// (checked.go): a record another build wrote is not trusted. Empty
	// means no record is read or written.
	Build string

	// beforeRename is a test hook that runs between writing the temporary
	// file and renaming it into place.
	beforeRename func()
}

// Commit describes one change about to be, or just, written.
type Commit struct {
	Before []byte // the store file being replaced; nil if there was none
	State  *State
	Tx     *Tx
	// Log is the text for LogPath, set by a BeforeCommit hook.
	Log   string
	after pieces // the new store file
}

// After returns the new store file.
func (c *Commit) After() []byte { return c.after.join() }

// Path is the store file's path.
func (s *Store) Path() string { return filepath.Join(s.Dir, StoreFileName) }

// KeyFile returns the key used for sensitive values.
func (s *Store) KeyFile() *KeyFile { return KeyFileIn(s.Dir) }

// Load reads and validates the store. A missing file is an empty
// configuration. Any problem comes back as a *StoreError naming the line.
// It first clears what a killed writer left, if it can without waiting
// (Tidy).
func (s *Store) Load() (*State, error) {
	s.Tidy()
	st, _, err := s.load()
	return st, err
}

func (s *Store) load() (*State, []byte, error) {
	data, err := ReadRegular(s.Path(), MaxStoreSize)
	if errors.Is(err, fs.ErrNotExist) {
		return s.Registry.InitialState(), nil, nil
	}
	if err != nil {
		return nil, nil, storeIOError(s.Path(), err)
	}
	TightenMode(s.Path())
	if s.vouched(data) {
		st := NewState()
		st.raw, st.gone, st.whole = newRawStore(s.Registry, data), map[string]map[string]bool{}, map[string]bool{}
		return st, data, nil
	}
	st, err := s.Registry.Decode(data)
	if err != nil {
		return nil, nil, s.decodeError(err)
	}
	if ps := s.Registry.Validate(st); len(ps) > 0 {
		return nil, nil, s.invalidError(ps)
	}
	return st, data, nil
}

func (s *Store) decodeError(err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &StoreError{Path: s.Path(), Line: le.line, Err: le.err}
	}
	line, msg := yamlProblem(err)
	return &StoreError{Path: s.Path(), Line: line, Err: errors.New("not valid YAML: " + msg)}
}

func (s *Store) invalidError(ps []ObjectProblem) error {
	ps = sortedProblems(ps)
	var msgs []string
	for _, p := range ps {
		msgs = append(msgs, fmt.Sprintf("%s: %v", s.Registry.Describe(p.Object), p.Err))
	}
	return &StoreError{Path: s.Path(), Line: ps[0].Object.line, Err: errors.New(strings.Join(msgs, "; "))}
}

// Tx is the working copy a change operates on.
type Tx struct {
	Registry *Registry
	State    *State
	Sealer   Sealer
	// Action names the change for error messages, e.g. `The Passphrase
	// Provider "x" could not be created`.
	Action string
	// Changed lists the objects the change touched, for messages.
	Changed []*Object
	// Records are what the audit log will write for this change; the
	// command layer fills them.
	Records []Record
}

// Update runs fn on a copy of the store under the store lock, validates the
// result and writes it atomically. If fn or validation fails, the store
// file is left byte-for-byte unchanged.
func (s *Store) Update(fn func(tx *Tx) error) (*Commit, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := errors.Join(s.tidyLocked(), s.checkNotLink()); err != nil {
		return nil, err
	}
	c, key, err := s.prepare(fn)
	if err != nil || c.after.equal(c.Before) {
		return c, err
	}
	if err := s.commit(c, key); err != nil {
		return nil, err
	}
	return c, nil
}

// prepare runs fn on the loaded store and validates and encodes
// the result, without writing anything.
func (s *Store) prepare(fn func(tx *Tx) error) (*Commit, *KeyFile, error) {
	before, data, err := s.load()
	if err != nil {
		return nil, nil, err
	}
	for _, h := range s.Loaded {
		h(data)
	}
	key := s.KeyFile()
	key.Create = !before.HasSealed()
	key.Replace = !key.Create
	// The loaded state is this change's alone: fn may work on it
	// directly, and on failure it is dropped.
	tx := &Tx{Registry: s.Registry, State: before, Sealer: key}
	if err := fn(tx); err != nil {
		return nil, nil, err
	}
	if err := s.validateChange(tx); err != nil {
		return nil, nil, err
	}
	if err := s.checkReplacedKey(key, tx.State); err != nil {
		return nil, nil, err
	}
	out, err := s.Registry.encodeFile(tx.State, len(data))
	if err != nil {
		return nil, nil, storeIOError(s.Path(), err)
	}
	return &Commit{Before: data, after: out, State: tx.State, Tx: tx}, key, nil
}

// commit runs the hooks and writes the prepared change, with the new key
// when the change replaced a lost one.
func (s *Store) commit(c *Commit, key *KeyFile) error {
	for _, h := range s.BeforeCommit {
		if err := h(c); err != nil {
			return err
		}
	}
	if err := key.Publish(); err != nil {
		return storeIOError(key.Path, err)
	}
	sum := c.after.sum()
	in, err := s.writeIntent(sum, c.Log)
	if err == nil {
		err = s.write(c.after)
	}
	if err == nil {
		s.writeChecked(sum)
		s.finishIntent(in)
		return nil
	}
	s.dropIntent()
	if _, replaced := key.Replacement(); replaced {
		// The store still holds values under the lost key: a new key
		// file would only hide that.
		os.Remove(key.Path)
	}
	return err
}

// checkReplacedKey lets a change seal under a new key, while the key file
// is missing, only if it leaves no value sealed under another key: those
// values could never be opened again, and a new key file would hide that
// they are lost.
func (s *Store) checkReplacedKey(key *KeyFile, st *State) error {
	id, replaced := key.Replacement()
	if !replaced {
		return nil
	}
	var left []string
	for _, k := range s.Registry.kinds {
		for _, o := range st.List(k.Name) {
			for _, p := range s.Registry.TypeOf(o).AllProperties() {
				if slices.ContainsFunc(o.Values[p.Name], func(v string) bool { return IsSealed(v) && sealedKeyID(v) != id }) {
					left = append(left, fmt.Sprintf("%s %s", s.Registry.Describe(o), p.Name))
				}
			}
		}
	}
	if len(left) == 0 {
		return nil
	}
	return &keyLostError{Path: key.Path, Left: left}
}

// keyLostError refuses a change that would seal values under a new key
// while others remain sealed under the lost one.
type keyLostError struct {
	Path string
	Left []string // "Passphrase Provider "x" obscured-value"
}

func (e *keyLostError) Error() string {
	return fmt.Sprintf("%v: %s; a new key can be made only by a change that gives every sensitive value again, and these would still be encrypted with the lost key: %s",
		ErrKeyMissing, e.Path, strings.Join(e.Left, ", "))
}

func (e *keyLostError) Unwrap() error     { return ErrKeyMissing }
func (e *keyLostError) Is(t error) bool   { return t == ErrRejected }
func (e *keyLostError) ErrorHint() string { return LostKeyProcedure }

func (s *Store) validateChange(tx *Tx) error {
	ps := s.Registry.validateChanged(tx.State)
	if len(ps) == 0 {
		return nil
	}
	return s.Registry.ChangeError(tx.Action, ps, tx.Changed)
}

// ErrNotBroken is returned by ReplaceBroken when the store loads after
// all: the caller should make an ordinary change instead.
var ErrNotBroken = errors.New("the configuration store is not broken")

// BrokenReplacement is a replacement of a broken store by ReplaceBroken.
type BrokenReplacement struct {
	Data []byte // the new store file, already validated by the caller
	// Log returns, under the lock once the store is known to be broken,
	// the text for LogPath, given the path the broken file is kept at. It
	// reaches the log as a Commit's Log does: once the new file is in
	// place, and only then.
	Log func(aside string) string
}

// ReplaceBroken replaces a store whose content does not decode or
// validate (an I/O failure is not "broken") with r.Data, under the store
// lock. The broken file is kept next to the store as
// config.yaml.broken-<UTC time>, mode 0600, so that nothing is lost; the
// new file is written atomically. It returns that path, or ErrNotBroken
// if the store loads.
func (s *Store) ReplaceBroken(now time.Time, r BrokenReplacement) (string, error) {
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := errors.Join(s.tidyLocked(), s.checkNotLink()); err != nil {
		return "", err
	}
	_, _, err = s.load()
	if err == nil {
		return "", ErrNotBroken
	}
	if !errors.Is(err, ErrStore) {
		return "", err
	}
	broken, err := ReadRegular(s.Path(), MaxStoreSize)
	if err != nil {
		return "", storeIOError(s.Path(), err)
	}
	aside, err := s.keepBroken(now, broken)
	if err != nil {
		return "", err
	}
	var text string
	if r.Log != nil {
		text = r.Log(aside)
	}
	in, err := s.writeIntent(sha256.Sum256(r.Data), text)
	if err == nil {
		err = s.write(pieces{r.Data})
	}
	if err != nil {
		s.dropIntent()
		os.Remove(aside)
		return "", err
	}
	s.finishIntent(in)
	return aside, nil
}

// keepBroken copies a broken store file to a new 0600 file next to it. A
// copy, not a rename, so that the store path never goes missing: the
// atomic write replaces it afterwards.
func (s *Store) keepBroken(now time.Time, data []byte) (string, error) {
	base := s.Path() + ".broken-" + now.UTC().Format("20060102-150405.000Z")
	for seq := 1; ; seq++ {
		path := base
		if seq > 1 {
			path = fmt.Sprintf("%s-%d", base, seq)
		}
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", storeIOError(path, err)
		}
		_, werr := fh.Write(data)
		if err := errors.Join(werr, fh.Sync(), fh.Close()); err != nil {
			os.Remove(path)
			return "", storeIOError(path, err)
		}
		return path, nil
	}
}

// HasSealed reports whether any value in st is sealed, that is, whether
// st needs the existing key file. A missing key may be created only while
// it is false: otherwise a new key would silently replace the lost one.
func (st *State) HasSealed() bool {
	for _, m := range st.objects {
		for _, o := range m {
			if o.hasSealed() {
				return true
			}
		}
	}
	if st.raw == nil {
		return false
	}
	// Only an object whose text holds the prefix can hold a sealed value;
	// one is enough, so they are decoded until one does.
	for _, h := range st.raw.containing(sealPrefix) {
		if o := st.hit(h); o != nil && o.hasSealed() {
			return true
		}
	}
	return false
}

func (o *Object) hasSealed() bool {
	for _, vs := range o.Values {
		if slices.ContainsFunc(vs, IsSealed) {
			return true
		}
	}
	return false
}

// HintOf returns the hint an error carries, or "".
func HintOf(err error) string {
	var h Hinted
	if errors.As(err, &h) {
		return h.ErrorHint()
	}
	return ""
}
