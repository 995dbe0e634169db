#!/bin/sh
# usage: run_json.sh FLASHREF [RUN ARGS...]
# `flashref run ... --json` exits 0 and prints one JSON object with the
# documented keys, tiled.* and standard.* nested, and ok = true.
bin=$1
shift
out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
"$bin" run "$@" --json >"$out" 2>"$err"
rc=$?
status=0
fail() { echo "FAIL: $*"; status=1; }
[ "$rc" -eq 0 ] || fail "exit status $rc"
[ "$(head -n 1 "$out")" = "{" ] || fail "stdout does not start with '{'"
[ "$(tail -n 1 "$out")" = "}" ] || fail "stdout does not end with '}'"
[ "$(grep -c '^{' "$out")" -eq 1 ] || fail "more than one top-level object"
for key in max_abs_diff max_rel_diff fast_peak M c1 c2 blocks batch q_heads kv_heads \
           q_len kv_len head_dim causal scale tiled standard ok; do
    grep -q "^  \"$key\": " "$out" || fail "no top-level key '$key'"
done
grep -q '^  "ok": true$' "$out" || fail "ok is not true"
# The members of each nested object, between its opening line and its closing "  }".
section() { sed -n "/^  \"$1\": {\$/,/^  }/p" "$out"; }
for algo in tiled standard; do
    for key in words_read words_written closed_form fast_peak; do
        section "$algo" | grep -q "^    \"$key\": [0-9]" || fail "no $algo.$key"
    done
    section "$algo" | grep -q '"matches_closed_form": true' || fail "$algo counts differ from the closed form"
done
section tiled | grep -q '^    "bound": [0-9]' || fail "no tiled.bound"
# Nothing but the JSON on stdout; no progress for a small problem.
[ -s "$err" ] && fail "stderr is not empty: $(cat "$err")"
if [ "$status" -ne 0 ]; then echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; fi
rm -f "$out" "$err"
exit $status
