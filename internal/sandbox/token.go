package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// tokenPath is the token endpoint's path.
const tokenPath = "/oauth2/token"

// tokenHandler is an OAuth 2.0 token endpoint for the client credentials
// grant (RFC 6749 §4.4). It accepts the client's credentials in an HTTP
// Basic header (client_secret_basic) or in the form (client_secret_post),
// and, for request-method get, in the query string.
func (s *Sandbox) tokenHandler(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	failWith := s.tokenFailure
	s.mu.Unlock()
	if failWith != 0 {
		oauthError(w, failWith, "temporarily_unavailable", "the sandbox was told to fail token requests")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form could not be parsed")
		return
	}
	if g := r.Form.Get("grant_type"); g != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not client_credentials", g))
		return
	}
	if !s.clientOK(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	tok, life := s.issue(0)
	s.logf("token endpoint: issued a token to %s, valid for %s", s.opts.ClientID, life)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(life.Seconds()),
		"scope": r.Form.Get("scope"),
	})
}

func (s *Sandbox) clientOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// issue makes a token valid for life (the configured lifetime when 0)
// and remembers it.
func (s *Sandbox) issue(life time.Duration) (string, time.Duration) {
	if life == 0 {
		life = s.opts.TokenLifetime
	}
	now := time.Now()
	tok := randomString(32)
	if s.opts.JWT {
		tok = s.jwt(now, life)
	}
	s.mu.Lock()
	s.tokens[tok] = now.Add(life)
	s.issued = append(s.issued, tok)
	s.mu.Unlock()
	return tok, life
}

// jwt makes a token shaped like an Entra app-only token. The signature is
// random bytes: only the sandbox checks the token, by lookup.
func (s *Sandbox) jwt(now time.Time, life time.Duration) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": "sandbox"})
	claims, _ := json.Marshal(map[string]any{
		"aud": "https://outlook.office365.com", "iss": s.TokenURL(), "appid": s.opts.ClientID,
		"roles": []string{"SMTP.SendAsApp"}, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(life).Unix(), "jti": randomString(12),
	})
	return enc.EncodeToString(header) + "." + enc.EncodeToString(claims) + "." + randomString(64)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// validToken reports whether tok was issued here and has not expired or
// been revoked.
func (s *Sandbox) validToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}
