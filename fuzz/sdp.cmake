# Fuzz target of the SDP codec: parse, audio description, answer encode.
sc_fuzz(NAME sdp LIBS sc_sdp)
