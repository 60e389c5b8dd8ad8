# The install test (install_test.sh): cmake --install into a temporary prefix and a DESTDIR,
# programs built against it with pkg-config (shared and --static) and run without
# LD_LIBRARY_PATH. Not in sanitized or fuzzing builds, whose libraries need the sanitizer
# runtime in every program that links them.
find_program(SS_PKG_CONFIG_PROGRAM pkg-config)
if(NOT SS_SANITIZE AND NOT SS_FUZZ AND SS_PKG_CONFIG_PROGRAM AND TARGET psa AND TARGET psa-local
   AND TARGET rssd)
  add_test(NAME install_pkgconfig
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/install_test.sh ${PROJECT_BINARY_DIR}
                   ${CMAKE_C_COMPILER} ${PROJECT_SOURCE_DIR})
  set_tests_properties(install_pkgconfig PROPERTIES TIMEOUT 600)
endif()
