# The credential store's entry points that take client bytes: the
# provisioning token lookup and the digest HA1 callback (owner: store).
sc_fuzz(NAME store_auth LIBS sc_store)
