package toolprops

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// FuzzCodec checks the Java properties reader: a malformed file is a
// *syntaxError, and a file that reads, written back with every key and
// value escaped, reads to the same keys and values.
func FuzzCodec(f *testing.F) {
	for _, s := range []string{"a=1\n", "# c\n! c\nA=1\nb : 2\nc\t3\nd\n", "f=x\\\n   y\n", "g\\ h=\\u0041\\=\\:\\\\\n", "dsconfig.port=25\n", "x=${y}\n", "bad=\\u00\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out := map[string]any{}
		err := (codec{}).Decode(data, out)
		var se *syntaxError
		if err != nil {
			if !errors.As(err, &se) {
				t.Errorf("error %v is not a *syntaxError", err)
			}
			return
		}
		flat := flatten(out)
		again := map[string]any{}
		text := format(flat)
		if err := (codec{}).Decode([]byte(text), again); err != nil {
			t.Fatalf("the formatted file does not read: %v\n%s", err, text)
		}
		if got := flatten(again); !reflect.DeepEqual(got, flat) {
			t.Errorf("read %q, then %q from\n%s", flat, got, text)
		}
	})
}

func flatten(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any:
			for k2, v2 := range flatten(v) {
				out[k+"."+k2] = v2
			}
		}
	}
	return out
}

// format writes keys and values as Java properties, escaping what the
// format would read otherwise.
func format(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", escape(k), escape(m[k]))
	}
	return b.String()
}

func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune(`\=: #!`, r):
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
