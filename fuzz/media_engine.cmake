# Fuzz target of the relay engine's per-packet input.
sc_fuzz(NAME media_demux LIBS sc_media)
