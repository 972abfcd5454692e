#!/usr/bin/env bash
# cases.sh -- drives the real dsconfig binary against the e2e stack (Hydra,
# Dovecot, Postfix on 127.0.0.1) through PingDirectory's workflow and checks
# each delivered message on disk. Run by run.sh with the stack up:
#
#   DSCONFIG=/path/to/dsconfig test/e2e/cases.sh
#
# Each case gets its own configuration directory and its own mailbox, so
# the cases do not see each other's tokens or messages. The last line is
# "cases: N passed, N failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
: "${DSCONFIG:?set DSCONFIG to the dsconfig binary}"

PASSED=0
FAILED=0
declare -a RESULTS=()
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- helpers ---------------------------------------------------------------

ds() { "$DSCONFIG" --config-dir "$CFG" "$@"; }

# run_send LOGFILE ARGS...: send-test-mail, output to LOGFILE; returns its exit code.
# The SMTP user name is the Hydra client id (see provision), not an
# address, so the sender is given explicitly.
run_send() {
	local log=$1
	shift
	ds send-test-mail --from "$E2E_FROM" "$@" >"$log" 2>&1
}

pass() { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $CASE"); echo "PASS $CASE"; }
fail() {
	FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $CASE: $*"); echo "FAIL $CASE: $*"
	[ -n "${LAST_LOG:-}" ] && [ -f "$LAST_LOG" ] && sed 's/^/    | /' "$LAST_LOG"
}

# begin NAME MAILBOX: a fresh config dir and recipient for one case.
begin() {
	# Only rcpt and rcpt01..rcpt30 have Maildirs of their own (stack.sh);
	# any other name lands in the shared catch-all and breaks the counts.
	case $2 in
	rcpt | rcpt0[1-9] | rcpt[12][0-9] | rcpt30) ;;
	*) echo "cases.sh: mailbox $2 has no Maildir of its own: use rcpt01..rcpt30" >&2; exit 2 ;;
	esac
	CASE=$1
	RCPT="$2@example.test"
	CFG="$WORK/$1"
	LAST_LOG="$WORK/$1.log"
	mkdir -p "$CFG"
	# Mail accumulates across runs of the same $E2E_DIR: start each case
	# with an empty mailbox, so that counts and contents are its own.
	empty_mailbox "$RCPT"
	echo "---- $CASE"
}

# empty_mailbox ADDRESS: remove the messages delivered to ADDRESS.
empty_mailbox() {
	local md
	md=$(maildir_of "$1")
	find "$md/new" "$md/cur" -type f -delete 2>/dev/null
}

# provision CLIENT_ID SECRET PORT SECURITY [extra method --set args...]:
# the PingDirectory chain, with the generated CA trusted through a
# trust-manager-provider and the SMTP user name equal to the client id
# (Hydra's sub claim, which Dovecot compares with the user name).
provision() {
	local id=$1 secret=$2 port=$3 security=$4
	shift 4
	export E2E_CASE_SECRET="$secret"
	ds create-passphrase-provider --provider-name "SMTP Client Secret" --type environment-variable \
		--set enabled:true --set environment-variable:E2E_CASE_SECRET &&
		add_ca &&
		ds create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token \
			--set enabled:true --set "oauth-server-token-endpoint-url:$E2E_TOKEN_URL" --set "oauth-client-id:$id" \
			--set "oauth-client-secret-passphrase-provider:SMTP Client Secret" --set "trust-manager-provider:E2E CA" "$@" &&
		add_server "Mail" "$port" "$security" "SMTP Bearer Token" "$id" &&
		ds set-global-configuration-prop --set "smtp-server:Mail"
}

# add_ca: trust the stack's generated CA through a trust-manager-provider.
add_ca() {
	ds create-trust-manager-provider --provider-name "E2E CA" --type file-based \
		--set enabled:true --set "trust-store-file:$E2E_CA"
}

