#!/usr/bin/env bash
# Whole-process benchmarks of dsconfig (docs/performance.md): start-up
# against a bare Go binary and against dsconfig with a main that returns at
# once (P0), commands on stores of 1, 1,000 and 10,000 objects (P1, P1b,
# P5), and the batch growth table (P2). Medians and ratios, peak RSS from
# /usr/bin/time -v. Uses hyperfine when it is installed, else a shell loop.
#
#   scripts/bench.sh [DSCONFIG]
#
# DSCONFIG defaults to a fresh build of ./cmd/dsconfig. Environment:
#   RUNS=11            runs per measurement (median)
#   BATCH_SIZES="100 1000 10000 100000"
#   STORE_SIZES="1 1000 10000"
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-11}
BATCH_SIZES=${BATCH_SIZES:-"100 1000 10000 100000"}
STORE_SIZES=${STORE_SIZES:-"1 1000 10000"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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
