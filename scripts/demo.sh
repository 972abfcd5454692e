#!/usr/bin/env bash
# make demo: starts the loopback sandbox (token endpoint + SMTP server with
# STARTTLS from a private CA), provisions dsconfig with the commands of
# PingDirectory's guide (only the URLs, host and port differ, plus a
# trust-manager-provider for the sandbox CA), sends a test mail, shows the
# message as delivered, and stops the sandbox. Needs nothing but Go.
#
# Usage: scripts/demo.sh [bin/dsconfig] [bin/dsconfig-sandbox]
set -euo pipefail
dsconfig=$(realpath "${1:-bin/dsconfig}")
sandbox=$(realpath "${2:-bin/dsconfig-sandbox}")
work=$(mktemp -d)
export DSCONFIG_CONFIG_DIR=$work/config
mkdir -m 700 "$DSCONFIG_CONFIG_DIR" "$work/sandbox"
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

run() { printf '\n$ dsconfig'; printf ' %q' "$@"; printf '\n'; "$dsconfig" "$@"; }

# The client secret lives only in the environment, as in the guide.
SMTP_CLIENT_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SMTP_CLIENT_SECRET
SANDBOX_CLIENT_SECRET=$SMTP_CLIENT_SECRET "$sandbox" -dir "$work/sandbox" >"$work/sandbox.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q '^ready$' "$work/sandbox.log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/sandbox.log"; exit 1; }
	sleep 0.1
done
grep -q '^ready$' "$work/sandbox.log" || { echo "demo: the sandbox did not start" >&2; cat "$work/sandbox.log"; exit 1; }
# shellcheck source=/dev/null
. "$work/sandbox/sandbox.env"
echo "== Sandbox (pid $pid): token endpoint $SANDBOX_TOKEN_URL, SMTP $SANDBOX_SMTP_HOST:$SANDBOX_SMTP_PORT with STARTTLS"

echo
echo "== Provisioning, as in PingDirectory's guide"
run create-passphrase-provider --provider-name "SMTP Client Secret" --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET
run create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token --set enabled:true --set "oauth-server-token-endpoint-url:$SANDBOX_TOKEN_URL" --set "oauth-client-id:$SANDBOX_CLIENT_ID" --set "oauth-client-secret-passphrase-provider:SMTP Client Secret" --set "requested-scope:https://outlook.office365.com/.default"
run create-trust-manager-provider --provider-name "Sandbox CA" --type file-based --set enabled:true --set "trust-store-file:$SANDBOX_CA_FILE"
run create-external-server --server-name "Exchange Online" --type smtp --set "server-host-name:$SANDBOX_SMTP_HOST" --set "server-port:$SANDBOX_SMTP_PORT" --set smtp-security:starttls --set user-name:alerts@example.com --set "token-acquisition-method:SMTP Bearer Token" --set "trust-manager-provider:Sandbox CA"
run set-global-configuration-prop --set "smtp-server:Exchange Online"

echo
echo "== Sending a test mail"
run send-test-mail --to ops@example.com --verbose

echo
echo "== Again, stopping after AUTH (the token now comes from the cache)"
run send-test-mail --to ops@example.com --quit-after auth

echo
echo "== The message as the sandbox received it"
for f in "$SANDBOX_MESSAGES"/*.eml; do
	echo "--- $f"
	tr -d '\r' <"$f"
done

echo
echo "== Sandbox log"
cat "$work/sandbox.log"
