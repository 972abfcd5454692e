package check

import (
	"context"
	"encoding/base64"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// creds gives secrets and token sources the way cmd/dsconfig does.
type creds struct {
	snap   *config.Snapshot
	getenv func(string) string
}

func (c creds) resolver() *passphrase.Resolver {
	return &passphrase.Resolver{Config: c.snap, Getenv: c.getenv}
}

func (c creds) Secret(ctx context.Context, name string) (string, error) {
	return c.resolver().Secret(ctx, name)
}

func (c creds) TokenSource(method string) (httpauth.Source, error) {
	return httpauth.New(httpauth.Options{Config: c.snap, NoCache: true, Secrets: c.resolver()}, method)
}

// sandboxSnapshot is the quick start pointed at a loopback sandbox.
func sandboxSnapshot(t *testing.T, sb *sandbox.Sandbox) *config.Snapshot {
	snap := goodSnapshot(t)
	host, port, _ := net.SplitHostPort(sb.SMTPAddr)
	set(snap, hm, mth, propEndpoint, sb.TokenURL())
	set(snap, hm, mth, "oauth-client-id", sb.ClientID())
	set(snap, hm, mth, propScope)
	set(snap, es, srv, propHost, host)
	set(snap, es, srv, propPort, port)
	set(snap, es, srv, propTrustManager, "Sandbox CA")
	snap.State.Put(&config.Object{Kind: config.KindTrustManagerProvider, Name: "Sandbox CA", Type: typeFileBased,
		Values: vals{"enabled": {"true"}, propTrustFile: {sb.CAFile}}})
	return snap
}

func startSandbox(t *testing.T, o sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	o.Dir = t.TempDir()
	sb, err := sandbox.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func runOnline(t *testing.T, snap *config.Snapshot, secret string) ([]Finding, []mailer.Step) {
	t.Helper()
	env := func(string) string { return secret }
	var steps []mailer.Step
	fs, err := Online(context.Background(), OnlineOptions{
		Options: Options{Config: snap, Getenv: env},
		Secrets: creds{snap, env}, Tokens: creds{snap, env},
		Report: func(st mailer.Step) { steps = append(steps, st) }})
	if err != nil {
		t.Fatal(err)
	}
	return fs, steps
}

func TestOnlineGoodSetupPassesStrict(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{RequireTLS: true})
	snap := sandboxSnapshot(t, sb)
	fs, steps := runOnline(t, snap, sb.ClientSecret())
	off := runOffline(t, snap, Options{Getenv: func(string) string { return sb.ClientSecret() }})
	all := append(off, fs...)
	if err := Verdict(all, true); err != nil {
		t.Errorf("the sandbox quick start fails --strict: %v: %v", err, all)
	}
	var stages []string
	for _, st := range steps {
		stages = append(stages, string(st.Stage))
		if !st.OK {
			t.Errorf("step %s failed: %s", st.Stage, st.Detail)
		}
	}
	if want := []string{"token", "config", "token", "connect", "tls", "ehlo", "auth"}; !slices.Equal(stages, want) {
		t.Errorf("steps = %v, want %v", stages, want)
	}
	if n := len(sb.Messages()); n != 0 {
		t.Errorf("check-config --online sent %d messages", n)
	}
}

func TestOnlineFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   sandbox.Options
		secret string
		change func(*config.Snapshot)
		want   string
	}{
		{name: "wrong secret", secret: "wrong", want: onlineToken},
		{name: "wrong port", change: func(s *config.Snapshot) { set(s, es, srv, propPort, closedPort(t)) }, want: onlineConnect},
		{name: "no bearer mechanism", opts: sandbox.Options{Mechanisms: []string{"PLAIN"}, Users: map[string]string{"u": "p"}}, want: onlineAuth},
		{name: "untrusted certificate", change: func(s *config.Snapshot) { set(s, es, srv, propTrustManager) }, want: onlineTLS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := startSandbox(t, tc.opts)
			snap := sandboxSnapshot(t, sb)
			if tc.change != nil {
				tc.change(snap)
			}
			secret := tc.secret
			if secret == "" {
				secret = sb.ClientSecret()
			}
			fs, _ := runOnline(t, snap, secret)
			if got := ids(fs); !slices.Equal(got, []string{tc.want}) {
				t.Fatalf("findings = %v, want [%s]", fs, tc.want)
			}
			if strings.Contains(fs[0].String(), "sandbox-secret") || strings.Contains(fs[0].String(), secret) {
				t.Errorf("finding shows the secret: %s", fs[0])
			}
		})
	}
}

// closedPort is a loopback port with nothing listening.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// TestOnlineExchangeClaims checks a JWT against Exchange Online's needs
// when the method serves smtp.office365.com, without connecting there.
func TestOnlineExchangeClaims(t *testing.T) {
	snap := goodSnapshot(t)
	snap.State.Put(&config.Object{Kind: hm, Name: mth, Type: typeStatic, Values: vals{"enabled": {"true"}, "oauth-token-passphrase-provider": {sec}}})
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"https://graph.microsoft.com","exp":4102444800}`))
	jwt := "eyJhbGciOiJub25lIn0." + payload + ".sig"
	env := func(string) string { return jwt }
	for _, tc := range []struct {
		host string
		want []string
	}{
		{exchangeHost, []string{tokenClaims, tokenClaims}}, // aud and roles
		{"localhost", nil},
	} {
		set(snap, es, srv, propHost, tc.host)
		c, err := newChecker(snap, testNow)
		if err != nil {
			t.Fatal(err)
		}
		c.token(context.Background(), OnlineOptions{Tokens: creds{snap, env}}, mth, func(mailer.Step) {})
		if got := ids(c.out()); !slices.Equal(got, tc.want) {
			t.Errorf("a Graph JWT for %s: %v, want %v", tc.host, c.out(), tc.want)
		}
	}
}
