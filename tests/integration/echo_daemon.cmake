# The daemon core (src/daemon) under a second protocol: a toy echo daemon, and the test that
# drives it (two clients, a session released on disconnect, a forwarder, a refused peer).
if(TARGET ss_daemon)
  add_executable(echo_daemon ${CMAKE_CURRENT_LIST_DIR}/echo_daemon.c)
  target_link_libraries(echo_daemon PRIVATE ss_daemon)
  add_executable(test_echo_daemon ${CMAKE_CURRENT_LIST_DIR}/test_echo_daemon.c)
  target_compile_definitions(test_echo_daemon PRIVATE
                             ECHO_DAEMON_PATH="$<TARGET_FILE:echo_daemon>")
  target_link_libraries(test_echo_daemon PRIVATE ss_comms PkgConfig::CMOCKA)
  add_dependencies(test_echo_daemon echo_daemon)
  add_test(NAME daemon_echo COMMAND test_echo_daemon)
  set_tests_properties(daemon_echo PROPERTIES TIMEOUT 300)
endif()
