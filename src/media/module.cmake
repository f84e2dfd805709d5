# OpenSSL libcrypto for SRTP/SRTCP (srtp*.c); one line per need.
target_link_libraries(sc_media PUBLIC OpenSSL::Crypto)
