# PAKE (EC J-PAKE) tests through libpsa-local's public API.
add_executable(test_pake ${CMAKE_CURRENT_LIST_DIR}/test_pake.c)
target_link_libraries(test_pake PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_pake COMMAND test_pake)
