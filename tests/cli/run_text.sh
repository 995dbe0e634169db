#!/bin/sh
# usage: run_text.sh FLASHREF [RUN ARGS...]
# The table names the problem, both algorithms with matching closed forms,
# the bound constants and the peak against M, and ends with "result ok".
bin=$1
shift
out=$(mktemp) || exit 1
"$bin" run "$@" >"$out" 2>&1
rc=$?
status=0
fail() { echo "FAIL: $*"; status=1; }
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q '^problem .*B=.*Hq=.*Hkv=.*Nq=.*Nk=.*d=.*causal=.*scale=' "$out" || fail "no problem line"
grep -q '^memory .*M=.*blocks Br x Bc = ' "$out" || fail "no memory line"
grep -q '^standard .* match .*<= M$' "$out" || fail "no matching standard row"
grep -q '^tiled .* match .*<= M$' "$out" || fail "no matching tiled row"
grep -q 'c1 = 12 + 10/d = .*c2 = 5' "$out" || fail "bound constants not stated"
grep -q 'tiled total / bound = ' "$out" || fail "no ratio to the bound"
grep -q '^N^2d^2/M ' "$out" || fail "no N^2d^2/M line"
grep -q '^result  *ok$' "$out" || fail "result is not ok"
if [ "$status" -ne 0 ]; then cat "$out"; fi
rm -f "$out"
exit $status
