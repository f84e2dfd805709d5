# store: libsodium (AEAD sealing, guarded key memory) and libzxcvbn
# (password strength; no pkg-config file: plain -lzxcvbn -lm).
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET GLOBAL libsodium)
target_link_libraries(sc_store PUBLIC PkgConfig::SODIUM zxcvbn m)
