package config

// SetBeforeRename installs a hook that runs between writing the temporary
// file and renaming it over the store, so tests can interrupt a write.
func SetBeforeRename(s *Store, f func()) { s.beforeRename = f }

// The store's error types, for the tests of package config_test.
type (
	LockError    = lockError
	KeyLostError = keyLostError
)
