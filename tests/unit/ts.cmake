# TS RPC endpoint and packed-c secure storage: the sheet's words and byte vectors, in-process on
# libpsa-local (ITS and PS in a temporary state directory).
if(TARGET ss_ts AND TARGET psa-local-static)
  add_executable(test_ts ${CMAKE_CURRENT_LIST_DIR}/test_ts.c)
  target_link_libraries(test_ts PRIVATE ss_ts_psa psa-local-static PkgConfig::CMOCKA)
  add_test(NAME test_ts COMMAND test_ts)
endif()

# Packed-c crypto: literal request and response bytes from the sheet, a recording backend.
if(TARGET ss_ts)
  add_executable(test_ts_crypto ${CMAKE_CURRENT_LIST_DIR}/test_ts_crypto.c)
  target_link_libraries(test_ts_crypto PRIVATE ss_ts PkgConfig::CMOCKA)
  add_test(NAME test_ts_crypto COMMAND test_ts_crypto)
endif()
