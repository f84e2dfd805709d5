# Fuzz targets of the media codecs: STUN, RTP, RTCP.
sc_fuzz(NAME stun LIBS sc_stun)
