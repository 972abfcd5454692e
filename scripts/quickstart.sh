#!/usr/bin/env bash
# Provisions bearer-token SMTP authentication exactly as PingDirectory's
# guide does, in a temporary configuration directory, and shows the result.
set -euo pipefail
dsconfig=$(realpath "${1:-bin/dsconfig}")
export DSCONFIG_CONFIG_DIR=${DSCONFIG_CONFIG_DIR:-$(mktemp -d)}
run() { printf '\n$ dsconfig'; printf ' %q' "$@"; printf '\n'; "$dsconfig" "$@"; }

run create-passphrase-provider --provider-name "SMTP Client Secret" --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET
run create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token --set enabled:true --set oauth-server-token-endpoint-url:https://idp.example.com/oauth2/token --set oauth-client-id:your-client-id --set "oauth-client-secret-passphrase-provider:SMTP Client Secret" --set "requested-scope:https://outlook.office365.com/.default"
run create-external-server --server-name "Exchange Online" --type smtp --set server-host-name:smtp.office365.com --set server-port:587 --set smtp-security:starttls --set user-name:alerts@example.com --set "token-acquisition-method:SMTP Bearer Token"
run set-global-configuration-prop --set "smtp-server:Exchange Online"
run get-http-authorization-method-prop --method-name "SMTP Bearer Token"
run list-http-authorization-methods
printf '\nThe store, %s/config.yaml:\n\n' "$DSCONFIG_CONFIG_DIR"
cat "$DSCONFIG_CONFIG_DIR/config.yaml"
