package mailer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// fakeCredentials is the command layer's side of Candidates.
type fakeCredentials struct{ methods, providers []string }

func (f *fakeCredentials) Secret(_ context.Context, name string) (string, error) {
	f.providers = append(f.providers, name)
	return "pw-" + name, nil
}

func (f *fakeCredentials) TokenSource(method string) (httpauth.Source, error) {
	f.methods = append(f.methods, method)
	return &badSource{}, nil
}

func candidateSnapshot(t *testing.T) *config.Snapshot {
	t.Helper()
	reg, err := config.NewRegistry(config.Kinds(), config.GlobalTypes(), passphrase.Types(), tlsconf.Types(), httpauth.Types(), Types())
	if err != nil {
		t.Fatal(err)
	}
	st := config.NewState()
	put := func(kind, name, typ string, values map[string][]string) {
		st.Put(&config.Object{Kind: kind, Name: name, Type: typ, Values: values})
	}
	put(config.KindExternalServer, "tokens", TypeSMTP, map[string][]string{propServerHostName: {"smtp.example.com"},
		propServerPort: {"587"}, propSMTPSecurity: {SecurityStartTLS}, propUserName: {"alerts@example.com"},
		propTokenAcquisitionMethod: {"m"}, propTrustManagerProvider: {"blind"}})
	put(config.KindExternalServer, "password", TypeSMTP, map[string][]string{propServerHostName: {"127.0.0.1"},
		propUserName: {"alerts@example.com"}, propPassphraseProvider: {"pp"}})
	put(config.KindExternalServer, "proxy", "http-proxy", map[string][]string{propServerHostName: {"proxy.example.com"}, propServerPort: {"3128"}})
	put(config.KindTrustManagerProvider, "blind", tlsconf.TypeBlindTrust, map[string][]string{config.PropEnabled: {"true"}})
	put(config.KindGlobalConfiguration, "", "", map[string][]string{config.PropSMTPServer: {"tokens", "password"}})
	return &config.Snapshot{Registry: reg, State: st, Dir: t.TempDir()}
}

func TestCandidates(t *testing.T) {
	creds := &fakeCredentials{}
	var warnings []string
	opts := CandidateOptions{Config: candidateSnapshot(t), Secrets: creds, Tokens: creds,
		Warn: func(msg string) { warnings = append(warnings, msg) }}
	cands, err := Candidates(opts, "")
	if err != nil || len(cands) != 2 || cands[0].Name != "tokens" || cands[1].Name != "password" {
		t.Fatalf("Candidates(\"\") = %+v, %v; want the global smtp-server list", cands, err)
	}
	if len(creds.methods)+len(creds.providers) != 0 {
		t.Errorf("credentials resolved before their turn: %+v", creds)
	}

	s, err := cands[0].Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "smtp.example.com" || s.Port != 587 || s.Tokens == nil || !s.Unverified || s.TLS == nil {
		t.Errorf("tokens server = %+v", s)
	}
	if len(creds.methods) != 1 || creds.methods[0] != "m" {
		t.Errorf("token sources asked for %q, want [m]", creds.methods)
	}
	want := tlsconf.UnverifiedWarning(`the certificate of SMTP server "tokens"`, "blind")
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings = %q, want [%q]", warnings, want)
	}

	s, err = cands[1].Resolve(context.Background())
	if err != nil || s.Password != "pw-pp" || s.Port != 25 || s.TLS != nil || s.Unverified {
		t.Errorf("password server = %+v, %v", s, err)
	}
}

func TestCandidatesRefuse(t *testing.T) {
	opts := CandidateOptions{Config: candidateSnapshot(t), Secrets: &fakeCredentials{}, Tokens: &fakeCredentials{}}
	for name, want := range map[string]string{"proxy": "is of type http-proxy, not smtp", "nosuch": "nosuch"} {
		cands, err := Candidates(opts, name)
		if err != nil || len(cands) != 1 || cands[0].Name != name {
			t.Fatalf("Candidates(%q) = %+v, %v", name, cands, err)
		}
		_, err = cands[0].Resolve(context.Background())
		if !errors.Is(err, config.ErrRejected) || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q) error = %v, want a rejection saying %q", name, err, want)
		}
	}
}

// subjectSource is a service account's source: it records the mailbox it
// was asked to act as.
type subjectSource struct {
	badSource
	subject  string
	override bool
}

func (s *subjectSource) WithSubject(subject string, override bool) (httpauth.Source, error) {
	s.subject, s.override = subject, override
	return s, nil
}

type subjectCredentials struct {
	fakeCredentials
	src *subjectSource
}

func (f *subjectCredentials) TokenSource(string) (httpauth.Source, error) { return f.src, nil }

// TestCandidatesServiceAccountSubject: a service account acts as the SMTP
// server's user-name, which does not override the method's own
// subject-user-name.
func TestCandidatesServiceAccountSubject(t *testing.T) {
	creds := &subjectCredentials{src: &subjectSource{}}
	cands, err := Candidates(CandidateOptions{Config: candidateSnapshot(t), Secrets: creds, Tokens: creds}, "tokens")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cands[0].Resolve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if creds.src.subject != "alerts@example.com" || creds.src.override {
		t.Errorf("WithSubject(%q, %v), want the SMTP user-name without override", creds.src.subject, creds.src.override)
	}
}
