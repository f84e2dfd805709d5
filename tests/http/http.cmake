# The http tests run a real lws server and a raw OpenSSL client (harness.c)
# in one process; the client runs in a helper thread.
foreach(t ws https)
  if(TARGET test_http_${t})
    target_sources(test_http_${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/harness.c)
    target_link_libraries(test_http_${t} PRIVATE OpenSSL::SSL OpenSSL::Crypto
                          Threads::Threads)
  endif()
endforeach()
