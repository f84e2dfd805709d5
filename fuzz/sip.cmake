# SIP message codec fuzz targets (owner: sipcodec).
sc_fuzz(NAME sip_msg LIBS sc_sip)
sc_fuzz(NAME sip_frame LIBS sc_sip)
