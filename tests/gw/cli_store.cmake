# The user, device and key commands of the built program against a real
# store in a temporary directory, with a scan for leaked secrets
# (tests/gw/cli_store_test.sh).
if(TARGET sipcloak)
  add_test(NAME gw_cli_store
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_store_test.sh
                   $<TARGET_FILE:sipcloak>
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
endif()
