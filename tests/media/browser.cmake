# Browser media test: headless Chromium (playwright-core) sends a fake
# microphone tone over DTLS-SRTP to the media engine run by media_peer,
# which plays the plain RTP peer and echoes; once as PCMU pass-through,
# once transcoded Opus <-> PCMU.
add_executable(media_peer ${CMAKE_CURRENT_LIST_DIR}/media_peer.c)
target_link_libraries(media_peer PRIVATE sc_media)
foreach(mode pcmu opus)
  add_test(NAME media_browser_${mode}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/browser/run.sh
                   $<TARGET_FILE:media_peer> ${mode}
                   ${CMAKE_CURRENT_BINARY_DIR}/media_browser_${mode})
  set_tests_properties(media_browser_${mode} PROPERTIES TIMEOUT 120)
endforeach()
