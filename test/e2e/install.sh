#!/usr/bin/env bash
# install.sh -- idempotent installation of everything the e2e stack needs:
#   * Debian packages: postfix (unconfigured, not started), dovecot-core,
#     dovecot-submissiond, openssl, curl, ca-certificates
#   * Ory Hydra built from the Go module proxy, cached at
#     $E2E_CACHE_DIR/hydra-$HYDRA_VERSION (default /var/cache/dsconfig-e2e).
# Must run as root. Needs only Debian apt repositories and the Go module proxy.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || e2e_die "install.sh must run as root"
export DEBIAN_FRONTEND=noninteractive

# gcc/libc6-dev: hydra needs cgo (mattn/go-sqlite3) for the in-memory DSN.
PKGS=(postfix dovecot-core dovecot-submissiond openssl curl ca-certificates gcc libc6-dev)

install_packages() {
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		e2e_log "apt packages already installed"
		return 0
	fi
	e2e_log "installing: ${missing[*]}"
	# Postfix: "No configuration" => no /etc/postfix/main.cf, no system MTA on :25.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	echo "postfix postfix/mailname string mail.example.test" | debconf-set-selections
	# Keep package scripts from starting system services (dovecot on the
	# standard ports, postfix) while installing. Only if no policy exists yet;
	# removed again afterwards.
	local policy_added=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy_added=1
	fi
	local rc=0
	apt-get update -qq || rc=$?
	if [ $rc -eq 0 ]; then
		apt-get install -y -qq -o Dpkg::Options::=--force-confdef \
			-o Dpkg::Options::=--force-confold "${missing[@]}" >/tmp/dsconfig-e2e-apt.log 2>&1 || rc=$?
	fi
	[ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
	if [ $rc -ne 0 ]; then
		tail -30 /tmp/dsconfig-e2e-apt.log >&2 || true
		e2e_die "apt-get failed (rc=$rc)"
	fi
	# If a system dovecot/postfix got started anyway (systemd without policy-rc.d
	# honouring), stop and disable the *system units* -- never by process name.
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now dovecot.service dovecot.socket postfix.service >/dev/null 2>&1 || true
	fi
}

# hydra_is_version: the binary reports $HYDRA_VERSION. The output is read
# whole before matching: with pipefail, `hydra version | grep -q` fails
# whenever grep exits before hydra has written everything (SIGPIPE).
hydra_is_version() {
	local out
	out=$("$HYDRA_BIN" version 2>/dev/null) || return 1
	[[ $out == *"$HYDRA_VERSION"* ]]
}

build_hydra() {
	if [ -x "$HYDRA_BIN" ] && [ -f "$HYDRA_BIN.ok" ] && hydra_is_version; then
		e2e_log "hydra $HYDRA_VERSION cached at $HYDRA_BIN"
		return 0
	fi
	command -v go >/dev/null 2>&1 || export PATH=$PATH:/usr/local/go/bin
	command -v go >/dev/null 2>&1 || e2e_die "go not found"
	e2e_log "building hydra $HYDRA_VERSION from the Go module proxy (takes a few minutes cold)"
	local work
	work=$(mktemp -d /tmp/dsconfig-e2e-hydra-build.XXXXXX)
	(
		cd "$work"
		export GOFLAGS=-mod=mod GOTOOLCHAIN=local
		go mod init dsconfig-e2e-hydra-build >/dev/null 2>&1
		# hydra's own go.mod has two replace directives, which `go install`
		# refuses. Replaces in the *main* module are honoured, so we repeat
		# the pop one here; the other one (hydra-client-go => ./internal/
		# httpclient, not shipped in the module zip) is dropped, so the
		# published github.com/ory/hydra-client-go/v2 release is used.
		local popv
		popv=$(go mod download -json "github.com/ory/hydra/v2@$HYDRA_VERSION" |
			sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
		popv=$(sed -n 's#^replace github.com/gobuffalo/pop/v6 => github.com/ory/pop/v6 \(.*\)$#\1#p' "$popv")
		[ -n "$popv" ] || { echo "could not find pop replace in hydra go.mod" >&2; exit 1; }
		go mod edit -replace "github.com/gobuffalo/pop/v6=github.com/ory/pop/v6@$popv"
		go get -tool "github.com/ory/hydra/v2@$HYDRA_VERSION" 2>&1 | grep -v '^go: added' >&2 || true
		mkdir -p "$E2E_CACHE_DIR"
		# -tags sqlite: without it hydra refuses dsn=memory (SQLite in memory).
		CGO_ENABLED=1 go build -trimpath -tags sqlite,sqlite_omit_load_extension -o "$HYDRA_BIN.tmp" \
			-ldflags "-X github.com/ory/hydra/v2/driver/config.Version=$HYDRA_VERSION" \
			github.com/ory/hydra/v2
		mv "$HYDRA_BIN.tmp" "$HYDRA_BIN"
		echo "built with -tags sqlite from github.com/ory/hydra/v2@$HYDRA_VERSION" >"$HYDRA_BIN.ok"
	)
	rm -rf "$work"
	hydra_is_version || e2e_die "hydra build produced wrong version"
	e2e_log "hydra built: $HYDRA_BIN"
}

t0=$(date +%s)
install_packages
t1=$(date +%s)
build_hydra
t2=$(date +%s)
e2e_log "install done (packages $((t1 - t0))s, hydra $((t2 - t1))s)"
