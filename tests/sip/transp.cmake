# Until the SIP codec (branch sipcodec) is on main, the transport tests link
# a test-only stand-in for sip_msg_decode / sip_frame / sip_frame_crlf /
# sip_msg_can_reply. Found by looking for sip_frame() in src/sip.
file(GLOB _sc_sip_src ${PROJECT_SOURCE_DIR}/src/sip/*.c)
set(_sc_have_codec FALSE)
foreach(f ${_sc_sip_src})
  file(STRINGS ${f} _hits REGEX "^int sip_frame\\(")
  if(_hits)
    set(_sc_have_codec TRUE)
  endif()
endforeach()
foreach(t test_sip_transp test_sip_transp_ws)
  if(NOT _sc_have_codec AND TARGET ${t})
    target_sources(${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/transp_codec_stub.c)
  endif()
endforeach()

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
