#!/usr/bin/env bash
# Whole-process benchmarks of dsconfig (docs/performance.md): start-up
# against a bare Go binary and against dsconfig with a main that returns at
# once (P0), commands on stores of 1, 1,000 and 10,000 objects (P1, P1b,
# P5), the batch growth table (P2), send-test-mail against curl on the
# loopback sandbox's STARTTLS port (P3), and the token requests of 20
# send-test-mail processes (P4). Medians and ratios, peak RSS from
# /usr/bin/time -v. Uses hyperfine when it is installed, else a shell
# loop; P3 needs curl.
#
#   scripts/bench.sh [DSCONFIG]
#
# DSCONFIG defaults to a fresh build of ./cmd/dsconfig. Environment:
#   RUNS=11            runs per measurement (median)
#   BATCH_SIZES="100 1000 10000 100000"
#   STORE_SIZES="1 1000 10000"
#   MAIL=0             skip P3 and P4; an empty BATCH_SIZES or STORE_SIZES
#                      skips that part
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-11}
BATCH_SIZES=${BATCH_SIZES-"100 1000 10000 100000"}
STORE_SIZES=${STORE_SIZES-"1 1000 10000"}
MAIL=${MAIL:-1}
work=$(mktemp -d)
sbpid=
trap '[ -z "$sbpid" ] || kill "$sbpid" 2>/dev/null; rm -rf "$work"' EXIT

# The binaries: dsconfig, dsconfig whose main returns at once (package init
# only, through a build overlay, so no file of the repository changes), and
# an empty Go program.
ds=${1:-}
if [ -z "$ds" ]; then
	ds=$work/dsconfig
	go build -o "$ds" ./cmd/dsconfig
fi
printf 'package main\n\nfunc main() {}\n' >"$work/main_noop.go"
printf '{"Replace":{"%s":"%s"}}\n' "$PWD/cmd/dsconfig/main.go" "$work/main_noop.go" >"$work/overlay.json"
go build -overlay "$work/overlay.json" -o "$work/dsconfig-noop" ./cmd/dsconfig
mkdir -p "$work/bare"
cp "$work/main_noop.go" "$work/bare/main.go"
(cd "$work/bare" && GO111MODULE=off go build -o "$work/bare-go" main.go)

# median_ms CMD...: the median wall time of RUNS runs, in milliseconds.
median_ms() {
	if command -v hyperfine >/dev/null; then
		hyperfine -N --style none --runs "$RUNS" --warmup 1 --export-json "$work/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
	else
		loop_ms : "$@"
	fi
}

# loop_ms PREPARE CMD...: the median wall time of RUNS runs of CMD, each
# after the shell command PREPARE (not timed), in milliseconds.
loop_ms() {
	local prep=$1 i t0 t1
	shift
	for ((i = 0; i < RUNS; i++)); do
		eval "$prep"
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		echo "$t0 $t1"
	done | awk '{print ($2 - $1) * 1000}' | sort -g | awk '{a[NR]=$1} END {printf "%.1f\n", a[int((NR+1)/2)]}'
}

