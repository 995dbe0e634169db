#!/usr/bin/env bash
# Planted-bug check of the reference tests (tests/reference.cmake).
#
# Each mutant below is a small edit of src/ (one file, or a few), made with sed in a
# copy of the tree. The copy is configured once; for each mutant the file is
# edited, only what depends on it is rebuilt, the tests run, and the file is
# restored. A mutant is caught when at least one test exits non-zero (a
# failed check, a crash or a timeout). The script fails when a mutant
# survives, when its edit no longer applies (src/ moved on: update the sed
# pattern), when it does not compile, or when the unmutated tree fails.
#
# Usage: tests/mutants/run-mutants.sh [SOURCE_DIR]
#   CMAKE=...        cmake to use (default: cmake)
#   CC=...           C compiler (default: cmake's choice)
#   MUTANT_JOBS=N    build parallelism (default 2)
#   MUTANT_ONLY=name run one mutant
#   KEEP=1           keep the work directory
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${1:-$here/../..}" && pwd)
CMAKE=${CMAKE:-cmake}
jobs=${MUTANT_JOBS:-2}
test_timeout=300
work=$(mktemp -d "${TMPDIR:-/tmp}/flashref-mutants.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

# ---- the mutants -------------------------------------------------------------
# mutant NAME FILE[,FILE...] SED-SCRIPT   (the script must change each file)
names=() files=() scripts=()
mutant() { names+=("$1"); files+=("$2"); scripts+=("$3"); }

mutant tiled_no_alpha_rescale src/online_softmax.c \
  's/fr_row_scale(acc, d, alpha);/(void)alpha;/'
mutant bottom_right_off_by_one src/mask.c \
  's/return i + 1 > shift ? i + 1 - shift : 0;/return i > shift ? i - shift : 0;/'
mutant tiled_k_counted_twice src/tiled_rows.c \
  's/\(fr_load_f32(fm, t->k, k + j0 \* d, cols, d, d);\)/\1 \1/'
mutant store_counts_stride src/fast_memory.c \
  's/fm->words_written += (uint64_t)rows \* cols;/fm->words_written += (uint64_t)rows * dst_stride;/'
mutant finish_no_divide_by_l src/online_softmax.c \
  '/fr_row_divide(acc, d, sum);/d'
mutant block_max_for_m_new src/online_softmax.c \
  's/double shift = fr_shift_point(m_new);/double shift = fr_shift_point(block_max);/'
mutant finish_lse_without_m src/online_softmax.c \
  's/\*m = fr_add(row_max, fr_log(sum));/(void)row_max; *m = fr_log(sum);/'
mutant standard_no_normalisation src/standard_rows.c \
  's/fr_softmax_chunk(chunk, n, cols, m, l);/fr_softmax_chunk(chunk, n, cols, m, l \/ l);/'
mutant standard_no_minus_inf_mask src/standard_scores.c,src/standard_rows.c \
  's/fr_row_fill(s_row + n, cols - n, fr_neg_inf());/fr_score_row(s_row + n, q_tile + r * d, k_tile + n * d, cols - n, d, h.scale);/; s/size_t visible = fr_visible_keys(h.causal, i, h.q_len, nk);/size_t visible = fr_visible_keys(h.causal, i, h.q_len, nk) * 0 + nk;/'
mutant blocks_default_over_M src/blocks.c \
  's/size_t rows = (fast_words - 2 \* cols \* head_dim)/size_t rows = (fast_words + 1 - 2 * cols * head_dim)/'
mutant tiled_gqa_head_map src/tiled_rows.c \
  's/size_t hk = hq \/ group;/size_t hk = hq % kv_heads + 0 * group;/'
mutant finish_masked_row_not_zeroed src/online_softmax.c \
  '/if (n == 0 || sum == 0.0) {$/{n;/fr_row_zero(acc, d);/d}'
mutant check_skips_hkv_divides src/problem.c \
  's/if (p->q_heads % p->kv_heads != 0)/if (0 \&\& p->q_heads % p->kv_heads != 0)/'
mutant exp2_table_lo_sign src/exp2_table.h \
  's/0x1.02c9a3e778061p+0, -0x1.19083535b085dp-56/0x1.02c9a3e778061p+0, 0x1.19083535b085dp-56/'
mutant fma_not_fused src/prims.h \
  's/{ return fma(a, b, c); }/{ return a * b + c; }/'

tests=(test_diff test_io_counts test_bad_input test_semantics test_prims)

# ---- the copy ----------------------------------------------------------------
tree=$work/tree
mkdir -p "$tree/src" "$tree/tests"
cp "$root/CMakeLists.txt" "$tree/"
cp -R "$root/include" "$tree/"
if [ -d "$root/spec" ]; then cp -R "$root/spec" "$tree/"; fi
cp "$root"/src/*.c "$root"/src/*.h "$tree/src/"
for f in common.h reference.cmake test_diff.c test_io_counts.c test_bad_input.c \
         test_prims.c test_semantics.c; do
  cp "$root/tests/$f" "$tree/tests/"
done
# Only the reference tests, and not this check again.
cat > "$tree/tests/CMakeLists.txt" <<'EOF'
set(FLASHREF_MUTANT_COPY ON)
include(${CMAKE_CURRENT_SOURCE_DIR}/reference.cmake)
EOF

build=$work/build
cc_arg=()
if [ -n "${CC:-}" ]; then cc_arg=(-DCMAKE_C_COMPILER="$CC"); fi
if ! "$CMAKE" -S "$tree" -B "$build" "${cc_arg[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
     -DFLASHREF_SANITIZE=OFF -DFLASHREF_PROOFS=OFF -DFLASHREF_CUDA=OFF \
     -DFLASHREF_ORACLE=OFF >"$work/configure.log" 2>&1; then
  cat "$work/configure.log"
  echo "run-mutants: configuring the copy failed" >&2
  exit 2
fi
have=()
for t in "${tests[@]}"; do
  if grep -q "add_test(\[=*\[$t\]" "$build/tests/CTestTestfile.cmake" 2>/dev/null ||
     grep -q "add_test($t " "$build/tests/CTestTestfile.cmake" 2>/dev/null; then
    have+=("$t")
  fi
done
tests=("${have[@]}")

build_tests() {
  "$CMAKE" --build "$build" -j "$jobs" --target "${tests[@]}" >"$work/build.log" 2>&1
}

# run_tests FILE: runs the tests side by side (test_prims only when FILE is
# one it compiles: it does not link the rest of src/); prints those that failed.
run_tests() {
  local file=$1 failed=() pids=() ran=() t i
  for t in "${tests[@]}"; do
    if [ "$t" = test_prims ] && [ -n "$file" ] &&
       [ "$file" != src/prims.h ] && [ "$file" != src/exp2_table.h ]; then
      continue
    fi
    # the subshell's stderr takes the shell's own "Floating point exception"
    # line when a mutant crashes a test
    ( cd "$build/tests" && ASAN_OPTIONS=allocator_may_return_null=1 \
        exec timeout "$test_timeout" "./$t" >"$work/$t.log" 2>&1 ) 2>>"$work/$t.log" &
    pids+=($!)
    ran+=("$t")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then failed+=("${ran[$i]}"); fi
  done
  echo "${failed[*]:-}"
}

echo "run-mutants: building the unmutated copy"
if ! build_tests; then
  cat "$work/build.log"
  echo "run-mutants: the unmutated copy does not build" >&2
  exit 2
fi
base_failed=$(run_tests "")
if [ -n "$base_failed" ]; then
  echo "run-mutants: tests fail without any mutant: $base_failed" >&2
  for t in $base_failed; do tail -20 "$work/$t.log" >&2; done
  exit 2
fi

# ---- the mutants, one by one --------------------------------------------------
status=0
printf '%-30s %-30s %s\n' mutant file "caught by"
printf '%-30s %-30s %s\n' ------ ---- ---------
for i in "${!names[@]}"; do
  name=${names[$i]} file=${files[$i]} script=${scripts[$i]}
  if [ -n "${MUTANT_ONLY:-}" ] && [ "$MUTANT_ONLY" != "$name" ]; then continue; fi
  # FILE may name several files, comma-separated: the script edits each
  IFS=, read -r -a targets <<<"$file"
  applies=1
  for k in "${!targets[@]}"; do
    target=$tree/${targets[$k]}
    cp -p "$target" "$work/original.$k"
    sed -i -e "$script" "$target"
    if cmp -s "$target" "$work/original.$k"; then applies=0; fi
  done
  if [ $applies = 0 ]; then
    result="ERROR: the edit no longer applies"
    status=1
  elif ! build_tests; then
    result="ERROR: does not compile (see below)"
    grep -m 5 -E 'error' "$work/build.log"
    status=1
  else
    caught=$(run_tests "$file")
    if [ -n "$caught" ]; then
      result=$caught
    else
      result="SURVIVED"
      status=1
    fi
  fi
  printf '%-30s %-30s %s\n' "$name" "$file" "$result"
  for k in "${!targets[@]}"; do
    target=$tree/${targets[$k]}
    cp "$work/original.$k" "$target"
    touch "$target"
  done
done

if [ $status -ne 0 ]; then
  echo "run-mutants: FAILED (a mutant survived or could not be run)" >&2
else
  echo "run-mutants: every mutant was caught"
fi
exit $status
