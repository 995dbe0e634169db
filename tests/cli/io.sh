#!/bin/sh
# usage: io.sh FLASHREF
# `flashref io` prints its table; with --M it has one row per size, and its
# tiled count for one head equals what `flashref run --heads 1` measures.
bin=$1
status=0
fail() { echo "FAIL: $*"; status=1; }
out=$("$bin" io --N 1024 --d 64) || fail "io --N 1024 --d 64 failed"
printf '%s\n' "$out" | grep -q 'M .*Br .*Bc .*standard .*tiled .*N^2d^2/M .*tiled/that .*bound .*tiled/bound' \
    || fail "no column header"
rows=$(printf '%s\n' "$out" | grep -c '^ *[0-9]')
[ "$rows" -ge 5 ] || fail "default M list gave $rows rows"
out=$("$bin" io --N 64 --d 8 --M 1024,4096 --causal=top-left) || fail "io with --M list failed"
rows=$(printf '%s\n' "$out" | grep -c '^ *[0-9]')
[ "$rows" -eq 2 ] || fail "--M 1024,4096 gave $rows rows"
tiled_io=$("$bin" io --N 64 --Nk 48 --d 8 --M 1024 | awk '$1 == 1024 { print $5 }')
tiled_run=$("$bin" run --N 64 --Nk 48 --d 8 --heads 1 --M 1024 --json |
    sed -n '/^  "tiled": {$/,/^  }/p' | sed -n 's/^    "words_total": \([0-9]*\),$/\1/p')
[ -n "$tiled_io" ] && [ "$tiled_io" = "$tiled_run" ] ||
    fail "io says $tiled_io tiled words, run measures $tiled_run"
exit $status