# rss_mb CMD...: peak RSS of one run, in MB.
rss_mb() {
	/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.1f\n", $2/1024}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

# store N: a configuration directory with N passphrase providers and one
# trust manager provider (the kind that holds one object).
store() {
	local n=$1 dir=$work/store-$1
	if [ ! -d "$dir" ]; then
		gen "$n" >"$work/gen-$n.dsconfig"
		echo "dsconfig create-trust-manager-provider --provider-name only --type system-default --set enabled:true" >>"$work/gen-$n.dsconfig"
		"$ds" --config-dir "$dir" --max-config-archives 0 --batch-file "$work/gen-$n.dsconfig" >/dev/null
	fi
	echo "$dir"
}

gen() {
	awk -v n="$1" 'BEGIN {for (i = 1; i <= n; i++) printf "dsconfig create-passphrase-provider --provider-name p%06d --type environment-variable --set enabled:true --set environment-variable:V%d\n", i, i}'
}

echo "# dsconfig benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go env GOVERSION)"
echo "# median of $RUNS runs$(command -v hyperfine >/dev/null && echo ' (hyperfine)' || echo ' (shell loop)')"
echo
echo "## P0: start-up"
echo
bare=$(median_ms "$work/bare-go")
noop=$(median_ms "$work/dsconfig-noop")
ver=$(median_ms "$ds" --version)
echo "| binary | wall ms | vs. bare | vs. main-returns | peak RSS MB |"
echo "|---|---|---|---|---|"
echo "| bare Go binary | $bare | 1.00 | – | $(rss_mb "$work/bare-go") |"
echo "| dsconfig, main returns at once | $noop | $(ratio "$noop" "$bare") | 1.00 | $(rss_mb "$work/dsconfig-noop") |"
echo "| dsconfig --version | $ver | $(ratio "$ver" "$bare") | $(ratio "$ver" "$noop") | $(rss_mb "$ds" --version) |"

echo
echo "## P1, P1b, P5: commands by store size"
echo
echo "| command | objects | wall ms | vs. 1 object | peak RSS MB |"
echo "|---|---|---|---|---|"
declare -A base
for n in $STORE_SIZES; do
	dir=$(store "$n")
	for c in get list create; do
		case $c in
		get) args=(get-passphrase-provider-prop --provider-name p000001) ;;
		list) args=(list-trust-manager-providers) ;;
		create) args=(create-passphrase-provider --provider-name new --type environment-variable --set enabled:true --set environment-variable:NEW) ;;
		esac
		if [ $c = create ]; then
			# Each run starts from a fresh copy of the store, archive and log.
			t=$(loop_ms "rm -rf $work/w && cp -a $dir $work/w" "$ds" --config-dir "$work/w" "${args[@]}")
			rm -rf "$work/w" && cp -a "$dir" "$work/w"
			rss=$(rss_mb "$ds" --config-dir "$work/w" "${args[@]}")
		else
			t=$(median_ms "$ds" --config-dir "$dir" "${args[@]}")
			rss=$(rss_mb "$ds" --config-dir "$dir" "${args[@]}")
		fi
		[ -n "${base[$c]:-}" ] || base[$c]=$t
		echo "| ${args[0]} | $n | $t | $(ratio "$t" "${base[$c]}") | $rss |"
	done
done

echo
echo "## P2: a batch of N creates into an empty store"
echo
echo "| commands | wall s | µs per command | peak RSS MB |"
echo "|---|---|---|---|"
for n in $BATCH_SIZES; do
	gen "$n" >"$work/batch-$n.dsconfig"
	runs=$RUNS
	[ "$n" -lt 10000 ] || runs=3
	[ "$n" -lt 100000 ] || runs=1
	t=$(RUNS=$runs loop_ms "rm -rf $work/b" "$ds" --config-dir "$work/b" --batch-file "$work/batch-$n.dsconfig")
	rm -rf "$work/b"
	rss=$(rss_mb "$ds" --config-dir "$work/b" --batch-file "$work/batch-$n.dsconfig")
	awk -v t="$t" -v n="$n" -v r="$rss" 'BEGIN {printf "| %d | %.2f | %.0f | %s |\n", n, t/1e3, t*1e3/n, r}'
done

[ "$MAIL" = 1 ] || exit 0

# P3 and P4 run against cmd/dsconfig-sandbox: a loopback token endpoint
# that logs every token it issues, and an SMTP server with STARTTLS that
# logs every AUTH and whether its response came inline. Its tokens are
# opaque (-jwt=false), short enough for the AUTH line to fit in 512
# octets, so that dsconfig (--initial-response auto) and curl both send
# the response inline; with its longer JWTs both use the two-step form.
go build -o "$work/sandbox" ./cmd/dsconfig-sandbox
mkdir -p "$work/sb"
SMTP_CLIENT_SECRET=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
export SMTP_CLIENT_SECRET
SANDBOX_CLIENT_SECRET=$SMTP_CLIENT_SECRET "$work/sandbox" -dir "$work/sb" -jwt=false -token-lifetime 30m >"$work/sb.log" 2>&1 &
sbpid=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^ready' "$work/sb.log" && break
	sleep 0.1
