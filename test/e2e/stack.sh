#!/usr/bin/env bash
# stack.sh start|stop|restart|status
#
# Runs Ory Hydra (OAuth2 token server), Dovecot (oauth2 passdb, SASL server
# and submission server) and Postfix (submission/submissions + Maildir
# delivery) on 127.0.0.1 only, with all state below $E2E_DIR
# (default /tmp/dsconfig-e2e). Only processes recorded in pid files under
# $E2E_DIR are ever stopped. See README.md for details.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Do not pick up a stale env.sh while (re)generating it.
E2E_DIR="${E2E_DIR:-/tmp/dsconfig-e2e}"
export E2E_DIR
_saved_env=$E2E_DIR/env.sh
# shellcheck source=lib.sh
. "$HERE/lib.sh"

CERT_DIR=$E2E_DIR/certs
HYDRA_DIR=$E2E_DIR/hydra
DOVECOT_DIR=$E2E_DIR/dovecot
POSTFIX_DIR=$E2E_DIR/postfix
MAIL_DIR=$E2E_DIR/mail
# uid/gid owning delivered mail (virtual(8) and dovecot submission user)
MAIL_UID=$(id -u nobody)
MAIL_GID=$(id -g nobody)

# Test-only credentials. Never use these anywhere real.
CLIENT_ID=dsc-main
CLIENT_SECRET=dsc-main-secret-e2e-only
POST_CLIENT_ID=dsc-post
POST_CLIENT_SECRET=dsc-post-secret-e2e-only
SHORT_CLIENT_ID=dsc-short
SHORT_CLIENT_SECRET=dsc-short-secret-e2e-only
SHORT_TTL=10
JWT_CLIENT_ID=dsc-jwt
JWT_CLIENT_SECRET=dsc-jwt-secret-e2e-only
OTHER_CLIENT_ID=dsc-other
OTHER_CLIENT_SECRET=dsc-other-secret-e2e-only
# check-config --strict wants user-name to be a mailbox address, and
# Dovecot wants it to equal the token's sub, the client id.
CHECK_CLIENT_ID=dsc-check@example.test
CHECK_CLIENT_SECRET=dsc-check-secret-e2e-only
# Scopes the JWT client may request; requesting all of them makes a long JWT
# (see README "long tokens").
JWT_SCOPES=""
for i in $(seq -w 1 40); do JWT_SCOPES="$JWT_SCOPES https://mail.example.test/scopes/long-scope-name-number-$i"; done
JWT_SCOPES=${JWT_SCOPES# }
MAILBOXES="rcpt $(for i in $(seq -w 1 30); do printf 'rcpt%s ' "$i"; done)"
MAILBOXES=${MAILBOXES% }

# ---------------------------------------------------------------------------
gen_certs() {
	mkdir -p "$CERT_DIR"
	if [ -s "$CERT_DIR/ca.pem" ] && [ -s "$CERT_DIR/server.pem" ] &&
		openssl x509 -checkend 2678400 -noout -in "$CERT_DIR/server.pem" >/dev/null 2>&1; then
		return 0
	fi
	e2e_log "generating CA and server certificate in $CERT_DIR"
	(
		cd "$CERT_DIR"
		openssl req -x509 -newkey rsa:2048 -nodes -days 120 -sha256 \
			-keyout ca.key -out ca.pem -subj "/CN=dsconfig e2e test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
		openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key \
			-out server.csr -subj "/CN=127.0.0.1" >/dev/null 2>&1
		cat >server.ext <<-EOF
			basicConstraints=CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=serverAuth
			subjectAltName=IP:127.0.0.1,DNS:localhost
		EOF
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 100 -sha256 -extfile server.ext -out server.pem >/dev/null 2>&1
		cat server.pem ca.pem >server-chain.pem
		chmod 600 ca.key server.key
		chmod 644 ca.pem server.pem server-chain.pem
	)
}

# ---------------------------------------------------------------------------
gen_hydra() {
	mkdir -p "$HYDRA_DIR"
	cat >"$HYDRA_DIR/hydra.yml" <<EOF
dsn: memory
log:
  level: debug
  format: json
  # test-only: log the Authorization header so token requests can be counted
  # per client (lib.sh hydra_token_requests CLIENT_ID). Secrets are dummies.
  leak_sensitive_values: true
serve:
  tls:
    enabled: true
    cert:
      path: $CERT_DIR/server-chain.pem
    key:
      path: $CERT_DIR/server.key
  public:
    host: 127.0.0.1
    port: $E2E_HYDRA_PUBLIC_PORT
  admin:
    host: 127.0.0.1
    port: $E2E_HYDRA_ADMIN_PORT
urls:
  self:
    issuer: https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/
  login: https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/unused-login
  consent: https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/unused-consent
secrets:
  system:
    - dsconfig-e2e-test-only-system-secret-0123456789
strategies:
  access_token: opaque
ttl:
  access_token: 1h
EOF
}

start_hydra() {
	local pidf=$HYDRA_DIR/hydra.pid
	if e2e_pid_alive "$pidf"; then e2e_log "hydra already running"; return 0; fi
	HYDRA_STARTED=1
	[ -x "$HYDRA_BIN" ] || e2e_die "hydra binary $HYDRA_BIN missing: run install.sh"
	for p in "$E2E_HYDRA_PUBLIC_PORT" "$E2E_HYDRA_ADMIN_PORT"; do
		e2e_port_free "$p" || e2e_die "port $p already in use (not by this stack)"
	done
	: >"$HYDRA_DIR/hydra.log"
	e2e_log "starting hydra"
	# setsid: own process group so nothing of ours leaks; pid recorded at once.
	setsid "$HYDRA_BIN" serve all --sqa-opt-out --config "$HYDRA_DIR/hydra.yml" \
		>>"$HYDRA_DIR/hydra.log" 2>&1 </dev/null &
	echo $! >"$pidf"
	local i=0
	until curl -sf --cacert "$CERT_DIR/ca.pem" \
		"https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT/health/ready" >/dev/null 2>&1 &&
		curl -sf --cacert "$CERT_DIR/ca.pem" \
			"https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/health/ready" >/dev/null 2>&1; do
		e2e_pid_alive "$pidf" || { tail -20 "$HYDRA_DIR/hydra.log" >&2; e2e_die "hydra exited"; }
		i=$((i + 1))
		[ $i -lt 300 ] || e2e_die "hydra not ready after 30s"
		sleep 0.1
	done
}

# create_client ID SECRET AUTH_METHOD EXTRA_JSON
create_client() {
	local admin="https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT"
	curl -sS --cacert "$CERT_DIR/ca.pem" -X DELETE "$admin/admin/clients/$1" >/dev/null 2>&1 || true
	curl -sS --fail-with-body --cacert "$CERT_DIR/ca.pem" -H 'Content-Type: application/json' \
		-d "{\"client_id\":\"$1\",\"client_secret\":\"$2\",\"grant_types\":[\"client_credentials\"],\"response_types\":[\"token\"],\"token_endpoint_auth_method\":\"$3\"$4}" \
		"$admin/admin/clients" >"$HYDRA_DIR/client-$1.json" ||
		{ cat "$HYDRA_DIR/client-$1.json" >&2; e2e_die "creating hydra client $1 failed"; }
}

create_clients() {
	local admin="https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT" scopes_json
	scopes_json=$(printf '%s' "$JWT_SCOPES")
	create_client "$CLIENT_ID" "$CLIENT_SECRET" client_secret_basic ',"scope":"mail"'
	create_client "$OTHER_CLIENT_ID" "$OTHER_CLIENT_SECRET" client_secret_basic ',"scope":"mail"'
	create_client "$CHECK_CLIENT_ID" "$CHECK_CLIENT_SECRET" client_secret_basic ',"scope":"mail"'
	create_client "$POST_CLIENT_ID" "$POST_CLIENT_SECRET" client_secret_post ',"scope":"mail"'
	create_client "$SHORT_CLIENT_ID" "$SHORT_CLIENT_SECRET" client_secret_basic ',"scope":"mail"'
	create_client "$JWT_CLIENT_ID" "$JWT_CLIENT_SECRET" client_secret_basic \
		",\"scope\":\"mail $scopes_json\",\"access_token_strategy\":\"jwt\""
	curl -sS --fail-with-body --cacert "$CERT_DIR/ca.pem" -X PUT -H 'Content-Type: application/json' \
		-d "{\"client_credentials_grant_access_token_lifespan\":\"${SHORT_TTL}s\"}" \
		"$admin/admin/clients/$SHORT_CLIENT_ID/lifespans" >"$HYDRA_DIR/client-$SHORT_CLIENT_ID-lifespans.json" ||
		{ cat "$HYDRA_DIR/client-$SHORT_CLIENT_ID-lifespans.json" >&2; e2e_die "setting lifespan failed"; }
}

# ---------------------------------------------------------------------------
gen_dovecot() {
	mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/home"
	chmod 755 "$DOVECOT_DIR" "$DOVECOT_DIR/run"
	chown "$MAIL_UID:$MAIL_GID" "$DOVECOT_DIR/home"
	local dh=""
	[ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
	cat >"$DOVECOT_DIR/dovecot-oauth2.conf.ext" <<EOF
# Dovecot oauth2 passdb: validate bearer tokens with Hydra's introspection
# endpoint. Hydra's subject (sub) of a client-credentials token is the client
# id, so the SASL user name must equal the client id.
introspection_mode = post
introspection_url = https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT/admin/oauth2/introspect
username_attribute = sub
active_attribute = active
active_value = true
tls_ca_cert_file = $CERT_DIR/ca.pem
EOF
	cat >"$DOVECOT_DIR/dovecot.conf" <<EOF
# Generated by test/e2e/stack.sh -- dsconfig e2e only.
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
instance_name = dsconfig-e2e
log_path = $DOVECOT_DIR/dovecot.log
info_log_path = $DOVECOT_DIR/dovecot.log
debug_log_path = $DOVECOT_DIR/dovecot.log
protocols = submission
listen = 127.0.0.1
hostname = mail.example.test
shutdown_clients = yes

ssl = required
ssl_cert = <$CERT_DIR/server-chain.pem
ssl_key = <$CERT_DIR/server.key
$dh
disable_plaintext_auth = yes

auth_mechanisms = xoauth2 oauthbearer
auth_failure_delay = 0
auth_cache_size = 0
auth_verbose = yes
auth_debug = yes

passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DOVECOT_DIR/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$DOVECOT_DIR/home/%u allow_all_users=yes
}

mail_location = maildir:~/Maildir

service auth {
  unix_listener auth-client {
    mode = 0660
    user = postfix
    group = postfix
  }
}

# Disable the per-IP "auth penalty" (2..15 s delay after failed logins): the
# auth process cannot reach anvil's penalty socket, so penalties are off.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = $E2E_DOVECOT_SUBMISSION_PORT
  }
  inet_listener submissions {
    address = 127.0.0.1
    port = $E2E_DOVECOT_SUBMISSIONS_PORT
    ssl = yes
  }
}

