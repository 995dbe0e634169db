# The .npy reader/writer and the flashref command-line tool.

add_executable(test_npy test_npy.c)
target_include_directories(test_npy PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(test_npy flashref)
add_test(NAME npy COMMAND test_npy)
set_tests_properties(npy PROPERTIES LABELS unit)

if(NOT TARGET flashref-cli)
  return()
endif()

add_executable(cli_fixture cli/cli_fixture.c)
target_link_libraries(cli_fixture flashref)

set(FLASHREF_CLI $<TARGET_FILE:flashref-cli>)
set(FLASHREF_CLI_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/cli)
set(FLASHREF_CLI_WORK ${CMAKE_CURRENT_BINARY_DIR}/cli_work)
file(MAKE_DIRECTORY ${FLASHREF_CLI_WORK})

# A command that must fail with exit status `status`, one "flashref: " line
# on stderr containing `needle`, and no crash.
function(flashref_cli_fails name status needle)
  add_test(NAME cli_bad_${name}
           COMMAND sh ${FLASHREF_CLI_SCRIPTS}/expect_fail.sh ${status} ${needle}
                   ${FLASHREF_CLI} ${ARGN})
  set_tests_properties(cli_bad_${name} PROPERTIES LABELS unit)
endfunction()

# The same on the fixture files.
function(flashref_cli_fails_on_files name status needle)
  flashref_cli_fails(${name} ${status} ${needle} ${ARGN})
  set_tests_properties(cli_bad_${name} PROPERTIES FIXTURES_REQUIRED cli_files)
endfunction()

add_test(NAME cli_help COMMAND sh ${FLASHREF_CLI_SCRIPTS}/help.sh ${FLASHREF_CLI})
add_test(NAME cli_run_json
         COMMAND sh ${FLASHREF_CLI_SCRIPTS}/run_json.sh ${FLASHREF_CLI} --N 64 --d 8)
add_test(NAME cli_run_json_gqa_causal
         COMMAND sh ${FLASHREF_CLI_SCRIPTS}/run_json.sh ${FLASHREF_CLI} --N 50 --Nk 70 --d 12
                 --heads 6 --kv-heads 2 --batch 2 --causal=bottom-right --M 500 --seed 7)
add_test(NAME cli_run_json_blocks
         COMMAND sh ${FLASHREF_CLI_SCRIPTS}/run_json.sh ${FLASHREF_CLI} --N 40 --Nk 33 --d 8
                 --causal top-left --block-rows 7 --block-cols 5)
add_test(NAME cli_run_text
         COMMAND sh ${FLASHREF_CLI_SCRIPTS}/run_text.sh ${FLASHREF_CLI} --N 128 --d 16
                 --block-cols 3)
add_test(NAME cli_run_default COMMAND sh ${FLASHREF_CLI_SCRIPTS}/run_text.sh ${FLASHREF_CLI})
add_test(NAME cli_io COMMAND sh ${FLASHREF_CLI_SCRIPTS}/io.sh ${FLASHREF_CLI})
set_tests_properties(cli_help cli_run_json cli_run_json_gqa_causal cli_run_json_blocks
                     cli_run_text cli_run_default cli_io PROPERTIES LABELS unit)
set_tests_properties(cli_run_default PROPERTIES TIMEOUT 300)

# `flashref attention` against direct calls, on files cli_fixture writes.
add_test(NAME cli_fixture_files COMMAND cli_fixture gen ${FLASHREF_CLI_WORK})
set_tests_properties(cli_fixture_files PROPERTIES FIXTURES_SETUP cli_files LABELS unit)
foreach(case
    "A_none_tiled A none tiled default default"
    "A_top_left_standard A top-left standard default default"
    "A_bottom_right_tiled_M A bottom-right tiled 1000 0.3"
    "B_none_tiled B none tiled default default"
    "B_bottom_right_standard B bottom-right standard 200 default"
    "C_top_left_tiled C top-left tiled default -1.5"
    "C_none_tiled_min_M C none tiled 51 default")
  string(REPLACE " " ";" fields "${case}")
  list(GET fields 0 name)
  list(REMOVE_AT fields 0)
  add_test(NAME cli_attention_${name}
           COMMAND sh ${FLASHREF_CLI_SCRIPTS}/attention_case.sh ${FLASHREF_CLI}
                   $<TARGET_FILE:cli_fixture> ${FLASHREF_CLI_WORK} ${name} ${fields})
  set_tests_properties(cli_attention_${name} PROPERTIES FIXTURES_REQUIRED cli_files
                       LABELS unit)
endforeach()

# Bad command lines: exit status 2.
flashref_cli_fails(no_command 2 "no command")
flashref_cli_fails(unknown_command 2 "unknown command 'bogus'" bogus)
flashref_cli_fails(unknown_option 2 "unknown option '--frobnicate'" run --frobnicate)
flashref_cli_fails(missing_value 2 "--N needs a value" run --N)
flashref_cli_fails(missing_value_before_option 2 "--N needs a value" run --N --d 8)
flashref_cli_fails(non_numeric 2 "got 'abc'" run --N abc)
flashref_cli_fails(negative 2 "got '-5'" run --N -5)
flashref_cli_fails(plus_sign 2 "got '+5'" run --d +5)
flashref_cli_fails(hex 2 "got '0x10'" run --d 0x10)
flashref_cli_fails(fraction 2 "got '1.5'" run --N 1.5)
flashref_cli_fails(trailing_text 2 "got '64k'" run --N 64k)
flashref_cli_fails(zero_N 2 "--N must be positive" run --N 0)
flashref_cli_fails(zero_d 2 "--d must be positive" run --d=0)
flashref_cli_fails(zero_heads 2 "--heads must be positive" run --heads 0)
flashref_cli_fails(zero_batch 2 "--batch must be positive" run --batch 0)
flashref_cli_fails(number_overflow 2 "too large" run --N 99999999999999999999)
flashref_cli_fails(size_overflow 2 "too large" run --N 18446744073709551615
                   --d 18446744073709551615)
flashref_cli_fails(kv_heads 2 "--kv-heads 3 does not divide --heads 4" run --heads 4
                   --kv-heads 3)
flashref_cli_fails(M_too_small 2 "the minimum is 4d+3 = 259" run --M 100)
flashref_cli_fails(M_too_small_d8 2 "the minimum is 4d+3 = 35" run --d 8 --M 34)
flashref_cli_fails(M_zero 2 "--M must be positive" run --M 0)
flashref_cli_fails(blocks_too_big 2 "more than M = 300" run --N 64 --d 8 --M 300
                   --block-rows 1000)
flashref_cli_fails(block_zero 2 "--block-cols must be positive" run --block-cols 0)
flashref_cli_fails(causal 2 "none, top-left or bottom-right" run --causal=diagonal)
flashref_cli_fails(flag_value 2 "--json takes no value" run --json=yes)
flashref_cli_fails(repeated 2 "--N given twice" run --N 64 --N 32)
flashref_cli_fails(positional 2 "unexpected argument '64'" run 64)
flashref_cli_fails(seed_negative 2 "got '-1'" run --seed -1)
flashref_cli_fails(io_no_N 2 "--N is required" io --d 8)
flashref_cli_fails(io_no_d 2 "--d is required" io --N 8)
flashref_cli_fails(io_M_list 2 "comma-separated" io --N 64 --d 8 --M 1024,,2048)
flashref_cli_fails(io_M_small 2 "the minimum is 4d+3 = 35" io --N 64 --d 8 --M 1024,20)
flashref_cli_fails(io_unknown_option 2 "unknown option '--batch'" io --N 64 --d 8 --batch 2)
flashref_cli_fails(attention_no_k 2 "--k is required" attention --q q.npy)
flashref_cli_fails(attention_scale_nan 2 "finite" attention --q q --k k --v v --out o
                   --scale nan)
flashref_cli_fails(attention_scale_text 2 "got '1/8'" attention --q q --k k --v v --out o
                   --scale 1/8)
flashref_cli_fails(attention_algorithm 2 "tiled or standard" attention --q q --k k --v v
                   --out o --algorithm flash)
flashref_cli_fails_on_files(attention_M_small 2 "the minimum is 4d+3 = 67" attention
                   --q ${FLASHREF_CLI_WORK}/A_q.npy --k ${FLASHREF_CLI_WORK}/A_k.npy
                   --v ${FLASHREF_CLI_WORK}/A_v.npy --out ${FLASHREF_CLI_WORK}/never.npy --M 66)

# Runs that cannot be done: exit status 1.
flashref_cli_fails(run_too_large 1 "host memory" run --N 1000000)

set(A_k ${FLASHREF_CLI_WORK}/A_k.npy)
set(A_v ${FLASHREF_CLI_WORK}/A_v.npy)
set(no_out ${FLASHREF_CLI_WORK}/never.npy)
foreach(case
    "missing_file|cannot open|${FLASHREF_CLI_WORK}/no_such_file.npy"
    "directory|cannot read|${FLASHREF_CLI_WORK}"
    "not_npy|not a .npy file|${FLASHREF_CLI_WORK}/not_npy.npy"
    "empty|the file is empty|${FLASHREF_CLI_WORK}/empty.npy"
    "big_endian|big-endian dtype '>f4'|${FLASHREF_CLI_WORK}/big_endian.npy"
    "int32|unsupported dtype '<i4'|${FLASHREF_CLI_WORK}/int32.npy"
    "truncated|needs 18944 data bytes, the file has 18938|${FLASHREF_CLI_WORK}/truncated.npy"
    "rank1|has shape (16,): expected|${FLASHREF_CLI_WORK}/rank1.npy"
    "rank5|has shape (1, 2, 4, 37, 16): expected|${FLASHREF_CLI_WORK}/rank5.npy"
    "zero_length|every size must be positive|${FLASHREF_CLI_WORK}/zero_len.npy"
    "not_float|not exactly a float|${FLASHREF_CLI_WORK}/not_float.npy")
  string(REPLACE "|" ";" fields "${case}")
  list(GET fields 0 name)
  list(GET fields 1 needle)
  list(GET fields 2 q)
  flashref_cli_fails_on_files(attention_${name} 1 "${needle}" attention --q ${q} --k ${A_k}
                              --v ${A_v} --out ${no_out})
endforeach()
set(A_q ${FLASHREF_CLI_WORK}/A_q.npy)
flashref_cli_fails_on_files(attention_head_dim 1 "has head dimension 16 but k (2, 2, 29, 8)"
  attention --q ${A_q} --k ${FLASHREF_CLI_WORK}/k_d8.npy --v ${FLASHREF_CLI_WORK}/k_d8.npy
  --out ${no_out})
flashref_cli_fails_on_files(attention_batch 1 "has batch 2 but k (3, 2, 29, 16) has batch 3"
  attention --q ${A_q} --k ${FLASHREF_CLI_WORK}/k_batch3.npy
  --v ${FLASHREF_CLI_WORK}/k_batch3.npy --out ${no_out})
flashref_cli_fails_on_files(attention_heads 1 "has 3 heads, which does not divide the 4 heads"
  attention --q ${A_q} --k ${FLASHREF_CLI_WORK}/k_heads3.npy
  --v ${FLASHREF_CLI_WORK}/k_heads3.npy --out ${no_out})
flashref_cli_fails_on_files(attention_kv_shapes 1 "must have the same shape"
  attention --q ${A_q} --k ${A_k} --v ${FLASHREF_CLI_WORK}/v_len30.npy --out ${no_out})
flashref_cli_fails_on_files(attention_unwritable 1 "cannot create"
  attention --q ${A_q} --k ${A_k} --v ${A_v} --out ${FLASHREF_CLI_WORK}/no_dir/o.npy)