done
grep -q '^ready' "$work/sb.log" || { cat "$work/sb.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$work/sb/sandbox.env"
mail=$work/mail
cat >"$work/mail.dsconfig" <<EOB
dsconfig create-passphrase-provider --provider-name "Client Secret" --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET
dsconfig create-http-authorization-method --method-name Client --type client-credentials-bearer-token --set enabled:true --set oauth-server-token-endpoint-url:$SANDBOX_TOKEN_URL --set oauth-client-id:$SANDBOX_CLIENT_ID --set "oauth-client-secret-passphrase-provider:Client Secret"
dsconfig create-trust-manager-provider --provider-name "Sandbox CA" --type file-based --set enabled:true --set trust-store-file:$SANDBOX_CA_FILE
dsconfig create-external-server --server-name Sandbox --type smtp --set server-host-name:$SANDBOX_SMTP_HOST --set server-port:$SANDBOX_SMTP_PORT --set smtp-security:starttls --set user-name:alerts@example.com --set token-acquisition-method:Client --set "trust-manager-provider:Sandbox CA"
dsconfig set-global-configuration-prop --set smtp-server:Sandbox
EOB
"$ds" --config-dir "$mail" --batch-file "$work/mail.dsconfig" >/dev/null 2>&1
send=("$ds" --config-dir "$mail" send-test-mail --to ops@example.com)

issued() { grep -c 'token endpoint: issued' "$work/sb.log" || true; }
messages() { find "$work/sb/messages" -name '*.eml' | wc -l; }
# auth_trips: the round trips of the last AUTH the sandbox logged: one
# for an inline initial response, two for the two-step form.
auth_trips() { grep 'smtp: AUTH' "$work/sb.log" | tail -1 | awk '{print (/\(inline\)/ ? 1 : 2)}'; }

echo
echo "## P3: send-test-mail with a cached token vs curl, sandbox STARTTLS port"
echo
"${send[@]}" >/dev/null 2>&1 # obtains the token that the runs below reuse
ds_trips=$(auth_trips)
# curl sends the very message dsconfig sent, with a token of the same
# kind, given in a config file so that it is not on a command line.
cp "$(find "$work/sb/messages" -name '*.eml' | sort | tail -1)" "$work/msg.eml"
printf 'oauth2-bearer = "%s"\nuser = "alerts@example.com:"\n' "$(cat "$work/sb/static-token")" >"$work/curl.cfg"
chmod 600 "$work/curl.cfg"
curlcmd=(curl -sS --ssl-reqd --sasl-ir --cacert "$SANDBOX_CA_FILE" -K "$work/curl.cfg"
	--mail-from alerts@example.com --mail-rcpt ops@example.com --upload-file "$work/msg.eml"
	"smtp://$SANDBOX_SMTP_HOST:$SANDBOX_SMTP_PORT")
"${curlcmd[@]}" >/dev/null
curl_trips=$(auth_trips)
n0=$(issued)
# Interleaved so that both see the same load: curl, dsconfig, curl.
c1=$(median_ms "${curlcmd[@]}")
d=$(median_ms "${send[@]}")
c2=$(median_ms "${curlcmd[@]}")
c=$(awk -v a="$c1" -v b="$c2" 'BEGIN {printf "%.1f", (a + b) / 2}')
echo "| client | wall ms | vs. curl | AUTH round trips | peak RSS MB |"
echo "|---|---|---|---|---|"
echo "| curl --oauth2-bearer (mean of two medians: $c1, $c2) | $c | 1.00 | $curl_trips | $(rss_mb "${curlcmd[@]}") |"
echo "| dsconfig send-test-mail, cached token | $d | $(ratio "$d" "$c") | $ds_trips | $(rss_mb "${send[@]}") |"
echo
echo "Token requests during the timed sends: $(($(issued) - n0)) (want 0)."

echo
echo "## P4: token requests of 20 send-test-mail processes"
echo
# p4 MODE: the token requests and failed sends of 20 processes run
# one after another (seq) or all at once (par), from an empty cache.
p4() {
	local i n0 m0 fails=0
	"$ds" --config-dir "$mail" get-access-token --clear-cache >/dev/null 2>&1
	n0=$(issued) m0=$(messages)
	if [ "$1" = seq ]; then
		for ((i = 0; i < 20; i++)); do "${send[@]}" >/dev/null 2>&1 || fails=$((fails + 1)); done
	else
		local pids=()
		for ((i = 0; i < 20; i++)); do
			"${send[@]}" >/dev/null 2>&1 &
			pids+=($!)
		done
		for i in "${pids[@]}"; do wait "$i" || fails=$((fails + 1)); done
	fi
	echo "$(($(issued) - n0)) | $(($(messages) - m0)) | $fails"
}
echo "| maximum-token-lifetime | processes | token requests | messages | failed | want |"
echo "|---|---|---|---|---|---|"
echo "| unset (token valid 30 min) | 20, one after another | $(p4 seq) | 1 |"
echo "| unset (token valid 30 min) | 20 at once | $(p4 par) | 1 |"
"$ds" --config-dir "$mail" set-http-authorization-method-prop --method-name Client --set "maximum-token-lifetime:1 s" >/dev/null 2>&1
echo "| 1 s | 20, one after another | $(p4 seq) | 20 |"
echo "| 1 s | 20 at once | $(p4 par) | 20 |"
