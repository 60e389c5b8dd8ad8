# rssd as a program (rssd_daemon.sh): defaults for an ordinary user, the state lock, SIGHUP,
# pid/log files, journal format, syslog, socket activation, sd_notify, --version, option errors,
# and a system rssd serving users who set nothing (as root, in private mount namespaces).
if(TARGET rssd AND TARGET psa-static)
  add_executable(rss_probe ${CMAKE_CURRENT_LIST_DIR}/rss_probe.c)
  target_link_libraries(rss_probe PRIVATE psa-static)

  set(SS_DAEMON_CASES version options user-defaults sighup files journal activation notify
                      system syslog)
  foreach(c ${SS_DAEMON_CASES})
    add_test(NAME rssd_daemon_${c}
             COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/rssd_daemon.sh ${c} $<TARGET_FILE:rssd>
                     $<TARGET_FILE:rss_probe> ${PROJECT_VERSION}
                     $<$<TARGET_EXISTS:psa-api-test>:$<TARGET_FILE:psa-api-test>>
                     $<$<TARGET_EXISTS:psa-api-test-local>:$<TARGET_FILE:psa-api-test-local>>)
    set_tests_properties(rssd_daemon_${c} PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
  endforeach()
endif()
