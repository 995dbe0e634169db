#!/bin/sh
# usage: expect_fail.sh STATUS NEEDLE COMMAND [ARGS...]
# Passes when COMMAND exits with STATUS (not by a signal), prints nothing on
# stdout, and prints exactly one line on stderr that starts with "flashref: "
# and contains NEEDLE.
want=$1
needle=$2
shift 2
out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
"$@" >"$out" 2>"$err"
rc=$?
fail() {
    echo "FAIL: $*"
    echo "--- command: $*"
    echo "--- stdout:"; cat "$out"
    echo "--- stderr:"; cat "$err"
    rm -f "$out" "$err"
    exit 1
}
[ "$rc" -lt 128 ] || fail "killed by signal $((rc - 128))"
[ "$rc" -eq "$want" ] || fail "exit status $rc, want $want"
[ "$(wc -l <"$err")" -eq 1 ] || fail "stderr is not exactly one line"
grep -q '^flashref: ' "$err" || fail "stderr does not start with 'flashref: '"
grep -qF -- "$needle" "$err" || fail "stderr does not mention '$needle'"
[ -s "$out" ] && fail "stdout is not empty"
rm -f "$out" "$err"
exit 0
