# UEFI variables: SetVariable/GetVariable through smm-gateway against direct PS calls of the same
# size, both through rssd (needs a running rssd at $RSS_SOCKET and smm-gateway at
# $SMM_GATEWAY_SOCKET).
if(TARGET ss_uefi AND TARGET psa-static)
  add_executable(uefi_bench ${CMAKE_CURRENT_LIST_DIR}/uefi_bench.c)
  target_link_libraries(uefi_bench PRIVATE ss_uefi psa-static)
  target_include_directories(uefi_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
endif()
