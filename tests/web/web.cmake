# Browser tests of the web softphone: headless Chromium (playwright-core from
# tests/integration/node_modules) against the program built here and its app
# in <build>/web. Artifacts of a failure: <build>/web-test-artifacts/<test>.
if(TARGET sipcloak) # the target web comes later (web/CMakeLists.txt)
  add_test(NAME web_onboard
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/onboard.sh
                   $<TARGET_FILE:sipcloak>
                   ${PROJECT_BINARY_DIR}/web-test-artifacts/onboard)
  set_tests_properties(web_onboard PROPERTIES TIMEOUT 300)
endif()
# Calls with the app itself: *43, two tabs, decline, sipp as the PBX.
if(TARGET sipcloak)
  add_test(NAME web_calls
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/phones.sh
                   $<TARGET_FILE:sipcloak>
                   ${PROJECT_BINARY_DIR}/web-test-artifacts/calls calls.mjs)
  set_tests_properties(web_calls PROPERTIES TIMEOUT 300)
endif()
# Notification and ringtone, keyboard and layout, sleep and a lost
# WebSocket (in a call too), blind transfer from the UI.
if(TARGET sipcloak)
  add_test(NAME web_features
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/phones.sh
                   $<TARGET_FILE:sipcloak>
                   ${PROJECT_BINARY_DIR}/web-test-artifacts/features features.mjs)
  set_tests_properties(web_features PROPERTIES TIMEOUT 300)
endif()
