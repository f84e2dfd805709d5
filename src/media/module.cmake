# OpenSSL libcrypto for SRTP/SRTCP (srtp*.c); one line per need.
target_link_libraries(sc_media PUBLIC OpenSSL::Crypto)
# liburing for the workers' batched socket I/O (mio.c).
pkg_check_modules(URING REQUIRED IMPORTED_TARGET GLOBAL liburing)
target_link_libraries(sc_media PUBLIC PkgConfig::URING)
