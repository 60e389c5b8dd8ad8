# The OpenSSL provider psa.so against a private rssd (with_rssd.sh), driven by Debian's openssl.
find_program(SS_OPENSSL_PROGRAM openssl)
if(TARGET psa-provider AND TARGET rssd AND TARGET psa-tool AND SS_OPENSSL_PROGRAM)
  set(ss_provider_env "OPENSSL_MODULES=$<TARGET_FILE_DIR:psa-provider>")
  if(SS_SANITIZE)
    # The openssl program is not instrumented: the sanitizer runtimes must come first for it to
    # load the instrumented psa.so.
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE ss_libasan OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
                    OUTPUT_VARIABLE ss_libubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND ss_provider_env "SS_OPENSSL_PRELOAD=${ss_libasan}:${ss_libubsan}")
  endif()
  add_test(NAME provider_cli
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   sh ${CMAKE_CURRENT_LIST_DIR}/provider_cli.sh $<TARGET_FILE:psa-tool>)
  set_tests_properties(provider_cli PROPERTIES ENVIRONMENT "${ss_provider_env}" TIMEOUT 600)
endif()

# From C: OSSL_STORE and EVP_PKEY_sign, the key still in rssd and never exported.
if(TARGET psa-provider AND TARGET rssd AND TARGET psa)
  add_executable(test_provider_store ${CMAKE_CURRENT_LIST_DIR}/test_provider_store.c)
  target_link_libraries(test_provider_store PRIVATE psa OpenSSL::Crypto PkgConfig::CMOCKA
                        ${CMAKE_DL_LIBS})
  target_compile_definitions(test_provider_store PRIVATE
                             PSA_PROVIDER_DIR="$<TARGET_FILE_DIR:psa-provider>")
  # Its psa_export_key, which counts calls, is the one the provider's references bind to.
  set_target_properties(test_provider_store PROPERTIES ENABLE_EXPORTS ON)
  add_dependencies(test_provider_store psa-provider)
  add_test(NAME provider_store
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   $<TARGET_FILE:test_provider_store>)
  set_tests_properties(provider_store PROPERTIES TIMEOUT 300)
endif()
