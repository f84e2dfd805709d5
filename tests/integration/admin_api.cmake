# The admin API end to end through the built program (CLI tokens, `serve`,
# curl and JsSIP in Node).
if(TARGET sipcloak)
  add_test(NAME integration_admin_api
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/admin_api.sh
                   $<TARGET_FILE:sipcloak>)
  set_tests_properties(integration_admin_api PROPERTIES TIMEOUT 180)
endif()
