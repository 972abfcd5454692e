package httpauth

import (
	"fmt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// GetAccessTokenHelp is the help of dsconfig get-access-token. The
// renewal margins and the trace limit come from this package, so that
// the help cannot drift from the code.
func GetAccessTokenHelp() string {
	return fmt.Sprintf(`Gets a bearer token from an HTTP authorization method, the way send-test-mail
would, and shows what decides whether mail will work: whether the token came
from the shared cache or is new, its expiry and how long it will be reused,
its type, and, for a JWT, the claims aud, roles/scp, appid/azp, tid, iss, exp
and nbf. The claims are decoded, not verified: the signature is not checked.
The token itself is masked unless --show-token is given.

--verbose traces the request to the token endpoint, in the manner of curl -v,
on standard output (standard error with --output json): the proxy, the
resolved address, TLS and the server's certificate, the request line,
headers and form fields, and the response's status, headers and body (the
first %d bytes). The Authorization header shows only the client id, the
client secret and assertions show *****, and tokens show their length and
SHA-256 prefix. A token taken from the cache makes no request, so there is
nothing to trace: add --no-token-cache.

Tokens are reused, across dsconfig invocations, through the cache file
token-cache.json in the configuration directory, until %s before they
expire (a quarter of the lifetime for tokens shorter than %s; %s after
they were obtained when the lifetime is unknown) or until
maximum-token-lifetime has passed. --no-token-cache bypasses the cache;
--clear-cache empties it (for the method, or entirely when no --method-name
is given). A cache file that cannot be opened is bypassed with a warning.

Exit status: 0 token obtained, 1 --clear-cache failed (or another
unexpected error), 2 usage, 3 method or secret unusable,
4 no token could be obtained (the error says what the server answered).`,
		traceBodyLimit, config.FormatDuration(maxMargin), config.FormatDuration(4*maxMargin), config.FormatDuration(unknownLifetime))
}
