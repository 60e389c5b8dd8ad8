# Crash test through the daemon: rssd-crash-hook is rssd's main with a test-only I/O table that
# RSSD_CRASH_AT_IO=K arms (never installed); crash_rssd kills it after N acknowledged writes or
# lets it kill itself inside a storage call, and checks every acknowledged write after a restart.
if(TARGET ss_enclave AND TARGET psa-static)
  add_executable(rssd-crash-hook ${PROJECT_SOURCE_DIR}/src/enclave/main.c
                                 ${CMAKE_CURRENT_LIST_DIR}/crash_io.c)
  target_compile_definitions(rssd-crash-hook PRIVATE RSSD_CRASH_HOOK=1)
  target_include_directories(rssd-crash-hook PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(rssd-crash-hook PRIVATE ss_enclave ss_version)

  add_executable(crash_rssd ${CMAKE_CURRENT_LIST_DIR}/crash_rssd.c)
  target_link_libraries(crash_rssd PRIVATE psa-static Threads::Threads)
  add_test(NAME rssd_integration_crash COMMAND crash_rssd $<TARGET_FILE:rssd-crash-hook>)
  set_tests_properties(rssd_integration_crash PROPERTIES TIMEOUT 900)
endif()
