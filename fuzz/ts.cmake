# Fuzz harnesses for the TS RPC endpoint, the packed-c secure storage codec and the packed-c
# crypto translator.
if(TARGET ss_ts AND TARGET psa-local-static)
  add_executable(fuzz_ts_serve ${CMAKE_CURRENT_LIST_DIR}/fuzz_ts_serve.c)
  target_link_libraries(fuzz_ts_serve PRIVATE ss_ts_psa psa-local-static)
  target_link_options(fuzz_ts_serve PRIVATE -fsanitize=fuzzer)
endif()
# The packed-c crypto translator, with a checking backend instead of rssd (and the UEFI opcodes
# on the real PKCS#7 checks).
if(TARGET ss_ts AND TARGET ss_uefi)
  add_executable(fuzz_ts_crypto ${CMAKE_CURRENT_LIST_DIR}/fuzz_ts_crypto.c)
  target_link_libraries(fuzz_ts_crypto PRIVATE ss_ts ss_uefi)
  target_link_options(fuzz_ts_crypto PRIVATE -fsanitize=fuzzer)
endif()
# libpsa-ts's decoders of se-proxy's replies (generic crypto rows, packed-c storage).
if(TARGET ss_ts)
  add_executable(fuzz_psats_reply ${CMAKE_CURRENT_LIST_DIR}/fuzz_psats_reply.c)
  target_link_libraries(fuzz_psats_reply PRIVATE ss_ts)
  target_link_options(fuzz_psats_reply PRIVATE -fsanitize=fuzzer)
endif()
