#!/usr/bin/env bash
# smoke.sh -- prove the e2e stack works with curl/openssl only (no dsconfig).
# Prints one "PASS name" / "FAIL name" line per check and a closing
# "N passed, N failed" line; exits non-zero when any check failed.
# Set SMOKE_SKIP_SLOW=1 to skip the ~11 s token-expiry check.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
[ -n "${E2E_TOKEN_URL:-}" ] || e2e_die "no $E2E_DIR/env.sh: run stack.sh start first"

PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/dsconfig-e2e-smoke.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1${2:+ -- $2}"; FAILED=$((FAILED + 1)); }

# mkmsg SUBJECT -> path of an RFC 5322 message file
mkmsg() {
	local f=$TMP/msg-$RANDOM$RANDOM.eml
	printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@dsconfig-e2e>\r\nDate: %s\r\n\r\nsmoke test body\r\n' \
		"$E2E_FROM" "$E2E_RCPT" "$1" "$1" "$(date -R)" >"$f"
	echo "$f"
}

# send URL USER TOKEN SUBJECT [extra curl args...] -> curl exit code
send() {
	local url=$1 user=$2 tok=$3 subj=$4 msg
	shift 4
	msg=$(mkmsg "$subj")
	curl -sS --max-time 20 --url "$url" --ssl-reqd --cacert "$E2E_CA" \
		--mail-from "$E2E_FROM" --mail-rcpt "$E2E_RCPT" \
		--user "$user:" --oauth2-bearer "$tok" --upload-file "$msg" "$@" \
		>"$TMP/curl.out" 2>"$TMP/curl.err"
}

delivered() { # SUBJECT -> 0 when a message with this subject is in the maildir
	local i
	for i in $(seq 1 100); do
		[ -n "$(grep_messages "Subject: $1")" ] && return 0
		sleep 0.1
	done
	return 1
}

# check_send NAME URL USER TOKEN [curl args...] -- expect success + delivery
check_send() {
	local name=$1 url=$2 user=$3 tok=$4 subj
	shift 4
	subj="smoke-$name-$(date +%s%N)"
	if ! send "$url" "$user" "$tok" "$subj" "$@"; then
		fail "$name" "curl: $(tr '\n' ' ' <"$TMP/curl.err")"
	elif ! delivered "$subj"; then
		fail "$name" "accepted but not delivered to $E2E_MAILDIR"
	else
		pass "$name"
	fi
}

# check_reject NAME URL USER TOKEN [curl args...] -- expect failure, no delivery
check_reject() {
	local name=$1 url=$2 user=$3 tok=$4 subj
	shift 4
	subj="smoke-$name-$(date +%s%N)"
	if send "$url" "$user" "$tok" "$subj" "$@"; then
		fail "$name" "login unexpectedly succeeded"
	elif grep -qi 'Login denied\|535\|authentication' "$TMP/curl.err"; then
		pass "$name"
	else
		fail "$name" "failed, but not with an auth error: $(tr '\n' ' ' <"$TMP/curl.err")"
	fi
}

# ehlo PORT starttls|tls -> EHLO response lines (after TLS)
ehlo() {
	local port=$1 mode=$2
	local args=(-quiet -connect "127.0.0.1:$port" -CAfile "$E2E_CA" -verify_return_error)
	[ "$mode" = starttls ] && args+=(-starttls smtp)
	{ printf 'EHLO smoke.example.test\r\n'; sleep 1; printf 'QUIT\r\n'; } |
		timeout 10 openssl s_client "${args[@]}" 2>/dev/null | tr -d '\r'
}

check_mechs() { # NAME PORT MODE EXPECTED_AUTH_LINE_REGEX
	local out
	out=$(ehlo "$2" "$3")
	if printf '%s\n' "$out" | grep -Eq "$4"; then pass "$1"
	else fail "$1" "EHLO: $(printf '%s' "$out" | grep -i auth | tr '\n' ' ')"; fi
}

PF_STARTTLS="smtp://127.0.0.1:$E2E_POSTFIX_SUBMISSION_PORT"
PF_TLS="smtps://127.0.0.1:$E2E_POSTFIX_SUBMISSIONS_PORT"
DC_STARTTLS="smtp://127.0.0.1:$E2E_DOVECOT_SUBMISSION_PORT"
DC_TLS="smtps://127.0.0.1:$E2E_DOVECOT_SUBMISSIONS_PORT"

# --- Hydra ---------------------------------------------------------------
TOKEN=$(get_token "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" 2>"$TMP/tok.err")
if [ -n "$TOKEN" ] && token_active "$TOKEN"; then pass hydra-token-basic
else fail hydra-token-basic "$(cat "$TMP/tok.err")"; fi

