# psa-efivarfs (FUSE) and uefi-var: the variable service in-process on libpsa, so variables
# are kept in the caller's PS partition in rssd (until smm-gateway serves its socket).
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)
if(TARGET psa-static)
  add_executable(psa-efivarfs ${CMAKE_CURRENT_LIST_DIR}/efivarfs.c)
  target_link_libraries(psa-efivarfs PRIVATE ss_uefi psa-static PkgConfig::FUSE3)
  add_executable(uefi-var ${PROJECT_SOURCE_DIR}/tools/uefi-var/main.c)
  target_link_libraries(uefi-var PRIVATE ss_uefi psa-static)
  install(TARGETS psa-efivarfs uefi-var RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
