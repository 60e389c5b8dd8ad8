# rssd end-to-end tests: a private daemon per program, driven through libpsa and raw messages.
if(TARGET rssd AND TARGET psa-static)
  add_library(ss_rssd_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/rssd_harness.c)
  target_compile_definitions(ss_rssd_harness PRIVATE RSSD_PATH="$<TARGET_FILE:rssd>")
  target_include_directories(ss_rssd_harness PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  add_dependencies(ss_rssd_harness rssd)

  add_executable(test_rssd ${CMAKE_CURRENT_LIST_DIR}/test_rssd.c)
  target_link_libraries(test_rssd PRIVATE ss_rssd_harness psa-static PkgConfig::CMOCKA
                        Threads::Threads)
  add_test(NAME rssd_integration COMMAND test_rssd)
  set_tests_properties(rssd_integration PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()

# Hardening regressions: shared-memory races on deterministic signatures, failed decryptions,
# overlapping vectors, descriptor exhaustion, long calls, per-client limits.
if(TARGET rssd AND TARGET psa-static)
  add_executable(test_rssd_hardening ${CMAKE_CURRENT_LIST_DIR}/test_rssd_hardening.c)
  target_link_libraries(test_rssd_hardening PRIVATE ss_rssd_harness psa-static ss_comms
                        PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME rssd_hardening COMMAND test_rssd_hardening)
  # A hang guard, not a speed limit: under the sanitizers on a loaded two-core machine its long
  # key derivations alone took over 300 s.
  set_tests_properties(rssd_hardening PROPERTIES TIMEOUT 900)
endif()

# Issue 9 §1: no reply, on any path, carries another client's bytes (two uids, one worker).
if(TARGET rssd AND TARGET psa-static)
  add_executable(test_rssd_leak ${CMAKE_CURRENT_LIST_DIR}/test_rssd_leak.c)
  target_link_libraries(test_rssd_leak PRIVATE ss_rssd_harness psa-static ss_comms
                        PkgConfig::CMOCKA)
  add_test(NAME rssd_leak COMMAND test_rssd_leak)
  set_tests_properties(rssd_leak PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
