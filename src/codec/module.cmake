# codec: libopus for the Opus <-> G.711 transcoder (xcode.c); libm for the
# tone helpers.
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET GLOBAL opus)
target_link_libraries(sc_codec PUBLIC PkgConfig::OPUS m)
