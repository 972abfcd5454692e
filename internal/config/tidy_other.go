//go:build !unix

package config

// processAlive cannot tell here: every temporary key file is kept.
func processAlive(int) bool { return true }
