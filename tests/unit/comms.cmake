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