submission_relay_host = 127.0.0.1
submission_relay_port = $E2E_POSTFIX_RELAY_PORT
submission_relay_trusted = no
submission_relay_ssl = no
EOF
}

start_dovecot() {
	local pidf=$DOVECOT_DIR/run/master.pid
	if e2e_pid_alive "$pidf"; then e2e_log "dovecot already running"; return 0; fi
	for p in "$E2E_DOVECOT_SUBMISSION_PORT" "$E2E_DOVECOT_SUBMISSIONS_PORT"; do
		e2e_port_free "$p" || e2e_die "port $p already in use (not by this stack)"
	done
	e2e_log "starting dovecot"
	: >"$DOVECOT_DIR/dovecot.log"
	# redirect: the daemon must not keep our caller's stdout/stderr open
	dovecot -c "$DOVECOT_DIR/dovecot.conf" </dev/null >>"$DOVECOT_DIR/dovecot.log" 2>&1 || { tail -20 "$DOVECOT_DIR/dovecot.log" >&2; e2e_die "dovecot failed to start"; }
	e2e_wait_port "$E2E_DOVECOT_SUBMISSION_PORT" 20 || e2e_die "dovecot not listening"
	e2e_wait_port "$E2E_DOVECOT_SUBMISSIONS_PORT" 20 || e2e_die "dovecot not listening"
	local i=0
	until [ -S "$DOVECOT_DIR/run/auth-client" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || e2e_die "no dovecot auth socket"; sleep 0.1
	done
}

# ---------------------------------------------------------------------------
gen_postfix() {
	mkdir -p "$POSTFIX_DIR/queue" "$POSTFIX_DIR/data" "$MAIL_DIR"
	chmod 755 "$POSTFIX_DIR" "$POSTFIX_DIR/queue"
	chown root:root "$POSTFIX_DIR/queue"
	chown postfix:postfix "$POSTFIX_DIR/data"
	chown "$MAIL_UID:$MAIL_GID" "$MAIL_DIR"
	chmod 755 "$MAIL_DIR"
	# Recipients: rcpt, rcpt01..rcpt30 each get their own Maildir; anything
	# else @example.test lands in the catchall Maildir.
	: >"$POSTFIX_DIR/vmailbox"
	for m in $MAILBOXES; do
		printf '%s@example.test example.test/%s/\n' "$m" "$m" >>"$POSTFIX_DIR/vmailbox"
	done
	printf '@example.test example.test/catchall/\n' >>"$POSTFIX_DIR/vmailbox"
	cat >"$POSTFIX_DIR/main.cf" <<EOF
# Generated by test/e2e/stack.sh -- dsconfig e2e only.
compatibility_level = 3.6
queue_directory = $POSTFIX_DIR/queue
data_directory = $POSTFIX_DIR/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $POSTFIX_DIR/maillog
maillog_file_prefixes = $E2E_DIR
syslog_name = postfix-dsconfig-e2e
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
# never send anything off this machine
default_transport = error:dsconfig e2e: outbound mail disabled
relay_transport = error:dsconfig e2e: outbound mail disabled
local_transport = error:dsconfig e2e: no local delivery
alias_maps =
alias_database =
biff = no
smtputf8_enable = no

virtual_mailbox_domains = example.test
virtual_mailbox_base = $MAIL_DIR
virtual_mailbox_maps = texthash:$POSTFIX_DIR/vmailbox
virtual_minimum_uid = 100
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID

smtpd_tls_cert_file = $CERT_DIR/server-chain.pem
smtpd_tls_key_file = $CERT_DIR/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_DIR/run/auth-client
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
# no tarpitting / penalties: tests run many failing logins in a row
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
smtpd_client_connection_rate_limit = 0
smtpd_client_auth_rate_limit = 0
smtpd_client_event_limit_exceptions = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP dsconfig-e2e
EOF
	local sub="-o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
	local subs="-o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
	cat >"$POSTFIX_DIR/master.cf" <<EOF
# Generated by test/e2e/stack.sh -- dsconfig e2e only. chroot disabled everywhere.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$E2E_POSTFIX_RELAY_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/relay
127.0.0.1:$E2E_POSTFIX_SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/submission $sub
  -o smtpd_sasl_mechanism_filter=xoauth2,oauthbearer
127.0.0.1:$E2E_POSTFIX_SUBMISSIONS_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/submissions $subs
  -o smtpd_sasl_mechanism_filter=xoauth2,oauthbearer
127.0.0.1:$E2E_POSTFIX_XOAUTH2_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/xoauth2only $sub
  -o smtpd_sasl_mechanism_filter=xoauth2
127.0.0.1:$E2E_POSTFIX_OAUTHBEARER_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/oauthbeareronly $sub
  -o smtpd_sasl_mechanism_filter=oauthbearer
127.0.0.1:$E2E_POSTFIX_NOAUTH_PORT inet n - n - - smtpd
  -o syslog_name=postfix-dsconfig-e2e/noauth -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=no
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

start_postfix() {
	local pidf=$POSTFIX_DIR/queue/pid/master.pid
	if e2e_pid_alive "$pidf"; then e2e_log "postfix already running"; return 0; fi
	for p in "$E2E_POSTFIX_RELAY_PORT" "$E2E_POSTFIX_SUBMISSION_PORT" "$E2E_POSTFIX_SUBMISSIONS_PORT" \
		"$E2E_POSTFIX_XOAUTH2_PORT" "$E2E_POSTFIX_OAUTHBEARER_PORT" "$E2E_POSTFIX_NOAUTH_PORT"; do
		e2e_port_free "$p" || e2e_die "port $p already in use (not by this stack)"
	done
	e2e_log "starting postfix"
	# (postfix logs its own start problems to $POSTFIX_DIR/maillog)
	if ! postfix -c "$POSTFIX_DIR" start </dev/null >"$POSTFIX_DIR/start.log" 2>&1; then
		cat "$POSTFIX_DIR/start.log" >&2
		tail -20 "$POSTFIX_DIR/maillog" >&2 2>/dev/null || true
		e2e_die "postfix start failed"
	fi
	e2e_wait_port "$E2E_POSTFIX_SUBMISSION_PORT" 20 || { tail -20 "$POSTFIX_DIR/maillog" >&2 || true; e2e_die "postfix not listening"; }
	e2e_wait_port "$E2E_POSTFIX_RELAY_PORT" 20 || e2e_die "postfix relay port not listening"
	e2e_wait_port "$E2E_POSTFIX_SUBMISSIONS_PORT" 20 || e2e_die "postfix submissions port not listening"
}

# ---------------------------------------------------------------------------
write_env() {
	local f=$_saved_env.tmp
	cat >"$f" <<EOF
# Generated by test/e2e/stack.sh start -- source me. Test-only secrets.
export E2E_DIR='$E2E_DIR'
export E2E_CA='$CERT_DIR/ca.pem'
export E2E_HOST=127.0.0.1
export E2E_HYDRA_PUBLIC_PORT=$E2E_HYDRA_PUBLIC_PORT
export E2E_HYDRA_ADMIN_PORT=$E2E_HYDRA_ADMIN_PORT
export E2E_HYDRA_PUBLIC_URL='https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT'
export E2E_HYDRA_ADMIN_URL='https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT'
export E2E_ISSUER='https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/'
export E2E_TOKEN_URL='https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/oauth2/token'
export E2E_REVOKE_URL='https://127.0.0.1:$E2E_HYDRA_PUBLIC_PORT/oauth2/revoke'
export E2E_INTROSPECT_URL='https://127.0.0.1:$E2E_HYDRA_ADMIN_PORT/admin/oauth2/introspect'
export E2E_HYDRA_LOG='$HYDRA_DIR/hydra.log'
export E2E_CLIENT_ID='$CLIENT_ID'
export E2E_CLIENT_SECRET='$CLIENT_SECRET'
export E2E_OTHER_CLIENT_ID='$OTHER_CLIENT_ID'
export E2E_OTHER_CLIENT_SECRET='$OTHER_CLIENT_SECRET'
export E2E_CHECK_CLIENT_ID='$CHECK_CLIENT_ID'
export E2E_CHECK_CLIENT_SECRET='$CHECK_CLIENT_SECRET'
export E2E_POST_CLIENT_ID='$POST_CLIENT_ID'
export E2E_POST_CLIENT_SECRET='$POST_CLIENT_SECRET'
export E2E_SHORT_CLIENT_ID='$SHORT_CLIENT_ID'
export E2E_SHORT_CLIENT_SECRET='$SHORT_CLIENT_SECRET'
export E2E_SHORT_TTL=$SHORT_TTL
export E2E_JWT_CLIENT_ID='$JWT_CLIENT_ID'
export E2E_JWT_CLIENT_SECRET='$JWT_CLIENT_SECRET'
export E2E_JWT_LONG_SCOPE='mail $JWT_SCOPES'
export E2E_POSTFIX_RELAY_PORT=$E2E_POSTFIX_RELAY_PORT
export E2E_POSTFIX_SUBMISSION_PORT=$E2E_POSTFIX_SUBMISSION_PORT
export E2E_POSTFIX_SUBMISSIONS_PORT=$E2E_POSTFIX_SUBMISSIONS_PORT
export E2E_POSTFIX_XOAUTH2_PORT=$E2E_POSTFIX_XOAUTH2_PORT
export E2E_POSTFIX_OAUTHBEARER_PORT=$E2E_POSTFIX_OAUTHBEARER_PORT
export E2E_POSTFIX_NOAUTH_PORT=$E2E_POSTFIX_NOAUTH_PORT
export E2E_DOVECOT_SUBMISSION_PORT=$E2E_DOVECOT_SUBMISSION_PORT
export E2E_DOVECOT_SUBMISSIONS_PORT=$E2E_DOVECOT_SUBMISSIONS_PORT
export E2E_MAIL_DIR='$MAIL_DIR'
export E2E_MAILBOXES='$MAILBOXES'
export E2E_RCPT=rcpt@example.test
export E2E_MAILDIR='$MAIL_DIR/example.test/rcpt'
export E2E_CATCHALL_MAILDIR='$MAIL_DIR/example.test/catchall'
export E2E_FROM=sender@example.test
export E2E_POSTFIX_LOG='$POSTFIX_DIR/maillog'
export E2E_DOVECOT_LOG='$DOVECOT_DIR/dovecot.log'
EOF
	mv "$f" "$_saved_env"
}

# ---------------------------------------------------------------------------
stop_pidfile() { # NAME PIDFILE [STOPCMD...]
	local name=$1 pidf=$2 pid i
	shift 2
	if ! e2e_pid_alive "$pidf"; then rm -f "$pidf"; return 0; fi
	pid=$(head -n1 "$pidf" | tr -dc 0-9)
	e2e_log "stopping $name (pid $pid)"
	if [ $# -gt 0 ]; then "$@" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
	else kill -TERM "$pid" 2>/dev/null || true; fi
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		e2e_log "$name (pid $pid) did not stop, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidf"
}

do_stop() {
	[ -d "$E2E_DIR" ] || return 0
	# Postfix's own stop is pid-file based ($queue_directory/pid/master.pid).
	if [ -f "$POSTFIX_DIR/main.cf" ]; then
		stop_pidfile postfix "$POSTFIX_DIR/queue/pid/master.pid" postfix -c "$POSTFIX_DIR" stop
	fi
	if [ -f "$DOVECOT_DIR/dovecot.conf" ]; then
		stop_pidfile dovecot "$DOVECOT_DIR/run/master.pid" dovecot -c "$DOVECOT_DIR/dovecot.conf" stop
	fi
	# hydra runs in its own session (setsid): signal only that process group.
	if e2e_pid_alive "$HYDRA_DIR/hydra.pid"; then
		local hp
		hp=$(head -n1 "$HYDRA_DIR/hydra.pid" | tr -dc 0-9)
		stop_pidfile hydra "$HYDRA_DIR/hydra.pid" kill -TERM -- "-$hp"
	fi
	rm -f "$HYDRA_DIR/hydra.pid"
	# Children of the stopped masters finish on their own; wait briefly for
	# listeners to go away so an immediate restart finds free ports.
	local p i
	for p in "$E2E_HYDRA_PUBLIC_PORT" "$E2E_HYDRA_ADMIN_PORT" "$E2E_POSTFIX_SUBMISSION_PORT" "$E2E_DOVECOT_SUBMISSION_PORT"; do
		for i in $(seq 1 50); do e2e_port_free "$p" && break; sleep 0.1; done
	done
}

do_status() {
	local rc=0
	for spec in "hydra:$HYDRA_DIR/hydra.pid" "dovecot:$DOVECOT_DIR/run/master.pid" "postfix:$POSTFIX_DIR/queue/pid/master.pid"; do
		local n=${spec%%:*} f=${spec#*:}
		if e2e_pid_alive "$f"; then echo "$n: running (pid $(head -n1 "$f" | tr -dc 0-9))"
		else echo "$n: stopped"; rc=1; fi
	done
	return $rc
}

do_start() {
	mkdir -p "$E2E_DIR"
	chmod 755 "$E2E_DIR"
	gen_certs
	gen_hydra
	gen_dovecot
	gen_postfix
	HYDRA_STARTED=""
	start_hydra
	# (re)creating clients while hydra runs would invalidate issued tokens
	[ -n "$HYDRA_STARTED" ] && create_clients
	start_dovecot
	start_postfix
	write_env
	e2e_log "stack up; env file: $_saved_env"
}

case "${1:-}" in
start) do_start ;;
stop) do_stop ;;
restart) do_stop; do_start ;;
status) do_status ;;
*) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
