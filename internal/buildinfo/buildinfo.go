// Package buildinfo says which dsconfig this is: its version, the commit
// it was built from, when it was built, and with which Go.
//
// `make build`, `make install` and `make dist` stamp the first three at
// link time:
//
//	-X github.com/dsconfig-smtp/dsconfig/internal/buildinfo.version=$(git describe --tags --always --dirty)
//	-X github.com/dsconfig-smtp/dsconfig/internal/buildinfo.commit=$(git rev-parse HEAD)
//	-X github.com/dsconfig-smtp/dsconfig/internal/buildinfo.date=2026-01-02T15:04:05Z
//
// A plain `go build` or `go install` has no stamp; the values then come
// from the build information the go command embeds
// (runtime/debug.ReadBuildInfo): the module version for
// `go install …@v1.2.3`, "(devel)" for a build from a checkout, and the
// commit and its time when the go command stamped version control
// information (-buildvcs).
package buildinfo

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set by the linker; see the package documentation.
var version, commit, date string

// unknown stands for a value that neither the stamp nor the build
// information gives.
const unknown = "unknown"

// Info describes one build.
type Info struct {
	Version  string // a tag, "v1.2.3-4-gabcdef0[-dirty]", a commit, or "(devel)"
	Commit   string // the full commit hash, with " (modified)" for a dirty tree
	Date     string // the build time (stamped), or the commit time, RFC 3339
	Go       string // the Go version that built it
	Platform string // GOOS/GOARCH
}

// Get returns this binary's build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return get(version, commit, date, bi)
}

func get(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.GoVersion != "" {
			info.Go = bi.GoVersion
		}
		var rev, vcsTime string
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if info.Version == "" {
			info.Version = bi.Main.Version
		}
		if info.Commit == "" && rev != "" {
			info.Commit = rev
			if modified {
				info.Commit += " (modified)"
			}
		}
		if info.Date == "" {
			info.Date = vcsTime
		}
	}
	for _, v := range []*string{&info.Version, &info.Commit, &info.Date} {
		if *v == "" {
			*v = unknown
		}
	}
	return info
}

// String is the text of `dsconfig --version` and `dsconfig version`: a
// first line "dsconfig VERSION", then one line per detail.
func (i Info) String() string {
	return fmt.Sprintf("dsconfig %s\ncommit:   %s\nbuilt:    %s\ngo:       %s\nplatform: %s\n",
		i.Version, i.Commit, i.Date, i.Go, i.Platform)
}

// Template is the --version text as a text/template (cobra's version
// template) that prints it literally, whatever braces it holds.
func (i Info) Template() string {
	return strings.ReplaceAll(i.String(), "{{", `{{"{{"}}`)
}

// Identity names this build's code, for what only the same code may
// trust (the configuration store's validation record). A clean build is
// named by its version and commit. A build from a modified or unknown
// tree (the go command's "(modified)", or make's stamp from git describe
// --dirty) is not pinned by its commit, so its executable's size and
// modification time are added; without those, it has no identity and
// the result is "".
func Identity() string { return onceIdentity() }

// onceIdentity computes Identity once per process: a batch asks for it
// for every line.
var onceIdentity = sync.OnceValue(func() string { return identity(Get(), os.Executable) })

func identity(i Info, executable func() (string, error)) string {
	id := i.Version + " " + i.Commit
	dirty := strings.HasSuffix(i.Commit, " (modified)") || strings.HasSuffix(i.Version, "-dirty")
	if i.Commit != unknown && !dirty {
		return id
	}
	path, err := executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s %d %d", id, fi.Size(), fi.ModTime().UnixNano())
}