# add_server NAME PORT SECURITY METHOD USER
add_server() {
	ds create-external-server --server-name "$1" --type smtp --set "server-host-name:$E2E_HOST" \
		--set "server-port:$2" --set "smtp-security:$3" --set "user-name:$5" \
		--set "token-acquisition-method:$4" --set "trust-manager-provider:E2E CA" --set "smtp-timeout:20 s"
}

# delivered COUNT: the case's mailbox holds exactly COUNT messages, each
# with the dsconfig test-mail headers.
delivered() {
	wait_messages "$1" "$RCPT" 10 >/dev/null 2>&1 || return 1
	[ "$(count_messages "$RCPT")" -eq "$1" ] &&
		[ "$(grep_messages '^X-Mailer: dsconfig send-test-mail' "$RCPT" | wc -l)" -eq "$1" ] &&
		[ "$(grep_messages '^Message-ID: <' "$RCPT" | wc -l)" -eq "$1" ]
}

has() { grep -q -- "$1" "$LAST_LOG"; }
has_line() { grep -qF -- "$1" "$LAST_LOG"; }
token_requests() { hydra_token_requests "$1"; }
secret_absent() { ! grep -rqF -- "$1" "$LAST_LOG" "$CFG"; }

# nothing_sent_nor_shown SECRET: after a failed send, no message arrived
# (Postfix delivers asynchronously, hence the pause) and SECRET appears in
# neither the output nor the configuration directory.
nothing_sent_nor_shown() {
	sleep 1
	[ "$(count_messages "$RCPT")" -eq 0 ] && secret_absent "$1"
}

# --- the cases -------------------------------------------------------------

# mechanism_case NAME MAILBOX PORT SECURITY MECHANISM
mechanism_case() {
	begin "$1" "$2"
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$3" "$4" || { fail "provisioning"; return; }
	if run_send "$LAST_LOG" --to "$RCPT" --mechanism "$5" && has "$(echo "$5" | tr a-z A-Z) as $E2E_CLIENT_ID accepted" && delivered 1; then
		pass
	else
		fail "expected a $5 login and one delivered message"
	fi
}

long_jwt_case() {
	begin dovecot-long-jwt-two-step rcpt05
	# One --set per scope: a requested-scope value cannot hold a space.
	local scope scopes=()
	for scope in $E2E_JWT_LONG_SCOPE; do scopes+=(--set "requested-scope:$scope"); done
	provision "$E2E_JWT_CLIENT_ID" "$E2E_JWT_CLIENT_SECRET" "$E2E_DOVECOT_SUBMISSION_PORT" starttls \
		"${scopes[@]}" || { fail "provisioning"; return; }
	# Dovecot refuses command lines over about 1 KB, so the response must
	# go on its own line after "AUTH XOAUTH2" / "334".
	if ! run_send "$LAST_LOG" --to "$RCPT" --mechanism xoauth2 --verbose ||
		! grep -qE '^C: AUTH XOAUTH2$' "$LAST_LOG" || ! has "(two-step)" || ! delivered 1; then
		fail "expected a two-step XOAUTH2 exchange and a delivered message"
		return
	fi
	# The same token forced inline shows the limit the automatic choice
	# avoids: Dovecot refuses the line, and forced inline does not fall back.
	run_send "$LAST_LOG" --to "$RCPT" --mechanism xoauth2 --initial-response inline
	local rc=$?
	sleep 1
	if [ $rc -eq 6 ] && has "Line too long" && [ "$(count_messages "$RCPT")" -eq 1 ]; then
		pass
	else
		fail "expected the inline AUTH line to be refused (500 5.5.2 Line too long, exit 6) and nothing more delivered (exit $rc)"
	fi
}

lifetime_case() {
	begin max-lifetime-1s-new-token-each-time rcpt06
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls \
		--set "maximum-token-lifetime:1 s" || { fail "provisioning"; return; }
	local before after i
	before=$(token_requests "$E2E_CLIENT_ID")
	for i in 1 2 3; do
		run_send "$LAST_LOG" --to "$RCPT" || { fail "send $i failed"; return; }
	done
	after=$(token_requests "$E2E_CLIENT_ID")
	if [ $((after - before)) -eq 3 ] && delivered 3; then
		pass
	else
		fail "expected 3 token requests at Hydra for 3 sends, saw $((after - before))"
	fi
}

