# Until the SIP codec (branch sipcodec) is on main, test_transp links a
# test-only stand-in for sip_msg_decode / sip_frame / sip_frame_crlf /
# sip_msg_can_reply. Found by looking for sip_frame() in src/sip.
file(GLOB _sc_sip_src ${PROJECT_SOURCE_DIR}/src/sip/*.c)
set(_sc_have_codec FALSE)
foreach(f ${_sc_sip_src})
  file(STRINGS ${f} _hits REGEX "^int sip_frame\\(")
  if(_hits)
    set(_sc_have_codec TRUE)
  endif()
endforeach()
if(NOT _sc_have_codec AND TARGET test_sip_transp)
  target_sources(test_sip_transp PRIVATE
                 ${CMAKE_CURRENT_LIST_DIR}/transp_codec_stub.c)
endif()
