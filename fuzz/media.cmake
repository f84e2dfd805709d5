# Fuzz targets of the media codecs: STUN, RTP, RTCP, SRTP/SRTCP.
sc_fuzz(NAME stun LIBS sc_stun)
sc_fuzz(NAME rtp LIBS sc_media)
sc_fuzz(NAME rtcp LIBS sc_media)
sc_fuzz(NAME srtp LIBS sc_media)
