# UEFI variables end to end: Secure Boot enrolment with Debian's openssl and efitools.
if(TARGET ss_uefi_test_util)
  add_executable(test_uefi_secure_boot ${CMAKE_CURRENT_LIST_DIR}/test_uefi_secure_boot.c)
  target_link_libraries(test_uefi_secure_boot PRIVATE ss_uefi_test_util PkgConfig::CMOCKA)
  add_test(NAME uefi_integration_secure_boot COMMAND test_uefi_secure_boot)
  set_tests_properties(uefi_integration_secure_boot PROPERTIES TIMEOUT 300)
endif()

# Crash test: SIGKILL a SetVariable loop after a chosen number of acknowledged writes.
if(TARGET ss_uefi AND TARGET psa-local-static)
  add_executable(crash_uefi ${CMAKE_CURRENT_LIST_DIR}/crash_uefi.c)
  target_link_libraries(crash_uefi PRIVATE ss_uefi psa-local-static)
  add_test(NAME uefi_integration_crash COMMAND crash_uefi)
  set_tests_properties(uefi_integration_crash PROPERTIES TIMEOUT 300)
endif()

# Debian's efivar, efibootmgr, lsattr/chattr and efitools on a psa-efivarfs mount of smm-gateway
# over rssd;
# restarts of every daemon; uefi-var; two uids (root only: loop devices, set-uid children).
if(TARGET psa-efivarfs AND TARGET uefi-var AND TARGET rssd AND TARGET psa-tool AND
   TARGET smm-gateway)
  add_test(NAME uefi_integration_efivarfs
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/uefi_efivarfs.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:smm-gateway> $<TARGET_FILE:psa-efivarfs> $<TARGET_FILE:uefi-var> $<TARGET_FILE:psa-tool>)
  set_tests_properties(uefi_integration_efivarfs PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       RUN_SERIAL TRUE)
endif()

# smm-gateway's socket: U-Boot's layouts over a lent memfd, the error paths, the built-in policy,
# restarts and SIGKILL, libts's MM communicate caller, against a private rssd.
if(TARGET smm-gateway AND TARGET rssd AND TARGET ts)
  add_executable(test_smm_gateway_daemon ${CMAKE_CURRENT_LIST_DIR}/test_smm_gateway_daemon.c)
  target_link_libraries(test_smm_gateway_daemon PRIVATE ts ss_ts PkgConfig::CMOCKA)
  add_test(NAME uefi_integration_gateway
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:test_smm_gateway_daemon> $<TARGET_FILE:smm-gateway>)
  set_tests_properties(uefi_integration_gateway PROPERTIES TIMEOUT 300)
endif()