cache_case() {
	begin cached-token-reused rcpt07
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	local before after i
	before=$(token_requests "$E2E_CLIENT_ID")
	for i in 1 2 3; do
		run_send "$LAST_LOG" --to "$RCPT" || { fail "send $i failed"; return; }
	done
	after=$(token_requests "$E2E_CLIENT_ID")
	if [ $((after - before)) -eq 1 ] && has "cached token" && delivered 3; then
		pass
	else
		fail "expected 1 token request at Hydra for 3 sends, saw $((after - before))"
	fi
}

revoked_case() {
	begin revoked-cached-token-renewed rcpt08
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_DOVECOT_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	local tok before after
	run_send "$LAST_LOG" --to "$RCPT" || { fail "first send failed"; return; }
	tok=$(ds get-access-token --method-name "SMTP Bearer Token" --show-token --output json |
		sed -n 's/.*"access-token": *"\([^"]*\)".*/\1/p')
	[ -n "$tok" ] || { fail "could not read the cached token"; return; }
	revoke_token "$tok" >/dev/null || { fail "revoking at Hydra failed"; return; }
	before=$(token_requests "$E2E_CLIENT_ID")
	if run_send "$LAST_LOG" --to "$RCPT" && has "cached token" && has "the token was rejected" && delivered 2; then
		after=$(token_requests "$E2E_CLIENT_ID")
		[ $((after - before)) -eq 1 ] && pass || fail "expected exactly one renewal, saw $((after - before)) token requests"
	else
		fail "expected a rejection, one renewal and a delivered message"
	fi
}

expired_case() {
	begin expired-token-renewed rcpt09
	provision "$E2E_SHORT_CLIENT_ID" "$E2E_SHORT_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	local before after
	run_send "$LAST_LOG" --to "$RCPT" || { fail "first send failed"; return; }
	sleep $((E2E_SHORT_TTL + 1))
	before=$(token_requests "$E2E_SHORT_CLIENT_ID")
	if run_send "$LAST_LOG" --to "$RCPT" && has "new token" && delivered 2; then
		after=$(token_requests "$E2E_SHORT_CLIENT_ID")
		[ $((after - before)) -ge 1 ] && pass || fail "no new token was requested"
	else
		fail "expected a new token after expiry and a delivered message"
	fi
}

wrong_secret_case() {
	begin wrong-client-secret rcpt10
	local bad="wrong-secret-$RANDOM-e2e"
	provision "$E2E_CLIENT_ID" "$bad" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	run_send "$LAST_LOG" --to "$RCPT"
	local rc=$?
	if [ $rc -eq 4 ] && has "invalid_client" && has "$E2E_TOKEN_URL" && nothing_sent_nor_shown "$bad"; then
		pass
	else
		fail "expected exit 4 with the token endpoint's invalid_client, nothing sent, no secret shown (exit $rc)"
	fi
}

# static_case NAME MAILBOX REVOKE: a static-bearer-token method with a token
# from Hydra, revoked first when REVOKE is "revoked".
static_case() {
	begin "$1" "$2"
	local tok
	tok=$(get_token "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET") || { fail "no token from Hydra"; return; }
	[ "$3" = revoked ] && { revoke_token "$tok" >/dev/null || { fail "revoking failed"; return; }; }
	export E2E_STATIC_TOKEN="$tok"
	ds create-passphrase-provider --provider-name "SMTP Token" --type environment-variable \
		--set enabled:true --set environment-variable:E2E_STATIC_TOKEN &&
		add_ca &&
		ds create-http-authorization-method --method-name "SMTP Bearer Token" --type static-bearer-token \
			--set enabled:true --set "oauth-token-passphrase-provider:SMTP Token" &&
		add_server "Mail" "$E2E_POSTFIX_SUBMISSION_PORT" starttls "SMTP Bearer Token" "$E2E_CLIENT_ID" ||
		{ fail "provisioning"; return; }
	run_send "$LAST_LOG" --to "$RCPT" --server-name Mail
	local rc=$?
	if [ "$3" = valid ]; then
		[ $rc -eq 0 ] && delivered 1 && pass || fail "expected delivery with a valid static token (exit $rc)"
		return
	fi
	if [ $rc -eq 6 ] && has "535" && has "hint:" && nothing_sent_nor_shown "$tok"; then
		pass
	else
		fail "expected exit 6 with the server's 535 and a hint, nothing sent, no token shown (exit $rc)"
	fi
}

