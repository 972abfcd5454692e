package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

func TestBatchProvisions(t *testing.T) {
	dir, r := provisioned(t, "list-http-authorization-methods --script-friendly\n")
	// The list line sees the batch's own, not yet saved, state.
	if want := "SMTP Bearer Token\tclient-credentials-bearer-token\ttrue\n"; r.Out != want {
		t.Errorf("stdout = %q, want %q", r.Out, want)
	}
	store := string(readStore(t, dir))
	for _, want := range []string{"Exchange Online", "offline_access", "obscured-value: AES256GCM:"} {
		if !strings.Contains(store, want) {
			t.Errorf("store lacks %q:\n%s", want, store)
		}
	}
	if strings.Contains(store, "s3cr3t-Value") {
		t.Errorf("store holds the secret in clear text")
	}
}

func TestBatchFromStdin(t *testing.T) {
	dir := t.TempDir()
	r := dsRunEnv(t, dir, provisionBatch, nil, "-F", "-")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Err)
	}
	if !bytes.Contains(readStore(t, dir), []byte("Exchange Online")) {
		t.Errorf("the batch from stdin was not applied")
	}
}

// bigBatch returns n create commands; line bad (1-based), if not 0, has an
// invalid value.
func bigBatch(n, bad int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		enabled := "true"
		if i == bad {
			enabled = "maybe"
		}
		fmt.Fprintf(&b, "dsconfig create-passphrase-provider --provider-name p%05d --type environment-variable --set enabled:%s --set environment-variable:V%d\n", i, enabled, i)
	}
	return b.String()
}

func TestBatchAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "existing", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X")
	before := readStore(t, dir)
	logBefore, _ := os.ReadFile(filepath.Join(dir, history.AuditLogName))
	batch := filepath.Join(t.TempDir(), "big.dsconfig")
	writeFile(t, batch, bigBatch(1000, 500))

	r := dsRun(t, dir, "--batch-file", batch)
	if r.Code != exitConfig {
		t.Errorf("exit code = %d, want %d", r.Code, exitConfig)
	}
	if want := "dsconfig: error: " + batch + ":500: The Passphrase Provider \"p00500\" could not be created"; !strings.HasPrefix(r.Err, want) {
		t.Errorf("stderr = %q, want prefix %q", r.Err, want)
	}
	if !bytes.Equal(readStore(t, dir), before) {
		t.Errorf("the store changed although line 500 failed")
	}
	if logAfter, _ := os.ReadFile(filepath.Join(dir, history.AuditLogName)); !bytes.Equal(logAfter, logBefore) {
		t.Errorf("the audit log changed although nothing was applied")
	}
	if entries, _ := history.ListArchive(dir); len(entries) != 0 {
		t.Errorf("archived %d versions although nothing changed", len(entries))
	}
}

func TestBatchContinueOnError(t *testing.T) {
	dir := t.TempDir()
	batch := filepath.Join(t.TempDir(), "b.dsconfig")
	writeFile(t, batch, bigBatch(3, 2)+"delete-passphrase-provider --provider-name nope\n")
	r := dsRun(t, dir, "--batch-file", batch, "--batch-continue-on-error")
	if r.Code != exitConfig {
		t.Errorf("exit code = %d, want %d", r.Code, exitConfig)
	}
	for _, want := range []string{
		"dsconfig: error: " + batch + ":2: The Passphrase Provider \"p00002\" could not be created",
		"dsconfig: error: " + batch + ":4: The Passphrase Provider \"nope\" does not exist",
		"dsconfig: error: 2 of 4 batch commands failed; the others were applied",
	} {
		if !strings.Contains(r.Err, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Err)
		}
	}
	store := string(readStore(t, dir))
	if !strings.Contains(store, "p00001") || !strings.Contains(store, "p00003") || strings.Contains(store, "p00002") {
		t.Errorf("store should hold p00001 and p00003 only:\n%s", store)
	}
}

// interruptedAfter is a context that reports cancellation from its n+1th
// Err call on: batch lines check it before each line, so the first n
// lines run and then the batch is interrupted, as by Ctrl-C.
type interruptedAfter struct {
	context.Context
	n int
}

func (c *interruptedAfter) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

// TestBatchInterruptedSavesNothing checks that an interrupted batch saves
// nothing, even with --batch-continue-on-error, and exits 130.
func TestBatchInterruptedSavesNothing(t *testing.T) {
	for _, cont := range []bool{false, true} {
		dir := t.TempDir()
		b := batchRunner{testFactory(t), &globalOptions{ConfigDir: dir}, new([]check.Target)}
		lines, err := batchfile.Parse("b", strings.NewReader(bigBatch(3, 0)))
		if err != nil {
			t.Fatal(err)
		}
		err = b.apply(&interruptedAfter{context.Background(), 1}, lines, cont, false)
		if code := exitCode(err); code != exitInterrupted {
			t.Errorf("continue=%v: exit %d (%v), want %d", cont, code, err, exitInterrupted)
		}
		if data := readStore(t, dir); data != nil {
			t.Errorf("continue=%v: an interrupted batch saved the store:\n%s", cont, data)
		}
	}
}

