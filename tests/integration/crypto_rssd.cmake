# The crypto test programs and KAT drivers again, linked against libpsa and run through a private
# rssd (with_rssd.sh), once per routing mode; plus the crypto service's own tests.
set(SS_WITH_RSSD ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh)

# Unit test programs of the crypto API (tests/unit) and KAT drivers (tests/vectors): the same
# sources as their libpsa-local builds, linked against psa-static instead.
set(SS_RSSD_CRYPTO_UNIT test_keys test_hash test_mac test_cipher test_aead test_kdf
                        test_asymmetric test_pake)
set(SS_RSSD_CRYPTO_KAT kat_hash_mac kat_cipher_aead kat_kdf kat_asymmetric)

if(TARGET rssd AND TARGET psa-static)
  foreach(t ${SS_RSSD_CRYPTO_UNIT})
    if(EXISTS ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c)
      add_executable(rssd_${t} ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c)
      target_link_libraries(rssd_${t} PRIVATE psa-static PkgConfig::CMOCKA Threads::Threads)
      list(APPEND SS_RSSD_CRYPTO_PROGRAMS ${t})
    endif()
  endforeach()
  foreach(t ${SS_RSSD_CRYPTO_KAT})
    if(EXISTS ${PROJECT_SOURCE_DIR}/tests/vectors/${t}.c)
      add_executable(rssd_${t} ${PROJECT_SOURCE_DIR}/tests/vectors/${t}.c)
      # OpenSSL: the drivers that check against code we did not write (kat_kdf: KBKDF).
      target_link_libraries(rssd_${t} PRIVATE psa-static ss_vectors Threads::Threads
                                              OpenSSL::Crypto)
      list(APPEND SS_RSSD_CRYPTO_PROGRAMS ${t})
    endif()
  endforeach()

  # Through-rssd behaviour of the crypto service itself: raw psa_call error paths, handles across
  # processes, the operation limit, sessions released when a process exits.
  add_executable(test_crypto_rssd ${CMAKE_CURRENT_LIST_DIR}/test_crypto_rssd.c)
  target_link_libraries(test_crypto_rssd PRIVATE psa-static PkgConfig::CMOCKA Threads::Threads)
  list(APPEND SS_RSSD_CRYPTO_PROGRAMS crypto_rssd)
  set_target_properties(test_crypto_rssd PROPERTIES OUTPUT_NAME rssd_crypto_rssd)

  foreach(t ${SS_RSSD_CRYPTO_PROGRAMS})
    set(exe rssd_${t})
    if(t STREQUAL "crypto_rssd")
      set(exe test_crypto_rssd)
    endif()
    foreach(mode enclave split)
      add_test(NAME rssd_${mode}_${t}
               COMMAND ${SS_WITH_RSSD} $<TARGET_FILE:rssd> $<TARGET_FILE:${exe}>)
      set_tests_properties(rssd_${mode}_${t} PROPERTIES ENVIRONMENT "PSA_ROUTING=${mode}"
                           TIMEOUT 600)
    endforeach()
  endforeach()
endif()

# The crypto service in-process (no daemon): call table, codecs and every error path.
if(TARGET ss_enclave)
  add_executable(test_crypto_service ${CMAKE_CURRENT_LIST_DIR}/test_crypto_service.c)
  target_link_libraries(test_crypto_service PRIVATE ss_enclave PkgConfig::CMOCKA)
  add_test(NAME test_crypto_service COMMAND test_crypto_service)
endif()
