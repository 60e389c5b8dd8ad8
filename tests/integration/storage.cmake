# Storage crash test: SIGKILL a writer at random moments, check every acknowledged write survives.
add_executable(crash_storage ${CMAKE_CURRENT_LIST_DIR}/crash_storage.c)
target_link_libraries(crash_storage PRIVATE ss_storage)
add_test(NAME storage_integration_crash COMMAND crash_storage)
set_tests_properties(storage_integration_crash PROPERTIES TIMEOUT 120)
