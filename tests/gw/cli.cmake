# The sipcloak program's command line, tested through CTest by a shell
# script (tests/gw/cli_test.sh) against the built program.
if(TARGET sipcloak)
  add_test(NAME gw_cli
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh
                   $<TARGET_FILE:sipcloak>
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
endif()
# sc_test() runs tests in tests/ (its CMAKE_CURRENT_SOURCE_DIR), not in
# tests/gw/ as the docs say: these tests read configs/ relative to here.
set_tests_properties(gw_config gw_dispatch PROPERTIES WORKING_DIRECTORY
                     ${CMAKE_CURRENT_LIST_DIR})
