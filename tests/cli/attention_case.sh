#!/bin/sh
# usage: attention_case.sh FLASHREF FIXTURE DIR CASE SET CAUSAL ALGORITHM M SCALE
# Runs `flashref attention` on set SET of the fixture files in DIR and checks
# its O and LSE bit for bit against a direct call (cli_fixture check).
bin=$1 fixture=$2 dir=$3 case=$4 set=$5 causal=$6 algorithm=$7 m=$8 scale=$9
o="$dir/out_${case}_o.npy"
lse="$dir/out_${case}_lse.npy"
rm -f "$o" "$lse"
set -- --q "$dir/${set}_q.npy" --k "$dir/${set}_k.npy" --v "$dir/${set}_v.npy" \
       --out "$o" --lse "$lse" --causal="$causal" --algorithm "$algorithm"
[ "$m" = default ] || set -- "$@" --M "$m"
[ "$scale" = default ] || set -- "$@" --scale "$scale"
"$bin" attention "$@"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: flashref attention exited $rc"; exit 1; }
"$fixture" check "$dir" "$set" "$causal" "$algorithm" "$m" "$scale" "$o" "$lse"