failover_case() {
	begin failover-to-second-server rcpt13
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSIONS_PORT" ssl || { fail "provisioning"; return; }
	# 15999 has no listener: the first server in the list is unreachable.
	add_server "Down" 15999 starttls "SMTP Bearer Token" "$E2E_CLIENT_ID" &&
		ds set-global-configuration-prop --set "smtp-server:Down" --set "smtp-server:Mail" || { fail "provisioning"; return; }
	if run_send "$LAST_LOG" --to "$RCPT" && has '"Down"' && has 'sent through "Mail"' && delivered 1; then
		pass
	else
		fail "expected the unreachable first server to be reported and the second to deliver"
	fi
}

# trace_case: get-access-token --verbose against Hydra shows the POST, the
# status and the form fields by name, and neither the secret nor the token
# (read back from the cache afterwards); send-test-mail --verbose shows
# the same trace for its token stage; a wrong secret shows Hydra's 401.
trace_case() {
	begin token-request-trace rcpt16
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	ds get-access-token --method-name "SMTP Bearer Token" --verbose >"$LAST_LOG" 2>&1 || { fail "get-access-token --verbose failed"; return; }
	local tok
	tok=$(ds get-access-token --method-name "SMTP Bearer Token" --show-token --output json |
		sed -n 's/.*"access-token": *"\([^"]*\)".*/\1/p')
	[ -n "$tok" ] || { fail "could not read the cached token"; return; }
	if ! { has_line "* token request: POST $E2E_TOKEN_URL" && has_line "* TLS handshake done: TLS 1." &&
		has_line "* server certificate: subject " && has_line "uthorization: Basic $E2E_CLIENT_ID:*****" &&
		has_line "> (form) grant_type=client_credentials" && has '^< HTTP/[0-9.]* 200 OK' &&
		has_line '"access_token":"***** (' && secret_absent "$E2E_CLIENT_SECRET" && secret_absent "$tok"; }; then
		fail "get-access-token --verbose: expected the POST, the 200, the form fields and no secret or token"
		return
	fi
	run_send "$LAST_LOG" --to "$RCPT" --verbose --no-token-cache || { fail "send-test-mail --verbose failed"; return; }
	if ! { has_line "> (form) grant_type=client_credentials" && has '^< HTTP/[0-9.]* 200 OK' && delivered 1 &&
		secret_absent "$E2E_CLIENT_SECRET"; }; then
		fail "send-test-mail --verbose: expected the token request's trace and a delivered message"
		return
	fi
	local bad="wrong-secret-$RANDOM-trace"
	export E2E_CASE_SECRET="$bad"
	ds get-access-token --method-name "SMTP Bearer Token" --verbose --no-token-cache >"$LAST_LOG" 2>&1
	local rc=$?
	if [ $rc -eq 4 ] && has '^< HTTP/[0-9.]* 401 Unauthorized' && has "invalid_client" && secret_absent "$bad"; then
		pass
	else
		fail "a wrong secret: expected exit 4, the 401 in the trace and no secret (exit $rc)"
	fi
}

