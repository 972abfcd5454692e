package httpauth

import (
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Renewal. A token is reused until ReuseUntil, which is the earliest of:
//
//   - Expiry minus a safety margin. Exchange Online refuses tokens close
//     to expiry ("501 5.5.127 Token will expire soon" has been seen 8.5
//     minutes before exp), so the margin is 10 minutes; but a short-lived
//     token (a test server's 60 s token) would then never be usable, so
//     the margin is at most a quarter of the token's lifetime:
//     margin = min(10 min, lifetime/4).
//   - The obtain time plus maximum-token-lifetime, when that is set. Its
//     minimum, 1 s, means that a token is never reused.
//   - When the lifetime is unknown (no expires_in and no JWT exp), the
//     obtain time plus 5 minutes: short enough to be safe for any real
//     token service, long enough to spare a burst of test mails.
const (
	maxMargin       = 10 * time.Minute // the largest renewal margin
	unknownLifetime = 5 * time.Minute  // how long a token of unknown lifetime is reused
)

// margin returns the safety margin for a token with the given lifetime.
func margin(lifetime time.Duration) time.Duration {
	return min(maxMargin, lifetime/4)
}

func reuseUntil(obtained, expiry time.Time, maxLife time.Duration) time.Time {
	if maxLife > 0 && maxLife <= time.Second {
		return obtained
	}
	until := obtained.Add(unknownLifetime)
	if !expiry.IsZero() {
		until = expiry.Add(-margin(expiry.Sub(obtained)))
	}
	if maxLife > 0 && obtained.Add(maxLife).Before(until) {
		until = obtained.Add(maxLife)
	}
	return until
}

// reusable reports whether t may be handed out again at now.
func reusable(t *Token, now time.Time) bool {
	return now.Before(t.ReuseUntil) && (t.Expiry.IsZero() || now.Before(t.Expiry))
}

// fingerprint identifies a token without revealing it (config.Fingerprint).
func fingerprint(token string) string { return config.Fingerprint(token) }
