# store: libsodium (AEAD sealing, guarded key memory), libzxcvbn
# (password strength; no pkg-config file: plain -lzxcvbn -lm) and SQLite
# (the embedded database).
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET GLOBAL libsodium)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET GLOBAL sqlite3)
target_link_libraries(sc_store PUBLIC PkgConfig::SODIUM PkgConfig::SQLITE3
                      zxcvbn m)
# libqrencode: the QR code `sipcloak device link` prints (used by gw, which
# links sc_store).
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET GLOBAL libqrencode)
target_link_libraries(sc_store PUBLIC PkgConfig::QRENCODE)