# apply_config_case: provisions with apply-config from a desired file
# that names a file-based provider, as the README's fleet example does,
# sends, then applies the same file again, which must exit 0 and change no
# file in the configuration directory.
apply_config_case() {
	begin apply-config-idempotent rcpt17
	local desired="$WORK/apply-config.dsconfig" secret="$WORK/apply-config.secret" rc before after
	(umask 077 && printf '%s\n' "$E2E_CLIENT_SECRET" >"$secret")
	cat >"$desired" <<EOF
dsconfig set-global-configuration-prop --set smtp-server:Mail
dsconfig create-external-server --server-name Mail --type smtp --set "server-host-name:$E2E_HOST" --set "server-port:$E2E_POSTFIX_SUBMISSION_PORT" --set smtp-security:starttls --set "user-name:$E2E_CLIENT_ID" --set "token-acquisition-method:SMTP Bearer Token" --set "trust-manager-provider:E2E CA" --set "smtp-timeout:20 s"
dsconfig create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token --set enabled:true --set "oauth-server-token-endpoint-url:$E2E_TOKEN_URL" --set "oauth-client-id:$E2E_CLIENT_ID" --set "oauth-client-secret-passphrase-provider:SMTP Client Secret" --set "trust-manager-provider:E2E CA"
dsconfig create-trust-manager-provider --provider-name "E2E CA" --type file-based --set enabled:true --set "trust-store-file:$E2E_CA"
dsconfig create-passphrase-provider --provider-name "SMTP Client Secret" --type file-based --set enabled:true --set "password-file:$secret"
EOF
	ds apply-config --prune --detailed-exitcode --reason e2e "$desired" >"$LAST_LOG" 2>&1
	rc=$?
	[ $rc -eq 8 ] || { fail "expected exit 8 from the first apply (exit $rc)"; return; }
	run_send "$LAST_LOG" --to "$RCPT" && delivered 1 || { fail "expected a delivered message after apply-config"; return; }
	before=$(hash_dir "$CFG")
	ds apply-config --prune --detailed-exitcode --reason e2e "$desired" >"$LAST_LOG" 2>&1
	rc=$?
	after=$(hash_dir "$CFG")
	if [ $rc -eq 0 ] && has "no changes" && [ "$before" = "$after" ] && secret_absent "$E2E_CLIENT_SECRET"; then
		pass
	else
		fail "expected the second apply to exit 0, change nothing and show no secret (exit $rc)"
	fi
}

# hash_dir DIR: a hash of every file in DIR but the lock files.
hash_dir() { find "$1" -type f ! -name '*.lock' -exec sha256sum {} + | sort; }
# run_check LOGFILE ARGS...: check-config --online, output to LOGFILE;
# returns its exit code.
run_check() {
	local log=$1
	shift
	ds check-config --online "$@" >"$log" 2>&1
}

# check_good_case: the quick start against the real stack, with a
# user-name that is an address (the client id), passes --strict.
check_good_case() {
	begin check-config-good-strict rcpt18
	provision "$E2E_CHECK_CLIENT_ID" "$E2E_CHECK_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	run_check "$LAST_LOG" --strict
	local rc=$?
	if [ $rc -eq 0 ] && has "as $E2E_CHECK_CLIENT_ID accepted" && has "0 errors, 0 warnings" &&
		nothing_sent_nor_shown "$E2E_CHECK_CLIENT_SECRET"; then
		pass
	else
		fail "expected exit 0 under --strict, an accepted AUTH and no message (exit $rc)"
	fi
}

# check_bad_case NAME MAILBOX CHECK-ID SETUP...: check-config --online on a
# configuration made wrong by SETUP finds CHECK-ID and exits 3.
check_bad_case() {
	begin "$1" "$2"
	local id=$3
	shift 3
	"$@" || { fail "provisioning"; return; }
	run_check "$LAST_LOG"
	local rc=$?
	if [ $rc -eq 3 ] && has "^error: .*\[$id\]" && nothing_sent_nor_shown "wrong-secret-e2e"; then
		pass
	else
		fail "expected exit 3 with the finding $id, nothing sent (exit $rc)"
	fi
}

