# Fuzz harness for the TS RPC endpoint and the packed-c secure storage codec.
if(TARGET ss_ts AND TARGET psa-local-static)
  add_executable(fuzz_ts_serve ${CMAKE_CURRENT_LIST_DIR}/fuzz_ts_serve.c)
  target_link_libraries(fuzz_ts_serve PRIVATE ss_ts_psa psa-local-static)
  target_link_options(fuzz_ts_serve PRIVATE -fsanitize=fuzzer)
endif()
