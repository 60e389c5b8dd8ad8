# The RSS comms client library (src/comms/rss_client.c) against a private rssd: embed and
# pointer-access calls, ASSERT_CLIENT as a forwarder and refused to a plain client.
if(TARGET rssd AND TARGET psa-static)
  add_executable(test_rss_client ${CMAKE_CURRENT_LIST_DIR}/test_rss_client.c)
  target_link_libraries(test_rss_client PRIVATE ss_rssd_harness psa-static ss_comms
                        PkgConfig::CMOCKA)
  add_test(NAME rssd_rss_client COMMAND test_rss_client)
  set_tests_properties(rssd_rss_client PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()

# The fast path's channel against a private rssd: by hand, refused, scribbled on, and rssd gone.
if(TARGET rssd AND TARGET psa-static)
  add_executable(test_fast_path ${CMAKE_CURRENT_LIST_DIR}/test_fast_path.c)
  target_link_libraries(test_fast_path PRIVATE ss_rssd_harness psa-static ss_comms
                        PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME rssd_fast_path COMMAND test_fast_path)
  set_tests_properties(rssd_fast_path PROPERTIES TIMEOUT 600)
endif()

# Streamed calls on the fast path: every algorithm of the calls that read their input as it
# arrives, fed by libpsa and by a slow client by hand; calls that wait for all of it; a stall.
if(TARGET rssd AND TARGET psa-static)
  add_executable(test_fast_stream ${CMAKE_CURRENT_LIST_DIR}/test_fast_stream.c)
  target_link_libraries(test_fast_stream PRIVATE ss_rssd_harness psa-static ss_comms
                        PkgConfig::CMOCKA)
  add_test(NAME rssd_fast_stream COMMAND test_fast_stream)
  set_tests_properties(rssd_fast_stream PROPERTIES TIMEOUT 600)
endif()
