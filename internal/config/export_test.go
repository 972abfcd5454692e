package config

// SetBeforeRename installs a hook that runs between writing the temporary
// file and renaming it over the store, so tests can interrupt a write.
func SetBeforeRename(s *Store, f func()) { s.beforeRename = f }

// The store's error types, for the tests of package config_test.
type (
	LockError    = lockError
	KeyLostError = keyLostError
)

// RawState returns a State backed by data as Load makes one from a file
// the validation record vouches for.
func RawState(r *Registry, data []byte) *State {
	st := NewState()
	st.raw, st.gone, st.whole = newRawStore(r, data), map[string]map[string]bool{}, map[string]bool{}
	return st
}

// Decoded counts the objects s holds decoded.
func Decoded(s *State) int {
	n := 0
	for _, m := range s.objects {
		n += len(m)
	}
	return n
}

// ValidateChanged is what a write validates.
func (r *Registry) ValidateChanged(s *State) []ObjectProblem { return r.validateChanged(s) }