check_wrong_secret() { provision "$E2E_CHECK_CLIENT_ID" "wrong-secret-e2e" "$E2E_POSTFIX_SUBMISSION_PORT" starttls; }
# 15999 has no listener.
check_wrong_port() { provision "$E2E_CHECK_CLIENT_ID" "$E2E_CHECK_CLIENT_SECRET" 15999 starttls; }
check_no_bearer() { provision "$E2E_CHECK_CLIENT_ID" "$E2E_CHECK_CLIENT_SECRET" "$E2E_POSTFIX_NOAUTH_PORT" starttls; }

# sendmail_message: a message as a cron job pipes it to sendmail, with a
# To, a Cc, a Bcc and a body line that starts with a dot.
sendmail_message() {
	printf 'From: Cron Daemon <%s>\nTo: %s\nCc: rcpt23@example.test\nBcc: rcpt24@example.test\nSubject: e2e %s\nX-E2E-Case: %s\n\nbackup done\n.dot line\n' \
		"$E2E_FROM" "$RCPT" "$CASE" "$CASE"
}

# queued_count: the entries list-queued-mail shows.
queued_count() { ds list-queued-mail --script-friendly | grep -c . ; }

# send_mail_t_case: send-mail -t through Postfix delivers to the To, Cc and
# Bcc recipients, silently, with the headers intact, the Bcc removed, a Date
# and a Message-ID added, and the dot line undamaged.
send_mail_t_case() {
	begin send-mail-t rcpt22
	empty_mailbox rcpt23@example.test
	empty_mailbox rcpt24@example.test
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	local f
	if sendmail_message | ds send-mail -t -f "$E2E_FROM" >"$LAST_LOG" 2>&1 && [ ! -s "$LAST_LOG" ] &&
		wait_messages 1 "$RCPT" 10 && wait_messages 1 rcpt23@example.test 10 && wait_messages 1 rcpt24@example.test 10; then
		f=$(grep_messages "^X-E2E-Case: $CASE" "$RCPT")
		if [ "$(count_messages "$RCPT")" -eq 1 ] && [ "$(count_messages rcpt23@example.test)" -eq 1 ] &&
			[ "$(count_messages rcpt24@example.test)" -eq 1 ] && [ -n "$f" ] &&
			grep -q "^Subject: e2e $CASE" "$f" && grep -q "^To: $RCPT" "$f" && grep -q '^Cc: rcpt23@example.test' "$f" &&
			grep -q "^From: Cron Daemon <$E2E_FROM>" "$f" && grep -q '^Date: ' "$f" && grep -q '^Message-ID: <' "$f" &&
			! grep -qi '^Bcc:' "$f" && ! grep -q 'rcpt24' "$f" && grep -q '^\.dot line' "$f" &&
			! grep_messages '^Bcc:' rcpt24@example.test | grep -q .; then
			pass
			return
		fi
	fi
	fail "expected a silent exit 0 and one message each for To, Cc and Bcc, headers intact and without the Bcc"
}

