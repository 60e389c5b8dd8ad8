# psa-tool against a private rssd (with_rssd.sh): interoperability with the openssl command,
# AEAD files, 1 MiB ITS/PS objects through stdin/stdout, errors and --help; in both routing modes.
find_program(SS_OPENSSL_PROGRAM openssl)
if(TARGET psa-tool AND TARGET rssd AND TARGET psa-static AND SS_OPENSSL_PROGRAM)
  foreach(mode enclave split)
    add_test(NAME psa_tool_rssd_${mode}
             COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                     sh ${CMAKE_CURRENT_LIST_DIR}/psa_tool.sh $<TARGET_FILE:psa-tool>)
    set_tests_properties(psa_tool_rssd_${mode} PROPERTIES
                         ENVIRONMENT "PSA_ROUTING=${mode}" TIMEOUT 600)
  endforeach()
endif()
