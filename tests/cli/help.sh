#!/bin/sh
# usage: help.sh FLASHREF
# Every help request exits 0 and prints usage on stdout, nothing on stderr.
bin=$1
status=0
err=$(mktemp) || exit 1
for args in "--help" "-h" "run --help" "run -h" "attention --help" "io --help" \
            "io -h" "run --N 0 --help"; do
    # shellcheck disable=SC2086
    out=$("$bin" $args 2>"$err")
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: flashref $args exited $rc"; status=1
    fi
    if ! printf '%s\n' "$out" | grep -q '^usage: flashref'; then
        echo "FAIL: flashref $args printed no usage line"; status=1
    fi
    if [ -s "$err" ]; then
        echo "FAIL: flashref $args wrote to stderr"; status=1
    fi
done
rm -f "$err"
"$bin" run --help | grep -q '16384' || { echo "FAIL: run --help does not state the default M"; status=1; }
"$bin" --help | grep -q 'attention' || { echo "FAIL: --help does not list the commands"; status=1; }
exit $status