# send_mail_queue_case: with the only server down, send-mail exits 75 and
# keeps nothing, send-mail --queue exits 0 and queues; once the server is
# back, send-queued-mail delivers the message exactly once.
send_mail_queue_case() {
	begin send-mail-queue rcpt25
	empty_mailbox rcpt23@example.test
	empty_mailbox rcpt24@example.test
	provision "$E2E_CLIENT_ID" "$E2E_CLIENT_SECRET" "$E2E_POSTFIX_SUBMISSION_PORT" starttls || { fail "provisioning"; return; }
	# 15999 has no listener.
	ds set-external-server-prop --server-name Mail --set server-port:15999 || { fail "provisioning"; return; }
	local rc
	sendmail_message | ds send-mail -t -f "$E2E_FROM" >"$LAST_LOG" 2>&1
	rc=$?
	if [ "$rc" -ne 75 ] || [ "$(queued_count)" -ne 0 ]; then
		fail "without --queue: expected exit 75 and nothing queued (exit $rc)"
		return
	fi
	sendmail_message | ds send-mail -t -f "$E2E_FROM" --queue >"$LAST_LOG" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] || ! has 'queued as .*; send-queued-mail will retry it' || [ "$(queued_count)" -ne 1 ]; then
		fail "with --queue: expected exit 0, one queued message and the queued-as line (exit $rc)"
		return
	fi
	ds send-queued-mail >"$LAST_LOG" 2>&1
	rc=$?
	if [ "$rc" -ne 75 ] || [ "$(queued_count)" -ne 1 ]; then
		fail "send-queued-mail with the server down: expected exit 75 and the message kept (exit $rc)"
		return
	fi
	ds set-external-server-prop --server-name Mail --set "server-port:$E2E_POSTFIX_SUBMISSION_PORT" || { fail "provisioning"; return; }
	if ds send-queued-mail >"$LAST_LOG" 2>&1 && [ "$(queued_count)" -eq 0 ] && ds send-queued-mail >>"$LAST_LOG" 2>&1 &&
		wait_messages 1 "$RCPT" 10 && wait_messages 1 rcpt24@example.test 10 && sleep 1 &&
		[ "$(count_messages "$RCPT")" -eq 1 ] && [ "$(count_messages rcpt24@example.test)" -eq 1 ] &&
		[ -n "$(grep_messages "^X-E2E-Case: $CASE" "$RCPT")" ]; then
		pass
	else
		fail "expected send-queued-mail to deliver the queued message exactly once and empty the queue"
	fi
}

# b64url: standard input as unpadded base64url.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# make_signing_key DIR NAME: an RSA key and a self-signed certificate in
# one PEM key store DIR/NAME.pem; prints the certificate's kid, the
# base64url SHA-256 of its DER, as dsconfig puts it in the assertion.
make_signing_key() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dsconfig e2e $2" \
		-keyout "$1/$2.key" -out "$1/$2.crt" >/dev/null 2>&1 &&
		cat "$1/$2.key" "$1/$2.crt" >"$1/$2.pem" && rm -f "$1/$2.key" &&
		openssl x509 -in "$1/$2.crt" -outform DER | openssl dgst -sha256 -binary | b64url
}

# register_jwt_client ID CERT KID: a Hydra client that authenticates
# with private_key_jwt, its public key given as a JWKS under KID.
register_jwt_client() {
	local n e
	n=$(openssl x509 -in "$2" -noout -pubkey | openssl rsa -pubin -noout -modulus 2>/dev/null | sed 's/^Modulus=//' | xxd -r -p | b64url)
	e=$(printf '\001\000\001' | b64url)
	curl -sS --cacert "$E2E_CA" -X DELETE "$E2E_HYDRA_ADMIN_URL/admin/clients/$1" >/dev/null 2>&1
	curl -sS --fail-with-body --cacert "$E2E_CA" -H 'Content-Type: application/json' \
		-d "{\"client_id\":\"$1\",\"grant_types\":[\"client_credentials\"],\"response_types\":[\"token\"],\"scope\":\"mail\",
			\"token_endpoint_auth_method\":\"private_key_jwt\",\"token_endpoint_auth_signing_alg\":\"RS256\",
			\"jwks\":{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"$3\",\"n\":\"$n\",\"e\":\"$e\"}]}}" \
		"$E2E_HYDRA_ADMIN_URL/admin/clients" >"$WORK/client-$1.json"
}

