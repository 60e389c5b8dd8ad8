# parsecd against a real rssd: the independent Rust client (Debian's parsec-interface,
# built offline with /usr/bin/cargo) and the key-name store crash test.
if(TARGET parsecd AND TARGET rssd AND TARGET se-proxy)

  find_program(DEBIAN_CARGO cargo PATHS /usr/bin NO_DEFAULT_PATH)
  if(DEBIAN_CARGO)
    set(PARSEC_CLIENT_DIR ${PROJECT_SOURCE_DIR}/tests/parsec-client)
    set(PARSEC_CLIENT_BIN ${CMAKE_BINARY_DIR}/parsec-client/debug/parsec-conformance)
    # Offline, from /usr/share/cargo/registry only (tests/parsec-client/.cargo/config.toml),
    # with a private CARGO_HOME so no user configuration or cache is involved.
    add_custom_command(
      OUTPUT ${PARSEC_CLIENT_BIN}
      COMMAND ${CMAKE_COMMAND} -E env CARGO_HOME=${CMAKE_BINARY_DIR}/cargo-home
              CARGO_TARGET_DIR=${CMAKE_BINARY_DIR}/parsec-client
              ${DEBIAN_CARGO} build --offline --quiet -j2
      WORKING_DIRECTORY ${PARSEC_CLIENT_DIR}
      DEPENDS ${PARSEC_CLIENT_DIR}/Cargo.toml ${PARSEC_CLIENT_DIR}/src/main.rs
      COMMENT "cargo (Debian, offline): parsec-conformance client"
      VERBATIM)
    add_custom_target(parsec_conformance_client ALL DEPENDS ${PARSEC_CLIENT_BIN})
    add_test(NAME parsec_conformance
             COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                     sh ${CMAKE_CURRENT_LIST_DIR}/with_se_proxy.sh $<TARGET_FILE:se-proxy>
                     ${CMAKE_CURRENT_LIST_DIR}/parsec_conformance.sh
                     $<TARGET_FILE:parsecd> ${PARSEC_CLIENT_BIN})
    set_tests_properties(parsec_conformance PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77 ENVIRONMENT
                         "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
  else()
    message(WARNING "Debian's /usr/bin/cargo missing: parsec_conformance not built "
                    "(scripts/setup.sh installs it)")
  endif()
endif()

# The key-name store under SIGKILL (see the file's header for the invariants).
if(TARGET parsecd AND TARGET se-proxy)
  add_executable(test_parsec_crash ${CMAKE_CURRENT_LIST_DIR}/test_parsec_crash.c)
  target_link_libraries(test_parsec_crash PRIVATE ss_parsec psa-static)
  add_test(NAME parsec_crash
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   sh ${CMAKE_CURRENT_LIST_DIR}/with_se_proxy.sh $<TARGET_FILE:se-proxy>
                   $<TARGET_FILE:test_parsec_crash> $<TARGET_FILE:parsecd>)
  set_tests_properties(parsec_crash PROPERTIES TIMEOUT 600 ENVIRONMENT
                       "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()

# parsecd's stream transport on the daemon core (framing, timeout, max_connections, stalls).
if(TARGET parsecd AND TARGET rssd AND TARGET se-proxy)
  add_executable(test_parsecd ${CMAKE_CURRENT_LIST_DIR}/test_parsecd.c)
  target_link_libraries(test_parsecd PRIVATE PkgConfig::CMOCKA)
  add_test(NAME parsec_daemon
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/with_rssd.sh $<TARGET_FILE:rssd>
                   sh ${CMAKE_CURRENT_LIST_DIR}/with_se_proxy.sh $<TARGET_FILE:se-proxy>
                   $<TARGET_FILE:test_parsecd> $<TARGET_FILE:parsecd>)
  set_tests_properties(parsec_daemon PROPERTIES TIMEOUT 300 ENVIRONMENT
                       "RSSD_POLICY=${CMAKE_CURRENT_LIST_DIR}/root-forwarder.policy")
endif()
