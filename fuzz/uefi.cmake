# Fuzz harnesses for the UEFI variable service: MM/SMM messages through smm_serve, the
# authentication descriptors and signature lists, the stored index.
if(TARGET ss_uefi AND TARGET psa-local-static)
  add_executable(fuzz_smm_serve ${CMAKE_CURRENT_LIST_DIR}/fuzz_smm_serve.c)
  target_link_libraries(fuzz_smm_serve PRIVATE ss_uefi psa-local-static)
  target_link_options(fuzz_smm_serve PRIVATE -fsanitize=fuzzer)
endif()
if(TARGET ss_uefi)
  foreach(h fuzz_var_auth fuzz_var_index)
    add_executable(${h} ${CMAKE_CURRENT_LIST_DIR}/${h}.c)
    target_link_libraries(${h} PRIVATE ss_uefi)
    target_link_options(${h} PRIVATE -fsanitize=fuzzer)
  endforeach()
endif()