POST_TOKEN=$(curl -sS --fail-with-body --cacert "$E2E_CA" -d grant_type=client_credentials \
	-d "client_id=$E2E_POST_CLIENT_ID" -d "client_secret=$E2E_POST_CLIENT_SECRET" "$E2E_TOKEN_URL" |
	sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
if [ -n "$POST_TOKEN" ] && token_active "$POST_TOKEN"; then pass hydra-token-client-secret-post
else fail hydra-token-client-secret-post; fi

JWT=$(get_token "$E2E_JWT_CLIENT_ID" "$E2E_JWT_CLIENT_SECRET" mail 2>/dev/null)
if [ "$(printf '%s' "$JWT" | tr -cd . | wc -c)" = 2 ] && token_active "$JWT"; then pass "hydra-token-jwt (${#JWT} chars)"
else fail hydra-token-jwt "got ${#JWT} chars with $(printf '%s' "$JWT" | tr -cd . | wc -c) dots"; fi

LONG_JWT=$(get_token "$E2E_JWT_CLIENT_ID" "$E2E_JWT_CLIENT_SECRET" "$E2E_JWT_LONG_SCOPE" 2>/dev/null)
if [ "${#LONG_JWT}" -gt 2048 ]; then pass "hydra-token-long-jwt (${#LONG_JWT} chars)"
else fail hydra-token-long-jwt "only ${#LONG_JWT} chars"; fi

BEFORE=$(hydra_token_requests)
BEFORE_C=$(hydra_token_requests "$E2E_OTHER_CLIENT_ID")
get_token "$E2E_OTHER_CLIENT_ID" "$E2E_OTHER_CLIENT_SECRET" >/dev/null
get_token "$E2E_OTHER_CLIENT_ID" "$E2E_OTHER_CLIENT_SECRET" >/dev/null
get_token "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" >/dev/null
sleep 0.3
AFTER=$(hydra_token_requests)
AFTER_C=$(hydra_token_requests "$E2E_OTHER_CLIENT_ID")
if [ "$AFTER" -eq $((BEFORE + 3)) ] && [ "$AFTER_C" -eq $((BEFORE_C + 2)) ]; then
	pass "hydra-token-request-count (all $BEFORE -> $AFTER, $E2E_OTHER_CLIENT_ID $BEFORE_C -> $AFTER_C)"
else fail hydra-token-request-count "all $BEFORE -> $AFTER, $E2E_OTHER_CLIENT_ID $BEFORE_C -> $AFTER_C"; fi

if get_token "$E2E_CLIENT_ID" wrong-secret >/dev/null 2>&1; then fail hydra-bad-secret-rejected
else pass hydra-bad-secret-rejected; fi

# --- Postfix -------------------------------------------------------------
check_send postfix-starttls-oauthbearer "$PF_STARTTLS" "$E2E_CLIENT_ID" "$TOKEN"
check_send postfix-implicit-tls-oauthbearer "$PF_TLS" "$E2E_CLIENT_ID" "$TOKEN"
check_send postfix-xoauth2-only-port "smtp://127.0.0.1:$E2E_POSTFIX_XOAUTH2_PORT" "$E2E_CLIENT_ID" "$TOKEN"
check_send postfix-oauthbearer-only-port "smtp://127.0.0.1:$E2E_POSTFIX_OAUTHBEARER_PORT" "$E2E_CLIENT_ID" "$TOKEN"
check_send postfix-jwt-token "$PF_STARTTLS" "$E2E_JWT_CLIENT_ID" "$JWT"
check_send postfix-long-jwt-token "$PF_STARTTLS" "$E2E_JWT_CLIENT_ID" "$LONG_JWT"
check_reject postfix-bad-token-rejected "$PF_STARTTLS" "$E2E_CLIENT_ID" "not-a-valid-token"
check_reject postfix-user-mismatch-rejected "$PF_STARTTLS" "$E2E_OTHER_CLIENT_ID" "$TOKEN"

check_mechs postfix-ehlo-587-both "$E2E_POSTFIX_SUBMISSION_PORT" starttls '^250-AUTH (XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)$'
check_mechs postfix-ehlo-465-both "$E2E_POSTFIX_SUBMISSIONS_PORT" tls '^250-AUTH (XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)$'
check_mechs postfix-ehlo-xoauth2-only "$E2E_POSTFIX_XOAUTH2_PORT" starttls '^250-AUTH XOAUTH2$'
check_mechs postfix-ehlo-oauthbearer-only "$E2E_POSTFIX_OAUTHBEARER_PORT" starttls '^250-AUTH OAUTHBEARER$'
out=$(ehlo "$E2E_POSTFIX_NOAUTH_PORT" starttls)
if printf '%s\n' "$out" | grep -q '^250' && ! printf '%s\n' "$out" | grep -q AUTH; then pass postfix-ehlo-noauth
else fail postfix-ehlo-noauth; fi

# --- Dovecot submission --------------------------------------------------
check_send dovecot-starttls-oauthbearer "$DC_STARTTLS" "$E2E_CLIENT_ID" "$TOKEN"
check_send dovecot-implicit-tls-oauthbearer "$DC_TLS" "$E2E_CLIENT_ID" "$TOKEN"
check_send dovecot-long-jwt-token "$DC_STARTTLS" "$E2E_JWT_CLIENT_ID" "$LONG_JWT"
check_reject dovecot-bad-token-rejected "$DC_STARTTLS" "$E2E_CLIENT_ID" "not-a-valid-token"
check_mechs dovecot-ehlo "$E2E_DOVECOT_SUBMISSION_PORT" starttls '^250-AUTH (XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)$'

# --- raw XOAUTH2 (curl 7.88 always picks OAUTHBEARER when offered) -------
# check_dialog NAME EXPECTED_LAST_REPLY_REGEX PORT MODE LINE...
check_dialog() {
	local name=$1 want=$2 out got
	shift 2
	out=$(smtp_dialog "$@")
	got=$(printf '%s\n' "$out" | grep '^S: [0-9]' | tail -n1)
	if printf '%s' "$got" | grep -Eq "$want"; then pass "$name"
	else fail "$name" "$(printf '%s' "$out" | grep '^S:' | tr '\n' ' ')"; fi
}
IR=$(xoauth2_ir "$E2E_CLIENT_ID" "$TOKEN")
JIR=$(xoauth2_ir "$E2E_JWT_CLIENT_ID" "$JWT")
check_dialog postfix-xoauth2-inline '^S: 250' "$E2E_POSTFIX_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $IR" "MAIL FROM:<$E2E_FROM>"
check_dialog postfix-xoauth2-implicit-tls '^S: 250' "$E2E_POSTFIX_SUBMISSIONS_PORT" tls "AUTH XOAUTH2 $IR" "MAIL FROM:<$E2E_FROM>"
check_dialog postfix-xoauth2-bad-token '^S: 535' "$E2E_POSTFIX_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $(xoauth2_ir "$E2E_CLIENT_ID" bad)"
check_dialog dovecot-xoauth2-inline '^S: 250' "$E2E_DOVECOT_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $IR" "MAIL FROM:<$E2E_FROM>"
check_dialog dovecot-xoauth2-implicit-tls '^S: 250' "$E2E_DOVECOT_SUBMISSIONS_PORT" tls "AUTH XOAUTH2 $IR" "MAIL FROM:<$E2E_FROM>"
check_dialog dovecot-xoauth2-bad-token '^S: 535' "$E2E_DOVECOT_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $(xoauth2_ir "$E2E_CLIENT_ID" bad)"
# Dovecot rejects AUTH command lines longer than 1030 bytes (excl. CRLF)...
check_dialog dovecot-long-auth-line-rejected '^S: 500 5\.5\.2 Line too long' "$E2E_DOVECOT_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $JIR"
# ...but accepts the same response sent after an empty-IR "334" challenge.
check_dialog dovecot-long-auth-split '^S: 250' "$E2E_DOVECOT_SUBMISSION_PORT" starttls "AUTH XOAUTH2" "$JIR" "MAIL FROM:<$E2E_FROM>"
check_dialog postfix-long-auth-line-inline '^S: 250' "$E2E_POSTFIX_SUBMISSION_PORT" starttls "AUTH XOAUTH2 $JIR" "MAIL FROM:<$E2E_FROM>"

# --- failure replies must be fast (no auth penalty / tarpit) --------------
t0=$(date +%s%N)
for _ in 1 2 3; do
	send "$PF_STARTTLS" "$E2E_CLIENT_ID" bad-token x
	send "$DC_STARTTLS" "$E2E_CLIENT_ID" bad-token x
done
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 5000 ]; then pass "failed-logins-fast (6 failures in ${ms} ms)"
else fail failed-logins-fast "6 failures took ${ms} ms"; fi

