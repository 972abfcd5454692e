package httpauth

import (
	"context"
	"time"
)

// Token is a bearer token with what is known about its lifetime.
type Token struct {
	AccessToken string
	TokenType   string    // usually "Bearer"
	Expiry      time.Time // zero when neither expires_in nor a JWT exp says
	// ReuseUntil is when the token stops being reused: the earlier of
	// Expiry minus the safety margin (min(10 min, lifetime/4)) and the
	// obtain time plus maximum-token-lifetime; see reuse.go. Zero for a
	// static token whose expiry is unknown.
	ReuseUntil time.Time
	ObtainedAt time.Time
	FromCache  bool   // taken from the shared cache, not newly requested
	Scope      string // the scope the server says it granted, if it said
}

// Source gives bearer tokens for one http-authorization-method. New
// returns one.
type Source interface {
	// Token returns a token that is valid for reuse now, from the cache
	// or newly obtained.
	Token(ctx context.Context) (*Token, error)
	// Reject says that a server refused tok: it is discarded, and the
	// next Token call obtains a new one.
	Reject(ctx context.Context, tok *Token) error
}