# private_key_jwt_case: a client with no secret at all; dsconfig signs
# the client assertion with the key manager provider's key, Hydra checks
# it against the JWKS, and the token sends mail through Postfix. Another
# key is refused at the token endpoint: exit 4, nothing sent.
private_key_jwt_case() {
	begin private-key-jwt-hydra rcpt26
	local id=dsc-pkjwt@example.test keys="$WORK/pkjwt-keys" kid other rc
	mkdir -p "$keys"
	kid=$(make_signing_key "$keys" good) && other=$(make_signing_key "$keys" other) && [ -n "$kid" ] ||
		{ fail "openssl could not make the keys"; return; }
	register_jwt_client "$id" "$keys/good.crt" "$kid" || { LAST_LOG="$WORK/client-$id.json"; fail "registering the client at Hydra"; return; }
	{ add_ca &&
		ds create-key-manager-provider --provider-name "Signing Key" --type file-based \
			--set enabled:true --set "key-store-file:$keys/good.pem" &&
		ds create-key-manager-provider --provider-name "Other Key" --type file-based \
			--set enabled:true --set "key-store-file:$keys/other.pem" &&
		ds create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token \
			--set enabled:true --set "oauth-server-token-endpoint-url:$E2E_TOKEN_URL" --set "oauth-client-id:$id" \
			--set credentials-submission-method:private-key-jwt --set "key-manager-provider:Signing Key" \
			--set "trust-manager-provider:E2E CA" --set requested-scope:mail &&
		add_server "Mail" "$E2E_POSTFIX_SUBMISSION_PORT" starttls "SMTP Bearer Token" "$id" &&
		ds set-global-configuration-prop --set "smtp-server:Mail"; } >"$LAST_LOG" 2>&1 || { fail "provisioning"; return; }
	if ! run_send "$LAST_LOG" --to "$RCPT" --verbose || ! has "as $id accepted" || ! has "client_assertion=\*\*\*\*\*" || ! delivered 1; then
		fail "expected a token for the signed assertion and one delivered message"
		return
	fi
	ds get-access-token --method-name "SMTP Bearer Token" >"$LAST_LOG" 2>&1 && has_line "$kid" ||
		{ fail "get-access-token does not show kid $kid"; return; }
	ds set-http-authorization-method-prop --method-name "SMTP Bearer Token" --set "key-manager-provider:Other Key" >"$LAST_LOG" 2>&1 ||
		{ fail "switching the key"; return; }
	run_send "$LAST_LOG" --to "$RCPT"
	rc=$?
	sleep 1
	# Hydra answers invalid_request for a kid it does not know; the hint
	# names the kid to register either way.
	if [ $rc -eq 4 ] && has "hint: the server refused the client assertion" && has_line "$other" && [ "$(count_messages "$RCPT")" -eq 1 ] &&
		! grep -rqF -- "PRIVATE KEY" "$LAST_LOG" "$CFG"; then
		pass
	else
		fail "expected the other key to be refused, the hint naming its kid, exit 4, nothing more sent (exit $rc)"
	fi
}

# --- run -------------------------------------------------------------------

mechanism_case postfix-starttls-xoauth2 rcpt01 "$E2E_POSTFIX_SUBMISSION_PORT" starttls xoauth2
mechanism_case postfix-starttls-oauthbearer rcpt02 "$E2E_POSTFIX_SUBMISSION_PORT" starttls oauthbearer
mechanism_case dovecot-starttls-xoauth2 rcpt03 "$E2E_DOVECOT_SUBMISSION_PORT" starttls xoauth2
mechanism_case dovecot-starttls-oauthbearer rcpt04 "$E2E_DOVECOT_SUBMISSION_PORT" starttls oauthbearer
mechanism_case postfix-implicit-tls-xoauth2 rcpt14 "$E2E_POSTFIX_SUBMISSIONS_PORT" ssl xoauth2
mechanism_case dovecot-implicit-tls-oauthbearer rcpt15 "$E2E_DOVECOT_SUBMISSIONS_PORT" ssl oauthbearer
long_jwt_case
lifetime_case
cache_case
revoked_case
expired_case
wrong_secret_case
static_case static-token-valid rcpt11 valid
static_case static-token-revoked rcpt12 revoked
failover_case
trace_case
apply_config_case
check_good_case
check_bad_case check-config-wrong-secret rcpt19 online-token check_wrong_secret
check_bad_case check-config-wrong-port rcpt20 online-connect check_wrong_port
check_bad_case check-config-no-bearer-mechanism rcpt21 online-auth check_no_bearer
send_mail_t_case
send_mail_queue_case
private_key_jwt_case

echo
echo "==== dsconfig e2e cases ===="
printf '%s\n' "${RESULTS[@]}"
echo "cases: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
