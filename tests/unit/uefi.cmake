# UEFI variable service unit tests (cmocka), the gateway in-process on libpsa-local.
if(TARGET ss_uefi AND TARGET psa-local-static)
  add_library(ss_uefi_test_util STATIC ${CMAKE_CURRENT_LIST_DIR}/uefi_test_util.c)
  target_link_libraries(ss_uefi_test_util PUBLIC ss_uefi psa-local-static)
  target_include_directories(ss_uefi_test_util PUBLIC ${CMAKE_CURRENT_LIST_DIR})

  add_executable(test_smm_gateway ${CMAKE_CURRENT_LIST_DIR}/test_smm_gateway.c)
  target_link_libraries(test_smm_gateway PRIVATE ss_uefi_test_util PkgConfig::CMOCKA)
  add_test(NAME uefi_unit_test_smm_gateway COMMAND test_smm_gateway)
endif()
