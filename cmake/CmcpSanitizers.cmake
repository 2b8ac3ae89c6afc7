# Instrumented builds, all off by default (a normal build is unaffected):
#   -DCMCP_SANITIZE=address  ASan + UBSan over every target (scripts/sanitize.sh address)
#   -DCMCP_SANITIZE=thread   TSan over every target (scripts/sanitize.sh thread)
#   -DCMCP_FUZZ=ON           clang only: libFuzzer targets in fuzz/ (scripts/fuzz.sh), with
#                            coverage + ASan + UBSan on every library they link
# Third-party libraries come from Debian and are not instrumented; see
# docs/testing.md for what that means for each sanitizer.
include_guard(GLOBAL)

if(CMCP_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(CMCP_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  # -rdynamic: Abseil's and gRPC's own calls to absl::Mutex and to gRPC's
  # completion queue API must reach the shims' definitions too (see
  # sanitizers/tsan_absl_shim.cc and sanitizers/tsan_grpc_shim.cc).
  add_link_options(-fsanitize=thread -rdynamic)
  add_library(cmcp_tsan_shims OBJECT "${CMAKE_CURRENT_LIST_DIR}/sanitizers/tsan_absl_shim.cc"
                                     "${CMAKE_CURRENT_LIST_DIR}/sanitizers/tsan_grpc_shim.cc")
  target_link_libraries(cmcp_tsan_shims PUBLIC absl::synchronization absl::time absl::status ${CMAKE_DL_LIBS})
elseif(NOT CMCP_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CMCP_SANITIZE must be empty, 'address' or 'thread' (got '${CMCP_SANITIZE}')")
endif()

if(CMCP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CMCP_FUZZ=ON needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT CMCP_SANITIZE STREQUAL "")
    message(FATAL_ERROR "CMCP_FUZZ=ON already adds ASan + UBSan; leave CMCP_SANITIZE empty")
  endif()
  # Coverage feedback for the fuzzer in every library a target links; the
  # fuzz targets themselves add -fsanitize=fuzzer (libFuzzer's main).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
