//go:build unix

package interactive

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

// A reference property offers the objects created on the spot so far, of
// the types it allows only, before "Create a new ...".
func TestAskReferenceOffersObjectsCreatedOnTheSpot(t *testing.T) {
	reg := registry.ForTest(t)
	snap := &config.Snapshot{Registry: reg, State: reg.InitialState()}
	k := reg.Kind(config.KindHTTPAuthorizationMethod)
	p := k.Type("client-credentials-bearer-token").Property("http-proxy-external-server")
	servers := reg.Kind(config.KindExternalServer)
	r := &Request{Kind: k, Create: true, New: []NewObject{
		{Request: &Request{Kind: servers, Create: true, Name: "Mail", Type: mailer.TypeSMTP}},
		{Request: &Request{Kind: servers, Create: true, Name: "Proxy", Type: "http-proxy"}},
	}}
	rd, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	w.WriteString("1\n")
	w.Close()
	var out bytes.Buffer
	name, err := askReference(context.Background(), &prompt.Terminal{Out: &out, FD: int(rd.Fd())}, snap, r, p, p.Syntax.(config.Reference))
	if err != nil || name != "Proxy" {
		t.Fatalf("picked %q, %v; the terminal shows:\n%s", name, err, &out)
	}
	for _, want := range []string{"  1) Proxy", "http-proxy, created with this change", "  2) Create a new External Server"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the choices lack %q:\n%s", want, &out)
		}
	}
	if strings.Contains(out.String(), "Mail") {
		t.Errorf("an SMTP server is offered as an HTTP proxy:\n%s", &out)
	}
}
