# UEFI variables: SetVariable/GetVariable through smm_serve against direct PS calls of the same
# size, both through rssd (needs a running rssd at $RSS_SOCKET, as the main job provides).
if(TARGET ss_uefi AND TARGET psa-static)
  add_executable(uefi_bench ${CMAKE_CURRENT_LIST_DIR}/uefi_bench.c)
  target_link_libraries(uefi_bench PRIVATE ss_uefi psa-static)
  target_include_directories(uefi_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
endif()
