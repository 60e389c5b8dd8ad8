# RSS comms codec unit tests (cmocka). Included by tests/unit/CMakeLists.txt.
if(TARGET ss_comms)
  add_executable(test_rss_msg ${CMAKE_CURRENT_LIST_DIR}/test_rss_msg.c)
  target_link_libraries(test_rss_msg PRIVATE ss_comms PkgConfig::CMOCKA)
  add_test(NAME comms_unit_test_rss_msg COMMAND test_rss_msg)
endif()

# rssd's policy file parser.
if(TARGET ss_daemon)
  add_executable(test_policy_file ${CMAKE_CURRENT_LIST_DIR}/test_policy_file.c)
  target_link_libraries(test_policy_file PRIVATE ss_daemon PkgConfig::CMOCKA)
  add_test(NAME enclave_unit_test_policy_file COMMAND test_policy_file)
endif()

# The stream reply path of the daemons (rss_unix_send_stream).
if(TARGET ss_comms)
  add_executable(test_stream_send ${CMAKE_CURRENT_LIST_DIR}/test_stream_send.c)
  target_link_libraries(test_stream_send PRIVATE ss_comms PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME comms_unit_test_stream_send COMMAND test_stream_send)
endif()
