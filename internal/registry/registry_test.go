package registry

import (
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Every kind has its types, and a fresh store holds the built-ins.
func TestNew(t *testing.T) {
	r := ForTest(t)
	for _, k := range r.Kinds() {
		if len(k.Types()) == 0 {
			t.Errorf("kind %s has no type", k.Name)
		}
	}
	st := r.InitialState()
	for _, name := range []string{"JVM-Default", "Blind Trust"} {
		if st.Get(config.KindTrustManagerProvider, name) == nil {
			t.Errorf("a fresh store lacks the built-in %q", name)
		}
	}
}
