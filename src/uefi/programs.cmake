# smm-gateway keeps the variables in its own PS partition in rssd (libpsa); psa-efivarfs (FUSE)
# and uefi-var are its clients over the gateway's socket.
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)
if(TARGET psa-static AND TARGET ss_daemon)
  add_executable(smm-gateway ${PROJECT_SOURCE_DIR}/tools/smm-gateway/smm_gateway.c)
  target_link_libraries(smm-gateway PRIVATE ss_uefi ss_daemon psa-static ss_version
                                            Threads::Threads)
  install(TARGETS smm-gateway RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
endif()
add_executable(psa-efivarfs ${CMAKE_CURRENT_LIST_DIR}/efivarfs.c)
target_link_libraries(psa-efivarfs PRIVATE ss_uefi PkgConfig::FUSE3)
add_executable(uefi-var ${PROJECT_SOURCE_DIR}/tools/uefi-var/main.c)
target_link_libraries(uefi-var PRIVATE ss_uefi)
install(TARGETS psa-efivarfs uefi-var RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
