# PAKE (EC J-PAKE) tests through libpsa-local's public API.
add_executable(test_pake ${CMAKE_CURRENT_LIST_DIR}/test_pake.c)
target_link_libraries(test_pake PRIVATE psa-local-static PkgConfig::CMOCKA Threads::Threads)
add_test(NAME test_pake COMMAND test_pake)

# Interoperability with Mbed TLS's EC J-PAKE (mbedtls_ecjpake_*), built only where an installed
# libmbedcrypto has it: Debian 12's libmbedtls-dev is built without MBEDTLS_ECJPAKE_C, so there
# this test is skipped (with a message) rather than failing to link.
include(CheckLibraryExists)
find_path(SS_MBEDTLS_INCLUDE_DIR mbedtls/ecjpake.h)
find_library(SS_MBEDCRYPTO_LIBRARY mbedcrypto)
if(SS_MBEDTLS_INCLUDE_DIR AND SS_MBEDCRYPTO_LIBRARY)
  check_library_exists(${SS_MBEDCRYPTO_LIBRARY} mbedtls_ecjpake_init "" SS_MBEDCRYPTO_HAS_ECJPAKE)
endif()
if(SS_MBEDCRYPTO_HAS_ECJPAKE)
  add_executable(test_pake_interop ${CMAKE_CURRENT_LIST_DIR}/test_pake_interop.c)
  target_include_directories(test_pake_interop SYSTEM PRIVATE ${SS_MBEDTLS_INCLUDE_DIR})
  target_link_libraries(test_pake_interop PRIVATE psa-local-static ${SS_MBEDCRYPTO_LIBRARY}
                        PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME test_pake_interop COMMAND test_pake_interop)
else()
  message(STATUS "No Mbed TLS with EC J-PAKE: test_pake_interop is not built")
endif()
