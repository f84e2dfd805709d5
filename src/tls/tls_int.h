/* tls_int.h: the TLS module's private structures (not for other modules). */
#ifndef SC_TLS_TLS_INT_H
#define SC_TLS_TLS_INT_H

#include <stdio.h>

#include <openssl/ssl.h>

#include "tls/tls.h"

struct tls_ctx {
	SSL_CTX *ssl;
	bool server;
	bool verify;
};

void tls_log_err(const char *what);

#endif
