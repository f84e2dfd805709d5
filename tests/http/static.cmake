# test_static runs the real server and raw client of harness.c, like the
# other http tests (http.cmake).
if(TARGET test_http_static)
  target_sources(test_http_static PRIVATE ${CMAKE_CURRENT_LIST_DIR}/harness.c)
  target_link_libraries(test_http_static PRIVATE OpenSSL::SSL OpenSSL::Crypto
                        Threads::Threads)
endif()
