# TS RPC end to end: a libts client, se-proxy forwarding ITS and PS for each caller, and a private
# rssd (with_rssd.sh) whose policy names root (se-proxy's uid here) a forwarder.
if(TARGET se-proxy AND TARGET ts AND TARGET rssd AND TARGET psa-static)
  add_executable(test_ts_libts ${CMAKE_CURRENT_LIST_DIR}/test_ts_libts.c)
  target_link_libraries(test_ts_libts PRIVATE ts psa-static OpenSSL::Crypto PkgConfig::CMOCKA
                        Threads::Threads)
  add_test(NAME ts_libts
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:test_ts_libts> $<TARGET_FILE:se-proxy>)
  set_tests_properties(ts_libts PROPERTIES TIMEOUT 600 ENVIRONMENT
                       "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()

# libpsa-ts beyond the conformance suites: long AEAD nonces, calls larger than the binding's
# memory, a se-proxy restart, fork.
if(TARGET psa-ts AND TARGET se-proxy AND TARGET rssd)
  add_executable(test_psats ${CMAKE_CURRENT_LIST_DIR}/test_psats.c)
  target_link_libraries(test_psats PRIVATE psa-ts OpenSSL::Crypto PkgConfig::CMOCKA)
  add_test(NAME psats
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:test_psats> $<TARGET_FILE:se-proxy>)
  set_tests_properties(psats PROPERTIES TIMEOUT 600 ENVIRONMENT
                       "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()
