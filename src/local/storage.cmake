# libpsa-local's ITS and PS entry points; included by src/local/CMakeLists.txt (links ss_storage).
list(APPEND PSA_LOCAL_SOURCES ${CMAKE_CURRENT_LIST_DIR}/storage_api.c)
