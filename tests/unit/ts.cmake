# TS RPC endpoint and packed-c secure storage: the sheet's words and byte vectors, in-process on
# libpsa-local (ITS and PS in a temporary state directory).
if(TARGET ss_ts AND TARGET psa-local-static)
  add_executable(test_ts ${CMAKE_CURRENT_LIST_DIR}/test_ts.c)
  target_link_libraries(test_ts PRIVATE ss_ts_psa psa-local-static PkgConfig::CMOCKA)
  add_test(NAME test_ts COMMAND test_ts)
endif()
