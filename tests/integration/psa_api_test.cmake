# psa-api-test under CTest: psa-api-test-local on a temporary PSA_STATE_DIR, psa-api-test
# (libpsa) through a private rssd in each routing mode, and psa-api-test-ts (libpsa-ts) through
# se-proxy. Every run is made twice on the same state,
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

# psa-api-test-ts (libpsa-ts): through libts and a private se-proxy to a private rssd whose
# policy names root (se-proxy's uid here) a forwarder -- the Primary Compute path.
if(TARGET psa-api-test-ts AND TARGET se-proxy AND TARGET rssd)
  add_test(NAME psa_api_test_ts
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   sh ${CMAKE_CURRENT_LIST_DIR}/with_se_proxy.sh $<TARGET_FILE:se-proxy>
                   sh -c "\"$0\" all && \"$0\" all" $<TARGET_FILE:psa-api-test-ts>)
  set_tests_properties(psa_api_test_ts PROPERTIES TIMEOUT 600 ENVIRONMENT
                       "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()
