# shellcheck shell=bash
# Shared helpers for the dsconfig end-to-end stack.
# Source this file (after optionally setting E2E_DIR); it is safe to source
# more than once. When $E2E_DIR/env.sh exists it is sourced too, so every
# variable documented in README.md is available to callers.

E2E_DIR="${E2E_DIR:-/tmp/dsconfig-e2e}"
# shellcheck disable=SC2034 # for callers
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

# hydra_token_requests [CLIENT_ID] -- number of requests Hydra has completed
# on its token endpoint (POST /oauth2/token) since the stack started, any
# outcome (200 and 4xx). With CLIENT_ID: only requests that authenticated as
# that client with HTTP Basic (client_secret_basic); client_secret_post
# requests cannot be attributed (the body is not logged).
hydra_token_requests() {
	local id=${1:-} n=0 line auth dec
	if [ -z "$id" ]; then
		grep '"msg":"completed handling request"' "$E2E_HYDRA_LOG" 2>/dev/null |
			grep -c '"path":"/oauth2/token"' || true
		return 0
	fi
	while IFS= read -r auth; do
		dec=$(printf '%s' "$auth" | base64 -d 2>/dev/null) || continue
		[ "${dec%%:*}" = "$id" ] && n=$((n + 1))
	done < <(grep '"msg":"completed handling request"' "$E2E_HYDRA_LOG" 2>/dev/null |
		grep '"path":"/oauth2/token"' |
		sed -n 's/.*"authorization":\[*"Basic \([A-Za-z0-9+\/=]*\)".*/\1/p')
	echo "$n"
}

# hydra_token_requests_status STATUS -- completed token requests with that
# HTTP status (e.g. 200, 401)
hydra_token_requests_status() {
	grep '"msg":"completed handling request"' "$E2E_HYDRA_LOG" 2>/dev/null |
		grep '"path":"/oauth2/token"' | grep -c "\"status\":$1," || true
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

# ---------------------------------------------------------------------------
# Raw SMTP helpers (openssl s_client), for checks curl cannot express
# ---------------------------------------------------------------------------

# xoauth2_ir USER TOKEN -- base64 XOAUTH2 initial response (one line)
xoauth2_ir() { printf 'user=%s\001auth=Bearer %s\001\001' "$1" "$2" | base64 -w0; }

# oauthbearer_ir USER TOKEN [HOST PORT] -- base64 OAUTHBEARER (RFC 7628) initial response
oauthbearer_ir() {
	printf 'n,a=%s,\001host=%s\001port=%s\001auth=Bearer %s\001\001' "$1" "${3:-127.0.0.1}" "${4:-587}" "$2" | base64 -w0
}

# smtp_dialog PORT starttls|tls LINE... -- open a TLS SMTP session, send EHLO,
# then each LINE in turn, printing "C: line" / "S: reply" for every exchange
# (client lines longer than 80 chars are shown shortened). After a 334
# challenge that the next LINE does not answer, send an empty line as the
# SASL "abort/ack" (RFC 4954 / XOAUTH2 error flow). Ends with QUIT.
# Exit status 0 always; inspect the output.
smtp_dialog() {
	local port=$1 mode=$2
	shift 2
	local args=(-quiet -connect "127.0.0.1:$port" -CAfile "$E2E_CA" -verify_return_error)
	[ "$mode" = starttls ] && args+=(-starttls smtp)
	local reply line
	coproc SMTPC { timeout 30 openssl s_client "${args[@]}" 2>/dev/null; }
	local in=${SMTPC[0]} out=${SMTPC[1]}
	_smtp_read() { # read a (multi-line) reply; last line into $reply
		reply=""
		while IFS= read -r -t 10 line <&"$in"; do
			line=${line%$'\r'}
			echo "S: $line"
			reply=$line
			[[ $line =~ ^[0-9]{3}\  || $line =~ ^[0-9]{3}$ ]] && return 0
		done
		echo "S: <no reply / connection closed>"
		return 1
	}
	_smtp_send() {
		if [ ${#1} -gt 80 ]; then echo "C: ${1:0:60}...(${#1} chars)"; else echo "C: $1"; fi
		printf '%s\r\n' "$1" 1>&"$out" 2>/dev/null
	}
	[ "$mode" = tls ] && { _smtp_read || true; }
	_smtp_send "EHLO dsconfig-e2e.example.test"
	_smtp_read >/dev/null || true
	for line in "$@"; do
		_smtp_send "$line"
		_smtp_read || break
	done
	[[ ${reply:-} == 334* ]] && { _smtp_send ""; _smtp_read || true; }
	_smtp_send QUIT
	_smtp_read >/dev/null 2>&1 || true
	exec {out}>&- 2>/dev/null || true
	wait "$SMTPC_PID" 2>/dev/null || true
}
