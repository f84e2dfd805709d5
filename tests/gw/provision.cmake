# test_provision runs the real http server (tests/http/harness.c: lws on
# the test's loop, a raw OpenSSL client in a helper thread) and a real
# store in a temporary directory.
if(TARGET test_gw_provision)
  target_sources(test_gw_provision PRIVATE
                 ${PROJECT_SOURCE_DIR}/tests/http/harness.c)
  target_include_directories(test_gw_provision PRIVATE
                             ${PROJECT_SOURCE_DIR}/tests/http)
  target_link_libraries(test_gw_provision PRIVATE OpenSSL::SSL
                        OpenSSL::Crypto Threads::Threads)
  set_tests_properties(gw_provision PROPERTIES TIMEOUT 120)
endif()
