package secretinput

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func providers(t *testing.T) (*config.Kind, *config.Type) {
	t.Helper()
	r := registry.ForTest(t)
	k := r.Kind(config.KindPassphraseProvider)
	return k, k.Type(passphrase.TypeObscuredValue)
}

func TestSeparatesPromptedAndFileArguments(t *testing.T) {
	k, typ := providers(t)
	rest, prompted := PromptedProps(k, typ, []string{"obscured-value", "enabled:true"})
	if len(prompted) != 1 || prompted[0] != "obscured-value" || len(rest) != 1 {
		t.Errorf("PromptedProps: rest %q, prompted %q", rest, prompted)
	}
	rest, files := FileRefs(config.OpAdd, []string{"obscured-value<secret.txt", "enabled:true"})
	if want := (FileArg{config.OpAdd, "obscured-value", "secret.txt"}); len(files) != 1 || files[0] != want || len(rest) != 1 {
		t.Errorf("FileRefs: rest %q, files %+v", rest, files)
	}
	if _, err := FromFileArgs([]string{"obscured-value"}); err == nil || !errors.Is(err, config.ErrUsage) ||
		err.Error() != `invalid --set-from-file "obscured-value": it must be PROP:PATH, or PROP:- to read standard input` {
		t.Errorf("FromFileArgs without a path: %v", err)
	}
	if !HasSensitive(k) {
		t.Error("passphrase providers have a sensitive property")
	}
}

func TestArgvWarning(t *testing.T) {
	k, typ := providers(t)
	if w := ArgvWarning(k, typ, []string{"obscured-value:s3cret"}, false, true); !strings.Contains(w, "give --set obscured-value without a value") || strings.Contains(w, "s3cret") {
		t.Errorf("warning at a terminal: %q", w)
	}
	if w := ArgvWarning(k, typ, []string{"obscured-value:s3cret"}, true, false); !strings.Contains(w, "in the batch file in clear text") {
		t.Errorf("warning in a batch: %q", w)
	}
	if w := ArgvWarning(k, typ, []string{"obscured-value", "enabled:true"}, false, false); w != "" {
		t.Errorf("no value was typed, yet: %q", w)
	}
}

func TestReaderReadsFilesWithLimits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := Reader{In: strings.NewReader("from stdin\n")}
	mods, err := r.Mods(context.Background(), nil, []FileArg{{config.OpSet, "a", write("a", "one\r\n")}, {config.OpAdd, "b", "-"}})
	if err != nil || len(mods) != 2 || mods[0].Value != "one" || mods[1].Value != "from stdin" || mods[1].Op != config.OpAdd {
		t.Fatalf("Mods: %+v, %v", mods, err)
	}
	for _, tt := range []struct {
		files []FileArg
		want  string
	}{
		{[]FileArg{{config.OpSet, "a", write("empty", "\n")}}, "is empty"},
		{[]FileArg{{config.OpSet, "a", write("big", strings.Repeat("x", maxInputSize+1))}}, "is larger than 64 KiB"},
		{[]FileArg{{config.OpSet, "a", "-"}, {config.OpSet, "b", "-"}}, "standard input can give only one value per command"},
		{[]FileArg{{config.OpSet, "a", ""}}, `invalid value file for "a": give a path, as a<PATH`},
	} {
		_, err := Reader{In: strings.NewReader("x")}.Mods(context.Background(), nil, tt.files)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, config.ErrUsage) {
			t.Errorf("%+v: %v, want %q", tt.files, err, tt.want)
		}
	}
}

func TestPromptNeedsATerminal(t *testing.T) {
	_, err := Reader{In: strings.NewReader("")}.Mods(context.Background(), []string{"obscured-value"}, nil)
	if err == nil || !errors.Is(err, config.ErrUsage) || !strings.Contains(config.HintOf(err), "--set-from-file obscured-value:FILE") {
		t.Errorf("prompt without a terminal: %v", err)
	}
}
