# GPU differential tests of the CUDA mirror (label gpu). Built whenever
# kernels/ built flashref_cuda; without a usable GPU the program exits 77 and
# ctest reports the test as skipped.
if(NOT TARGET flashref_cuda)
  return()
endif()

find_package(Threads REQUIRED)
find_package(CUDAToolkit REQUIRED)   # imported targets are per directory
set(FR_GPU_TEST_DIR ${CMAKE_CURRENT_LIST_DIR}/gpu)

add_executable(test_gpu_identity ${FR_GPU_TEST_DIR}/test_gpu_identity.c)
target_link_libraries(test_gpu_identity flashref_cuda flashref CUDA::cudart Threads::Threads m)

add_test(NAME gpu_identity COMMAND test_gpu_identity)
set_tests_properties(gpu_identity PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 900)

# The small subset that scripts/gpu-check runs under compute-sanitizer.
add_test(NAME gpu_identity_quick COMMAND test_gpu_identity --quick)
set_tests_properties(gpu_identity_quick PROPERTIES LABELS gpu SKIP_RETURN_CODE 77 TIMEOUT 300)
