# ss_install_configured(): installs a file configured when it is installed, so that the prefix it
# names is the one given to `cmake --install --prefix DIR`, not the one of the configure run.
#
# Templates use @ONLY substitutions: @SS_VERSION@, @SS_PREFIX@ (the install prefix),
# @SS_FULL_<DIR>@ (the absolute directory) and @SS_PC_<DIR>@ (the same as pkg-config writes it:
# ${prefix}/<dir>, or the absolute directory when it was configured absolute) for DIR in
# BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR DOCDIR.
set(SS_INSTALL_CONFIGURED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/SSInstallConfigured.cmake)

function(ss_install_configured template destination)
  get_filename_component(name "${template}" NAME)
  string(REGEX REPLACE "\\.in$" "" name "${name}")
  set(staged "${CMAKE_CURRENT_BINARY_DIR}/install-time/${name}")
  string(CONCAT code "set(SS_TEMPLATE [[${template}]])\n"
                     "set(SS_STAGED [[${staged}]])\n"
                     "set(SS_DESTINATION [[${destination}]])\n"
                     "set(SS_VERSION [[${PROJECT_VERSION}]])\n")
  foreach(dir BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR DOCDIR)
    string(APPEND code "set(SS_${dir} [[${CMAKE_INSTALL_${dir}}]])\n")
  endforeach()
  string(APPEND code "include([[${SS_INSTALL_CONFIGURED_SCRIPT}]])\n")
  install(CODE "${code}")
endfunction()
