# digest.c calls libcrypto directly (EVP digests, HMAC). sc_sip gets OpenSSL
# through sc_tls once tls/ has sources; until then link it here (harmless
# duplicate afterwards).
target_link_libraries(test_sip_digest PRIVATE OpenSSL::Crypto)
