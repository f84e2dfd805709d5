# srtp_bench: SRTP protect/unprotect ns per packet, msrtp (media/srtp*.c)
# next to libsrtp2 in the same run (BENCHMARKS.md, "SRTP").
pkg_check_modules(SRTP2 IMPORTED_TARGET libsrtp2)
if(SRTP2_FOUND)
  add_executable(srtp_bench srtp_bench.c)
  target_link_libraries(srtp_bench PRIVATE sc_media PkgConfig::SRTP2)
endif()
