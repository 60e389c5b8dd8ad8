# psa-api-test under CTest: psa-api-test-local on a temporary PSA_STATE_DIR, and psa-api-test
# (libpsa) through a private rssd in each routing mode. Every run is made twice on the same state,
# as the suites must clean up after themselves.
if(TARGET psa-api-test-local)
  add_test(NAME psa_api_test_local
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/psa_api_test_local.sh
                   $<TARGET_FILE:psa-api-test-local>)
  set_tests_properties(psa_api_test_local PROPERTIES TIMEOUT 600)
endif()

if(TARGET psa-api-test AND TARGET rssd)
  foreach(mode enclave split)
    add_test(NAME psa_api_test_rssd_${mode}
             COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                     sh -c "\"$0\" all && \"$0\" all" $<TARGET_FILE:psa-api-test>)
    set_tests_properties(psa_api_test_rssd_${mode} PROPERTIES
                         ENVIRONMENT "PSA_ROUTING=${mode}" TIMEOUT 600)
  endforeach()
endif()
