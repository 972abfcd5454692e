//go:build !unix

package config

import "io/fs"

// ownedByMe is false where file modes do not carry Unix permissions:
// tightenMode then leaves files alone.
func ownedByMe(fs.FileInfo) bool { return false }
