# A one-time provisioning link end to end through the built program (CLI,
# then `serve` and Node's fetch).
if(TARGET sipcloak)
  add_test(NAME integration_provision
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/provision.sh
                   $<TARGET_FILE:sipcloak>)
  set_tests_properties(integration_provision PROPERTIES TIMEOUT 120)
endif()
