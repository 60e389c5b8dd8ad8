# TS RPC end to end: a libts client, the test-only endpoint server hosting ITS and PS on
# libpsa, and a private rssd (with_rssd.sh).
if(TARGET ss_ts AND TARGET ts AND TARGET rssd AND TARGET psa-static)
  # Stand-in for se-proxy's listener until src/daemon lands (see the file's header).
  add_executable(ts_test_server ${CMAKE_CURRENT_LIST_DIR}/ts_test_server.c)
  target_link_libraries(ts_test_server PRIVATE ss_ts psa-static)

  add_executable(test_ts_libts ${CMAKE_CURRENT_LIST_DIR}/test_ts_libts.c)
  target_link_libraries(test_ts_libts PRIVATE ts PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME ts_libts
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:test_ts_libts> $<TARGET_FILE:ts_test_server>)
  set_tests_properties(ts_libts PROPERTIES TIMEOUT 600)
endif()
