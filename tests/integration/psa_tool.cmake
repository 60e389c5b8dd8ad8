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
# The same tests through psa-tool --via ts: psa-tool-ts, libts, a private se-proxy, rssd.
if(TARGET psa-tool AND TARGET psa-tool-ts AND TARGET se-proxy AND TARGET rssd AND
   SS_OPENSSL_PROGRAM)
  add_test(NAME psa_tool_ts
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   sh ${CMAKE_CURRENT_LIST_DIR}/with_se_proxy.sh $<TARGET_FILE:se-proxy>
                   sh ${CMAKE_CURRENT_LIST_DIR}/psa_tool.sh
                   ${CMAKE_CURRENT_LIST_DIR}/psa_tool_via_ts.sh)
  set_tests_properties(psa_tool_ts PROPERTIES TIMEOUT 600 ENVIRONMENT
                       "PSA_TOOL=$<TARGET_FILE:psa-tool>;PSA_TOOL_TEST_VIA=ts;RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()

# psa-tool streaming a 64 MiB file (four times the bound) in at most 16 MiB resident, in both
# routing modes. /usr/bin/time measures the peak RSS; sanitized builds report it without the
# bound (their shadow memory and allocator alone exceed it).
find_program(SS_TIME_PROGRAM time PATHS /usr/bin NO_DEFAULT_PATH)
if(TARGET psa-tool AND TARGET rssd AND TARGET psa-static AND SS_OPENSSL_PROGRAM AND
   SS_TIME_PROGRAM)
  if(SS_SANITIZE OR SS_FUZZ)
    set(SS_STREAM_BOUND_KIB 0)
  else()
    set(SS_STREAM_BOUND_KIB 16384)
  endif()
  foreach(mode enclave split)
    add_test(NAME psa_tool_stream_${mode}
             COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                     sh ${CMAKE_CURRENT_LIST_DIR}/psa_tool_stream.sh $<TARGET_FILE:psa-tool>
                     64 ${SS_STREAM_BOUND_KIB})
    set_tests_properties(psa_tool_stream_${mode} PROPERTIES
                         ENVIRONMENT "PSA_ROUTING=${mode}" TIMEOUT 900)
  endforeach()
endif()
