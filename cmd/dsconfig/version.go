package main

import "runtime/debug"

// version is set at link time by the Makefile (-X main.version=...); a
// plain go build or go install falls back to the module's build info.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "unknown"
}