# --- revocation ----------------------------------------------------------
RTOK=$(get_token "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET")
check_send revoke-before "$PF_STARTTLS" "$E2E_CLIENT_ID" "$RTOK"
if revoke_token "$RTOK" && ! token_active "$RTOK"; then pass hydra-revoke
else fail hydra-revoke; fi
check_reject postfix-revoked-token-rejected "$PF_STARTTLS" "$E2E_CLIENT_ID" "$RTOK"
check_reject dovecot-revoked-token-rejected "$DC_STARTTLS" "$E2E_CLIENT_ID" "$RTOK"

# --- expiry --------------------------------------------------------------
if [ -z "${SMOKE_SKIP_SLOW:-}" ]; then
	STOK_JSON=$(get_token_json "$E2E_SHORT_CLIENT_ID" "$E2E_SHORT_CLIENT_SECRET")
	STOK=$(printf '%s' "$STOK_JSON" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
	# The response is reported without its token: CI logs are kept.
	STOK_SHOWN=$(printf '%s' "$STOK_JSON" | sed 's/"access_token":"[^"]*"/"access_token":"(masked)"/')
	if printf '%s' "$STOK_JSON" | grep -Eq "\"expires_in\":(9|$E2E_SHORT_TTL)[,}]"; then pass "hydra-short-lifespan ($STOK_SHOWN)"
	else fail hydra-short-lifespan "$STOK_SHOWN"; fi
	check_send short-token-fresh "$PF_STARTTLS" "$E2E_SHORT_CLIENT_ID" "$STOK"
	sleep $((E2E_SHORT_TTL + 1))
	if token_active "$STOK"; then fail hydra-short-token-expired; else pass hydra-short-token-expired; fi
	check_reject postfix-expired-token-rejected "$PF_STARTTLS" "$E2E_SHORT_CLIENT_ID" "$STOK"
fi

echo "smoke: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
