#!/usr/bin/env bash
# run.sh -- full e2e run: install, start the stack, smoke checks, then
# test/e2e/cases.sh (only if it exists and $DSCONFIG names the dsconfig
# binary), print a summary table, and always stop the stack.
#
#   sudo DSCONFIG=/path/to/dsconfig test/e2e/run.sh
#
# Env: E2E_DIR (default /tmp/dsconfig-e2e), E2E_SKIP_INSTALL=1 to skip
# install.sh, SMOKE_SKIP_SLOW=1 to skip the token-expiry smoke check,
# E2E_KEEP=1 to leave the stack running afterwards (for debugging).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export E2E_DIR="${E2E_DIR:-/tmp/dsconfig-e2e}"

declare -a ROWS=()
OVERALL=0
row() { ROWS+=("$(printf '%-10s %-6s %s' "$1" "$2" "${3:-}")"); }

summary() {
	echo
	echo "==== dsconfig e2e summary ===="
	printf '%-10s %-6s %s\n' STEP RESULT DETAIL
	local r
	for r in "${ROWS[@]}"; do echo "$r"; done
}

cleanup() {
	local rc=$?
	if [ -z "${E2E_KEEP:-}" ]; then
		if "$HERE/stack.sh" stop; then row stop ok; else row stop FAIL; OVERALL=1; fi
	else
		row stop skipped "E2E_KEEP set; stop with: $HERE/stack.sh stop"
	fi
	summary
	[ $rc -ne 0 ] && [ $OVERALL -eq 0 ] && OVERALL=$rc
	exit $OVERALL
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { # NAME CMD... -- run a step, record its result; returns its exit code
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	echo "==== $name ===="
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then row "$name" ok "$(($(date +%s) - t0))s"
	else row "$name" FAIL "exit $rc after $(($(date +%s) - t0))s"; OVERALL=1; fi
	return $rc
}

if [ -z "${E2E_SKIP_INSTALL:-}" ]; then
	step install "$HERE/install.sh" || exit 1
else
	row install skipped
fi
step start "$HERE/stack.sh" start || exit 1

smoke_out=$(mktemp)
step smoke bash -c 'set -o pipefail; "$1" | tee "$2"' _ "$HERE/smoke.sh" "$smoke_out"
ROWS[${#ROWS[@]} - 1]+=" ($(tail -n1 "$smoke_out"))"
rm -f "$smoke_out"

if [ -f "$HERE/cases.sh" ] && [ -n "${DSCONFIG:-}" ]; then
	if [ -x "$DSCONFIG" ]; then
		export DSCONFIG
		step cases bash "$HERE/cases.sh"
	else
		row cases FAIL "DSCONFIG=$DSCONFIG is not executable"; OVERALL=1
	fi
else
	row cases skipped "needs test/e2e/cases.sh and DSCONFIG=/path/to/dsconfig"
fi
