# Storage crash test: SIGKILL a writer after N acks or inside a storage call; every acknowledged
# write survives, nothing is torn (a count of writes, not a clock, decides where it dies).
add_executable(crash_storage ${CMAKE_CURRENT_LIST_DIR}/crash_storage.c
                             ${CMAKE_CURRENT_LIST_DIR}/crash_io.c)
target_link_libraries(crash_storage PRIVATE ss_storage)
add_test(NAME storage_integration_crash COMMAND crash_storage)
set_tests_properties(storage_integration_crash PROPERTIES TIMEOUT 900)
