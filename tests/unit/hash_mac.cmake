# Hash and MAC tests, through libpsa-local's public API.
foreach(t test_hash test_mac)
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME ${t} COMMAND ${t})
endforeach()
# In-process only: the check that MD4 leaves the default OpenSSL library context untouched.
target_compile_definitions(test_hash PRIVATE SS_TEST_IN_PROCESS)
target_link_libraries(test_hash PRIVATE OpenSSL::Crypto)
