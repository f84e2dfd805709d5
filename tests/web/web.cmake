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
