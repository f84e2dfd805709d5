# test_transp_ws runs a real http server and reuses the http tests' raw
# WSS client (tests/http/harness.c).
if(TARGET test_sip_transp_ws)
  target_sources(test_sip_transp_ws PRIVATE
                 ${PROJECT_SOURCE_DIR}/tests/http/harness.c)
  target_include_directories(test_sip_transp_ws PRIVATE
                             ${PROJECT_SOURCE_DIR}/tests/http)
  target_link_libraries(test_sip_transp_ws PRIVATE OpenSSL::SSL
                        OpenSSL::Crypto Threads::Threads)
endif()
