# Key management and policy tests.
add_executable(test_keys ${CMAKE_CURRENT_LIST_DIR}/test_keys.c)
target_link_libraries(test_keys PRIVATE psa-local-static PkgConfig::CMOCKA)
add_test(NAME test_keys COMMAND test_keys)

add_executable(test_policy ${CMAKE_CURRENT_LIST_DIR}/test_policy.c)
target_link_libraries(test_policy PRIVATE ss_crypto_core PkgConfig::CMOCKA)
add_test(NAME test_policy COMMAND test_policy)

# The key store's memory rules (CACHE usage, destroy while held) on the core, with a mock storage.
add_executable(test_key_store ${CMAKE_CURRENT_LIST_DIR}/test_key_store.c)
target_link_libraries(test_key_store PRIVATE ss_crypto_core PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_key_store COMMAND test_key_store)