func TestBatchDryRun(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "p00001", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:OLD")
	before := readStore(t, dir)
	batch := filepath.Join(t.TempDir(), "b.dsconfig")
	writeFile(t, batch, "set-passphrase-provider-prop --provider-name p00001 --set environment-variable:NEW\n"+
		"create-passphrase-provider --provider-name q --type environment-variable --set enabled:false --set environment-variable:Q\n")
	r := dsMust(t, dir, "--batch-file", batch, "--dry-run")
	want := "# Dry run: 2 commands validated; the configuration was not changed.\n# They would make these changes:\n" +
		"dsconfig set-passphrase-provider-prop --provider-name p00001 --set environment-variable:NEW\n" +
		"dsconfig create-passphrase-provider --provider-name q --type environment-variable --set enabled:false --set environment-variable:Q\n"
	if r.Out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", r.Out, want)
	}
	if !bytes.Equal(readStore(t, dir), before) {
		t.Errorf("a dry run changed the store")
	}

	// A failing line fails the dry run too, naming the line.
	writeFile(t, batch, "set-passphrase-provider-prop --provider-name p00001 --set enabled:perhaps\n")
	if r := dsRun(t, dir, "--batch-file", batch, "--dry-run"); r.Code != exitConfig || !strings.Contains(r.Err, batch+":1: ") {
		t.Errorf("dry run of a bad line: exit %d, stderr %q", r.Code, r.Err)
	}
	if !bytes.Equal(readStore(t, dir), before) {
		t.Errorf("a dry run changed the store")
	}
}

func TestBatchErrors(t *testing.T) {
	dir := t.TempDir()
	batch := filepath.Join(t.TempDir(), "b.dsconfig")
	tests := []struct {
		name, src string
		args      []string
		code      int
		want      string
	}{
		{"malformed", "list-passphrase-providers\ncreate-passphrase-provider --provider-name \"x\n", nil, exitUsage,
			"dsconfig: error: " + batch + ":2: unterminated double-quoted string"},
		{"unknown subcommand", "\n\nfrobnicate\n", nil, exitUsage, "dsconfig: error: " + batch + ":3: unknown subcommand \"frobnicate\""},
		{"config-dir in a line", "list-passphrase-providers --config-dir /tmp\n", nil, exitUsage,
			"dsconfig: error: " + batch + ":1: --config-dir cannot be used inside a batch file"},
		{"nested batch", "--batch-file other\n", nil, exitUsage, "--batch-file cannot be used inside a batch file"},
		{"dry-run alone", "", []string{"--dry-run"}, exitUsage, "--dry-run and --batch-continue-on-error can only be used with --batch-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, batch, tt.src)
			args := tt.args
			if args == nil {
				args = []string{"--batch-file", batch}
			}
			r := dsRun(t, dir, args...)
			if r.Code != tt.code || !strings.Contains(r.Err, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.Code, r.Err, tt.code, tt.want)
			}
		})
	}
	if readStore(t, dir) != nil {
		t.Errorf("a failed batch created the store")
	}
}

// BenchmarkBatch10000 runs a batch of 10,000 create commands into an
// empty store: one lock, one validation, one save. The result is recorded
// in docs/performance.md.
func BenchmarkBatch10000(b *testing.B) {
	src := bigBatch(10000, 0)
	batch := filepath.Join(b.TempDir(), "big.dsconfig")
	writeFile(b, batch, src)
	for b.Loop() {
		dir := b.TempDir()
		if r := dsRun(b, dir, "--batch-file", batch); r.Code != 0 {
			b.Fatalf("exit %d: %s", r.Code, r.Err)
		}
	}
}

// TestObjectCommandNames keeps the batch's kind filter in step with the
// commands objectCommands builds.
func TestObjectCommandNames(t *testing.T) {
	f := testFactory(t)
	for _, k := range f.Registry.Kinds() {
		var got []string
		for _, c := range objectCommands(f, &globalOptions{}, k) {
			got = append(got, c.Name())
		}
		if want := objectCommandNames(k); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: objectCommands names %v, objectCommandNames %v", k.Name, got, want)
		}
	}
}

// BenchmarkRootCommand builds the command tree as a process does before
// it runs a command: the full tree, and the tree for one named command.
func BenchmarkRootCommand(b *testing.B) {
	f := testFactory(b)
	for _, args := range [][]string{nil, {"get-passphrase-provider-prop", "--provider-name", "x"}} {
		b.Run(fmt.Sprint(len(args)), func(b *testing.B) {
			for b.Loop() {
				newRootFor(f, args)
			}
		})
	}
}

// BenchmarkBatch1000 is BenchmarkBatch10000 at a tenth of the size, to
// show how the cost grows.
func BenchmarkBatch1000(b *testing.B) {
	batch := filepath.Join(b.TempDir(), "big.dsconfig")
	writeFile(b, batch, bigBatch(1000, 0))
	for b.Loop() {
		if r := dsRun(b, b.TempDir(), "--batch-file", batch); r.Code != 0 {
			b.Fatalf("exit %d: %s", r.Code, r.Err)
		}
	}
}

// BenchmarkVersion is a whole `dsconfig --version` run in the process:
// the factory, the root command and the output.
func BenchmarkVersion(b *testing.B) {
	for b.Loop() {
		if code := Main([]string{"--version"}, &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}, func(string) string { return "" }); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
