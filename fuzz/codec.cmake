# Fuzz target of the audio codecs: the Opus <-> G.711 transcoder.
sc_fuzz(NAME xcode LIBS sc_codec)
