# Key derivation tests, through libpsa-local's public API.
add_executable(test_kdf ${CMAKE_CURRENT_LIST_DIR}/test_kdf.c)
target_link_libraries(test_kdf PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_kdf COMMAND test_kdf)
