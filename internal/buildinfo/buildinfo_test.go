package buildinfo

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"text/template"
)

func TestStampWins(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "feed"}, {Key: "vcs.time", Value: "2000-01-01T00:00:00Z"}}}
	got := get("v1.2.3", "abc123", "2026-01-02T03:04:05Z", bi)
	want := Info{Version: "v1.2.3", Commit: "abc123", Date: "2026-01-02T03:04:05Z", Go: "go1.99",
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "feed"},
			{Key: "vcs.time", Value: "2000-01-01T00:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := get("", "", "", bi)
	if got.Version != "v0.3.0" || got.Commit != "feed (modified)" || got.Date != "2000-01-01T00:00:00Z" || got.Go != "go1.99" {
		t.Errorf("got %+v", got)
	}
}

// Without VCS stamping (-buildvcs=false, or no git), a checkout build
// says "(devel)" and that the rest is unknown, rather than nothing.
func TestDevelWithoutVCS(t *testing.T) {
	got := get("", "", "", &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}})
	if got.Version != "(devel)" || got.Commit != unknown || got.Date != unknown {
		t.Errorf("got %+v", got)
	}
	got = get("", "", "", nil)
	if got.Version != unknown || got.Go != runtime.Version() {
		t.Errorf("no build info: got %+v", got)
	}
}

func TestString(t *testing.T) {
	s := Info{Version: "v1.2.3", Commit: "abc", Date: "d", Go: "go1.99", Platform: "linux/arm64"}.String()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if lines[0] != "dsconfig v1.2.3" || len(lines) != 5 {
		t.Fatalf("got %q", s)
	}
	for _, want := range []string{"commit:   abc", "built:    d", "go:       go1.99", "platform: linux/arm64"} {
		if !strings.Contains(s, want+"\n") {
			t.Errorf("%q lacks %q", s, want)
		}
	}
}

// A version with template braces (a branch name in git describe, say)
// prints as it is.
func TestTemplatePrintsLiterally(t *testing.T) {
	i := Info{Version: "v1-{{.Name}}", Commit: "abc", Date: "d", Go: "go1.99", Platform: "linux/arm64"}
	var b strings.Builder
	if err := template.Must(template.New("v").Parse(i.Template())).Execute(&b, struct{ Name string }{"x"}); err != nil {
		t.Fatal(err)
	}
	if b.String() != i.String() {
		t.Errorf("template printed %q, want %q", b.String(), i.String())
	}
}

func TestIdentity(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "dsconfig")
	if err := os.WriteFile(exe, []byte("binary"), 0o700); err != nil {
		t.Fatal(err)
	}
	found := func() (string, error) { return exe, nil }
	lost := func() (string, error) { return "", errors.New("no executable") }

	clean := Info{Version: "v1.2.0", Commit: "0123abcd"}
	if got := identity(clean, lost); got != "v1.2.0 0123abcd" {
		t.Errorf("a clean build: %q", got)
	}
	for _, i := range []Info{{Version: "(devel)", Commit: "0123abcd (modified)"}, {Version: "(devel)", Commit: unknown},
		{Version: "v1.2.0-3-g0123abc-dirty", Commit: "0123abcd"}} {
		got := identity(i, found)
		if !strings.HasPrefix(got, i.Version+" "+i.Commit+" 6 ") {
			t.Errorf("%q: the executable is not named: %q", i.Commit, got)
		}
		if err := os.WriteFile(exe, []byte("rebuilt"), 0o700); err != nil {
			t.Fatal(err)
		}
		if again := identity(i, found); again == got {
			t.Errorf("%q: a rebuilt executable has the same identity %q", i.Commit, got)
		}
		if err := os.WriteFile(exe, []byte("binary"), 0o700); err != nil {
			t.Fatal(err)
		}
		if got := identity(i, lost); got != "" {
			t.Errorf("%q without an executable: %q, want none", i.Commit, got)
		}
	}
}
