package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

func TestWhen(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "unknown"},
		{now.Add(90 * time.Second), "2026-01-02T03:05:35Z (in 1m30s)"},
		{now.Add(-3 * 24 * time.Hour), "2025-12-30T03:04:05Z (3 days ago)"},
	} {
		if got := when(tt.t, now, "unknown"); got != tt.want {
			t.Errorf("when(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestTokenMasksTheToken(t *testing.T) {
	now := time.Now()
	tok := &httpauth.Token{AccessToken: "opaque-token-value", TokenType: "Bearer", ObtainedAt: now, FromCache: true}
	r := NewToken(httpauth.Info{Method: "M", Type: "client-credentials-bearer-token"}, tok, false, now)
	var b bytes.Buffer
	r.WriteText(&b, now, false)
	if strings.Contains(b.String(), tok.AccessToken) || !strings.Contains(b.String(), "Token Source              : cache") {
		t.Errorf("report:\n%s", b.String())
	}
	b.Reset()
	NewToken(httpauth.Info{Method: "M"}, tok, true, now).WriteText(&b, now, true)
	if !strings.Contains(b.String(), "Access Token\topaque-token-value\n") {
		t.Errorf("script report with the token:\n%s", b.String())
	}
}

func TestStepsText(t *testing.T) {
	var b bytes.Buffer
	p := NewSteps(&b, false, true)
	p.Report(mailer.Step{Server: "A", Stage: mailer.StageConnect, OK: true, Detail: "connected", Duration: 12 * time.Millisecond})
	p.Report(mailer.Step{Server: "A", Stage: mailer.StageAuth, Detail: "refused", Duration: 1500 * time.Millisecond})
	want := "ok    connect    12 ms  [A] connected\nFAIL  auth       1.5 s  [A] refused\n"
	if b.String() != want {
		t.Errorf("steps:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestStepsJSON(t *testing.T) {
	var b bytes.Buffer
	p := NewSteps(&b, true, false)
	p.Report(mailer.Step{Server: "A", Stage: mailer.StageConnect, Info: true})
	if b.Len() != 0 {
		t.Fatalf("a JSON report printed a step: %q", b.String())
	}
	if err := p.Finish(nil, errors.New("no server"), time.Second); err != nil {
		t.Fatal(err)
	}
	var doc Mail
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Steps) != 1 || doc.Steps[0].Status != "info" || doc.Error == nil || doc.Error.Message != "no server" || doc.Failed == nil || doc.Ms != 1000 {
		t.Errorf("document: %+v", doc)
	}
}

func TestWriteCheckCountsFindings(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCheck(&b, nil, NewSteps(&b, true, true), true, true); err != nil {
		t.Fatal(err)
	}
	var doc Check
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Findings == nil || !doc.Passed || doc.Errors != 0 {
		t.Errorf("document: %s", b.String())
	}
	b.Reset()
	if err := WriteCheck(&b, []check.Finding{}, NewSteps(&b, false, true), true, false); err != nil || b.Len() != 0 {
		t.Errorf("no findings and no summary wrote %q, %v", b.String(), err)
	}
}

func TestSecretText(t *testing.T) {
	var b bytes.Buffer
	r := NewSecret("S", "environment-variable", "é")
	r.WriteText(&b)
	if r.Length != 1 || !strings.Contains(b.String(), "gave a secret of 1 character, fingerprint "+r.Fingerprint) {
		t.Errorf("result: %+v %q", r, b.String())
	}
}
