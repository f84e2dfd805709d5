# The libsrtp2 cross-check (test_srtp_libsrtp.c, CTest media_srtp_libsrtp)
# links Debian's libsrtp2 in that test alone; without it the test skips.
pkg_check_modules(SRTP2 IMPORTED_TARGET libsrtp2)
if(SRTP2_FOUND)
  target_link_libraries(test_media_srtp_libsrtp PRIVATE PkgConfig::SRTP2)
  target_compile_definitions(test_media_srtp_libsrtp PRIVATE
                             SC_HAVE_LIBSRTP2)
endif()
