# shellcheck shell=bash
# Shared helpers for the dsconfig end-to-end stack.
# Source this file (after optionally setting E2E_DIR); it is safe to source
# more than once. When $E2E_DIR/env.sh exists it is sourced too, so every
# variable documented in README.md is available to callers.

E2E_DIR="${E2E_DIR:-/tmp/dsconfig-e2e}"
E2E_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HYDRA_VERSION="${HYDRA_VERSION:-v2.3.0}"
E2E_CACHE_DIR="${E2E_CACHE_DIR:-/var/cache/dsconfig-e2e}"
HYDRA_BIN="${HYDRA_BIN:-$E2E_CACHE_DIR/hydra-$HYDRA_VERSION}"

# Fixed loopback ports (override via environment before `stack.sh start`).
: "${E2E_HYDRA_PUBLIC_PORT:=14444}"
: "${E2E_HYDRA_ADMIN_PORT:=14445}"
: "${E2E_POSTFIX_RELAY_PORT:=15525}"      # plain SMTP, no AUTH (dovecot relays here)
: "${E2E_POSTFIX_SUBMISSION_PORT:=15587}" # STARTTLS, XOAUTH2 + OAUTHBEARER
: "${E2E_POSTFIX_SUBMISSIONS_PORT:=15465}" # implicit TLS, XOAUTH2 + OAUTHBEARER
: "${E2E_POSTFIX_XOAUTH2_PORT:=15588}"    # STARTTLS, XOAUTH2 only
: "${E2E_POSTFIX_OAUTHBEARER_PORT:=15589}" # STARTTLS, OAUTHBEARER only
: "${E2E_POSTFIX_NOAUTH_PORT:=15590}"     # STARTTLS, no AUTH advertised at all
: "${E2E_DOVECOT_SUBMISSION_PORT:=16587}" # dovecot submission STARTTLS
: "${E2E_DOVECOT_SUBMISSIONS_PORT:=16465}" # dovecot submission implicit TLS

# shellcheck disable=SC1091
[ -f "$E2E_DIR/env.sh" ] && . "$E2E_DIR/env.sh"

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { e2e_log "FATAL: $*"; exit 1; }

# wait_port PORT [TIMEOUT_SECONDS] -- wait until something listens on 127.0.0.1:PORT
e2e_wait_port() {
	local port=$1 timeout=${2:-30} i=0
	while [ "$i" -lt $((timeout * 10)) ]; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# e2e_port_free PORT -- true when nothing listens on 127.0.0.1:PORT
e2e_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# e2e_pid_alive PIDFILE -- true when the pid in PIDFILE is a running process
e2e_pid_alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(head -n1 "$1" | tr -dc 0-9)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# ---------------------------------------------------------------------------
# Hydra / OAuth helpers (need env.sh, i.e. a started stack)
# ---------------------------------------------------------------------------

# get_token CLIENT_ID CLIENT_SECRET [SCOPE] -- print an access token (client
# credentials grant, client_secret_basic) or fail.
get_token() {
	local id=$1 secret=$2 scope=${3:-} out
	local args=(-sS --fail-with-body --cacert "$E2E_CA" -u "$id:$secret"
		-d grant_type=client_credentials)
	[ -n "$scope" ] && args+=(--data-urlencode "scope=$scope")
	out=$(curl "${args[@]}" "$E2E_TOKEN_URL") || { echo "$out" >&2; return 1; }
	printf '%s' "$out" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# get_token_json CLIENT_ID CLIENT_SECRET [SCOPE] -- raw token endpoint JSON
get_token_json() {
	local id=$1 secret=$2 scope=${3:-}
	local args=(-sS --fail-with-body --cacert "$E2E_CA" -u "$id:$secret"
		-d grant_type=client_credentials)
	[ -n "$scope" ] && args+=(--data-urlencode "scope=$scope")
	curl "${args[@]}" "$E2E_TOKEN_URL"
}

# revoke_token TOKEN [CLIENT_ID CLIENT_SECRET] -- revoke at the public
# revocation endpoint. Hydra only revokes a token when the authenticating
# client is the one the token was issued to, so pass that client's
# credentials (default: the main client).
revoke_token() {
	local tok=$1 id=${2:-$E2E_CLIENT_ID} secret=${3:-$E2E_CLIENT_SECRET}
	curl -sS --fail-with-body --cacert "$E2E_CA" -u "$id:$secret" \
		--data-urlencode "token=$tok" "$E2E_REVOKE_URL"
}

# introspect_token TOKEN -- print Hydra's introspection JSON ("active":true/false)
introspect_token() {
	curl -sS --fail-with-body --cacert "$E2E_CA" --data-urlencode "token=$1" \
		"$E2E_INTROSPECT_URL"
}

# token_active TOKEN -- exit 0 when Hydra says the token is active
token_active() { introspect_token "$1" | grep -q '"active":true'; }

# hydra_token_requests [CLIENT_ID] -- number of requests Hydra has served on
# its token endpoint since the stack started (all clients, or only the
# successful issuances for CLIENT_ID when given -- see README).
hydra_token_requests() {
	if [ -n "${1:-}" ]; then
		grep -c "\"client_id\":\"$1\".*access_token_issued\|access_token_issued.*\"client_id\":\"$1\"" "$E2E_HYDRA_LOG" 2>/dev/null || true
	else
		grep '"completed handling request"' "$E2E_HYDRA_LOG" 2>/dev/null |
			grep -c '"path":"/oauth2/token"' || true
	fi
}

# ---------------------------------------------------------------------------
# Maildir helpers
# ---------------------------------------------------------------------------

# maildir_of ADDRESS -- Maildir directory for ADDRESS (local@example.test)
maildir_of() {
	local local_part=${1%@*}
	case " $E2E_MAILBOXES " in
	*" $local_part "*) echo "$E2E_MAIL_DIR/example.test/$local_part" ;;
	*) echo "$E2E_MAIL_DIR/example.test/catchall" ;;
	esac
}

# count_messages [ADDRESS] -- number of delivered messages (new+cur) for
# ADDRESS (default: $E2E_RCPT). Unknown local parts land in the catch-all.
count_messages() {
	local d
	d=$(maildir_of "${1:-$E2E_RCPT}")
	find "$d/new" "$d/cur" -type f 2>/dev/null | wc -l
}

# wait_messages COUNT [ADDRESS] [TIMEOUT] -- wait until >= COUNT messages are
# in the Maildir (Postfix delivers asynchronously, usually < 1 s).
wait_messages() {
	local want=$1 addr=${2:-$E2E_RCPT} timeout=${3:-15} i=0
	while [ "$i" -lt $((timeout * 10)) ]; do
		[ "$(count_messages "$addr")" -ge "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# grep_messages PATTERN [ADDRESS] -- list delivered message files containing PATTERN
grep_messages() {
	local d
	d=$(maildir_of "${2:-$E2E_RCPT}")
	grep -l -r -- "$1" "$d/new" "$d/cur" 2>/dev/null || true
}
