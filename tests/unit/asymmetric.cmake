# Asymmetric key formats, signatures, encryption and key agreement, through libpsa-local.
add_executable(test_asymmetric ${CMAKE_CURRENT_LIST_DIR}/test_asymmetric.c)
target_link_libraries(test_asymmetric PRIVATE psa-local-static PkgConfig::CMOCKA)
add_test(NAME test_asymmetric COMMAND test_asymmetric)

# The Edwards-curve module on its own (internal functions: linked against the core library).
add_executable(test_edwards ${CMAKE_CURRENT_LIST_DIR}/test_edwards.c)
target_link_libraries(test_edwards PRIVATE ss_crypto_core PkgConfig::CMOCKA)
add_test(NAME test_edwards COMMAND test_edwards)
