# The libsrtp2 cross-check (test_srtp_libsrtp.c, CTest media_srtp_libsrtp)
# links Debian's libsrtp2 (libsrtp2-dev, a build dependency in
# scripts/deps.sh) in that test alone. It is required: a missing library is
# a configure error, not a skipped test.
pkg_check_modules(SRTP2 REQUIRED IMPORTED_TARGET libsrtp2)
target_link_libraries(test_media_srtp_libsrtp PRIVATE PkgConfig::SRTP2)
