# stun/: MESSAGE-INTEGRITY needs HMAC-SHA1 (and MD5 for long-term keys).
target_link_libraries(sc_stun PUBLIC OpenSSL::Crypto)
