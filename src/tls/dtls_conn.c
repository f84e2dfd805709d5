/* dtls_conn.c: one DTLS 1.2 association for DTLS-SRTP (RFC 6347,
 * RFC 5764): datagrams in and out through the caller, retransmission on
 * the caller's clock, the peer pinned by its SDP fingerprint (RFC 8122). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

#include "tls/dtls_int.h"

/* RFC 5764 section 4.2: the exporter label. */
static const char srtp_label[] = "EXTRACTOR-dtls_srtp";
/* Bytes read per SSL_read() of application data we then drop. */
#define DTLS_READ_CHUNK 2048

static void conn_destroy(void *data)
{
	struct dtls_conn *dc = data;

	SSL_free(dc->ssl); /* frees the BIO */
	mem_deref(dc->out);
	mem_deref(dc->flight);
	BIO_meth_free(dc->biom); /* after the BIO that used it */
}

/* Ends the connection with err; closeh runs once, after the pending
 * datagrams (an alert) went out. Returns err. */
static int fail(struct dtls_conn *dc, int err, const char *reason)
{
	if (dc->failed || dc->closed)
		return err;
	dc->failed = true;
	dc->deadline = 0;
	snprintf(dc->reason, sizeof(dc->reason), "%s", reason);
	dtls_flush(dc);
	log_debug("dtls", "connection failed: %s", dc->reason);
	dc->closeh(err, dc->reason, dc->arg);
	return err;
}

/* A failure reported by OpenSSL: the fingerprint, or its own reason. */
static int fail_ssl(struct dtls_conn *dc, const char *what)
{
	char buf[TLS_ERR_MAX], reason[TLS_ERR_MAX];

	if (dc->fp_bad) {
		ERR_clear_error();
		return fail(dc, EACCES, "certificate fingerprint mismatch");
	}
	tls_err_str(buf, sizeof(buf));
	snprintf(reason, sizeof(reason), "%.40s: %.200s", what, buf);
	return fail(dc, EPROTO, reason);
}

static bool fp_matches(const struct dtls_conn *dc, X509 *crt)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!X509_digest(crt, dc->rfp_md, md, &n) || n != dc->rfp_len)
		return false;
	return !CRYPTO_memcmp(md, dc->rfp, dc->rfp_len); /* constant time */
}

/*
 * OpenSSL accepts any certificate through us (self-signed is the rule in
 * WebRTC); what pins the peer is the fingerprint of its end-entity
 * certificate against the one from its SDP (RFC 8122 section 5). When
 * that is not known yet the check waits for dtls_conn_set_remote_fp().
 */
int dtls_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
	    store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dtls_conn *dc = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *crt = X509_STORE_CTX_get_current_cert(store);

	(void)ok;
	if (!dc || !crt)
		return 0;
	if (X509_STORE_CTX_get_error_depth(store) > 0 || !dc->rfp_len)
		return 1;
	if (fp_matches(dc, crt))
		return 1;
	dc->fp_bad = true;
	return 0;
}

/* RFC 6347 section 4.2.4.1 on the caller's clock. OpenSSL calls this when
 * it starts a flight's timer (prev_us 0) and when it retransmits; the
 * returned duration also drives OpenSSL's own (wall clock) timer, so in
 * production both agree and OpenSSL retransmits with fresh records. */
static unsigned int timer_cb(SSL *ssl, unsigned int prev_us)
{
	struct dtls_conn *dc = SSL_get_app_data(ssl);

	if (!prev_us) {
		dc->rto_ms = dc->rto_init_ms;
		dc->tries = 1;
	} else {
		dc->rto_ms = SC_MIN(dc->rto_ms * 2, (uint32_t)DTLS_RTO_MAX_MS);
		dc->tries++;
	}
	dc->deadline = dc->now + dc->rto_ms;
	return dc->rto_ms * 1000u;
}

/* After each call into OpenSSL: no timer there, nothing to resend. */
static void sync_timer(struct dtls_conn *dc)
{
	struct timeval tv;

	if (dc->hs_done || !DTLSv1_get_timeout(dc->ssl, &tv))
		dc->deadline = 0;
}

int dtls_conn_alloc(struct dtls_conn **dcp, struct dtls_ctx *ctx, bool client,
		    const char *remote_fp, dtls_send_h *sendh,
		    dtls_estab_h *estabh, dtls_close_h *closeh, void *arg)
{
	struct dtls_conn *dc;
	BIO *bio;
	int err = 0;

	if (!dcp || !ctx || !sendh || !estabh || !closeh)
		return EINVAL;
	dc = mem_zalloc(sizeof(*dc), conn_destroy);
	if (!dc)
		return ENOMEM;
	dc->rto_init_ms = ctx->rto_init_ms;
	dc->client = client;
	dc->sendh = sendh;
	dc->estabh = estabh;
	dc->closeh = closeh;
	dc->arg = arg;
	if (remote_fp) {
		dc->rfp_len = sizeof(dc->rfp);
		err = dtls_fp_parse_md(dc->rfp, &dc->rfp_len, &dc->rfp_md,
				       remote_fp);
		if (err) {
			err = err == EINVAL ? EINVAL : EBADMSG;
			goto out;
		}
	}
	/* SSL_new() takes its own (atomic) reference on the SSL_CTX, so the
	 * connection needs nothing else of ctx. The BIO method is ours: it
	 * must outlive the BIO, whoever frees the context when. */
	dc->ssl = SSL_new(ctx->ssl);
	dc->biom = dtls_bio_method_new();
	bio = dc->biom ? BIO_new(dc->biom) : NULL;
	if (!dc->ssl || !bio) {
		BIO_free(bio);
		err = ENOMEM;
		goto out;
	}
	BIO_set_data(bio, dc);
	SSL_set_bio(dc->ssl, bio, bio); /* one reference, taken by ssl */
	SSL_set_app_data(dc->ssl, dc);
	SSL_set_options(dc->ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(dc->ssl, DTLS_MTU);
	DTLS_set_timer_cb(dc->ssl, timer_cb);
	if (client)
		SSL_set_connect_state(dc->ssl);
	else
		SSL_set_accept_state(dc->ssl);
out:
	if (err) {
		tls_log_err("DTLS connection");
		dc = mem_deref(dc);
	}
	*dcp = dc;
	return err;
}

/* RFC 5764 section 4.2: client key, server key, client salt, server
 * salt; ours are the client's when we are the client. */
static int export_keys(struct dtls_conn *dc, struct dtls_srtp_keys *k)
{
	const SRTP_PROTECTION_PROFILE *p =
	    SSL_get_selected_srtp_profile(dc->ssl);
	uint8_t km[2 * (32 + 14)];
	const uint8_t *ck, *sk, *cs, *ss;
	int err = 0;

	if (!p)
		return EPROTO;
	memset(k, 0, sizeof(*k));
	k->profile = (uint16_t)p->id;
	switch (p->id) {
	case DTLS_SRTP_AES128_CM_SHA1_80:
	case DTLS_SRTP_AES128_CM_SHA1_32:
		k->key_len = 16;
		k->salt_len = 14;
		break;
	case DTLS_SRTP_AEAD_AES_128_GCM: /* RFC 7714 section 12 */
		k->key_len = 16;
		k->salt_len = 12;
		break;
	case DTLS_SRTP_AEAD_AES_256_GCM:
		k->key_len = 32;
		k->salt_len = 12;
		break;
	default:
		return EPROTO;
	}
	if (SSL_export_keying_material(
		dc->ssl, km, 2 * (k->key_len + k->salt_len), srtp_label,
		sizeof(srtp_label) - 1, NULL, 0, 0) != 1) {
		err = EPROTO;
		goto out;
	}
	ck = km;
	sk = km + k->key_len;
	cs = km + 2 * k->key_len;
	ss = cs + k->salt_len;
	memcpy(k->local_key, dc->client ? ck : sk, k->key_len);
	memcpy(k->remote_key, dc->client ? sk : ck, k->key_len);
	memcpy(k->local_salt, dc->client ? cs : ss, k->salt_len);
	memcpy(k->remote_salt, dc->client ? ss : cs, k->salt_len);
out:
	mem_secure_zero(km, sizeof(km));
	return err;
}

/* The handshake is done: pin the peer, then hand out the keys. */
static int finish(struct dtls_conn *dc)
{
	struct dtls_srtp_keys keys;
	X509 *peer = SSL_get0_peer_certificate(dc->ssl);
	int err;

	if (!peer)
		return fail(dc, EACCES, "no peer certificate");
	if (!dc->rfp_len) {
		dc->wait_fp = true;
		return 0;
	}
	dc->wait_fp = false;
	if (!fp_matches(dc, peer))
		return fail(dc, EACCES, "certificate fingerprint mismatch");
	err = export_keys(dc, &keys);
	if (err)
		return fail(dc, EPROTO, "no DTLS-SRTP profile negotiated");
	dc->established = true;
	dc->deadline = 0;
	dtls_flush(dc);
	dc->estabh(&keys, dc->arg);
	mem_secure_zero(&keys, sizeof(keys));
	return 0;
}

static int handshake(struct dtls_conn *dc)
{
	int r, e;

	ERR_clear_error();
	dc->call++;
	r = SSL_do_handshake(dc->ssl);
	sync_timer(dc);
	if (r == 1) {
		dc->hs_done = true;
		dc->deadline = 0;
		return finish(dc);
	}
	e = SSL_get_error(dc->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	return fail_ssl(dc, "DTLS handshake");
}

/* After the handshake: only alerts and close_notify matter; application
 * data has no place in DTLS-SRTP and is dropped (counted). A
 * renegotiating ClientHello is refused inside OpenSSL
 * (SSL_OP_NO_RENEGOTIATION: a no_renegotiation warning). */
static int read_records(struct dtls_conn *dc)
{
	uint8_t buf[DTLS_READ_CHUNK];

	while (!dc->failed && !dc->closed) {
		int n, e;

		ERR_clear_error();
		dc->call++;
		n = SSL_read(dc->ssl, buf, sizeof(buf));
		if (n > 0) {
			dc->dropped++;
			continue;
		}
		e = SSL_get_error(dc->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return 0;
		if (e == SSL_ERROR_ZERO_RETURN) {
			dc->closed = true;
			dtls_flush(dc);
			dc->closeh(0, "close_notify", dc->arg);
			return ENOTCONN;
		}
		return fail_ssl(dc, "DTLS read");
	}
	return dc->failed ? EPROTO : ENOTCONN;
}

static int state_err(const struct dtls_conn *dc)
{
	if (dc->failed)
		return EPROTO;
	return dc->closed ? ENOTCONN : 0;
}

int dtls_conn_start(struct dtls_conn *dc, uint64_t now_ms)
{
	int err;

	if (!dc)
		return EINVAL;
	err = state_err(dc);
	if (err || !dc->client || dc->started)
		return err;
	dc->started = true;
	dc->now = now_ms;
	dc->hs_deadline = now_ms + DTLS_HANDSHAKE_MAX_MS;
	mem_ref(dc);
	err = handshake(dc);
	dtls_flush(dc);
	mem_deref(dc);
	return err;
}

int dtls_conn_recv(struct dtls_conn *dc, const uint8_t *buf, size_t len,
		   uint64_t now_ms)
{
	int err;

	if (!dc || !buf)
		return EINVAL;
	err = state_err(dc);
	if (err)
		return err;
	/* RFC 7983 section 7: DTLS records start with 20..63. */
	if (!len || len > DTLS_DGRAM_MAX || buf[0] < 20 || buf[0] > 63)
		return EBADMSG;
	dc->now = now_ms;
	if (!dc->hs_deadline)
		dc->hs_deadline = now_ms + DTLS_HANDSHAKE_MAX_MS;
	mem_ref(dc);
	dc->in = buf;
	dc->in_len = len;
	if (!dc->hs_done)
		err = handshake(dc);
	if (!err && dc->hs_done)
		err = read_records(dc);
	dc->in = NULL;
	dc->in_len = 0;
	dtls_flush(dc);
	if (dc->failed)
		err = EPROTO; /* closeh has the reason */
	else if (err == ENOTCONN)
		err = 0; /* this datagram carried close_notify: closeh said */
	mem_deref(dc);
	return err;
}

uint64_t dtls_conn_timeout(const struct dtls_conn *dc)
{
	uint64_t t;

	if (!dc || dc->failed || dc->closed || dc->established)
		return 0;
	t = dc->hs_deadline;
	if (dc->deadline && (!t || dc->deadline < t))
		t = dc->deadline;
	return t;
}

/* Resends our last flight. OpenSSL does it (fresh record numbers, so a
 * peer that got the first copy still reacts, RFC 6347 4.2.4) when its
 * wall-clock timer agrees; when the caller's clock ran ahead of it (tests
 * drive time by hand) the copy of the flight goes out as it was. */
static int retransmit(struct dtls_conn *dc)
{
	struct mbuf *f = dc->flight;
	int r;

	ERR_clear_error();
	dc->call++;
	r = DTLSv1_handle_timeout(dc->ssl);
	if (r < 0)
		return fail_ssl(dc, "DTLS retransmission");
	if (r > 0) {
		sync_timer(dc);
		return 0;
	}
	if (f && f->end) {
		/* Same [length][datagram] format: append as it is. */
		if (!dc->out && mbuf_alloc(&dc->out, f->end))
			return 0; /* no memory: the next tick tries again */
		(void)mbuf_write_mem(dc->out, f->buf, f->end);
	}
	dc->rto_ms = SC_MIN(dc->rto_ms * 2, (uint32_t)DTLS_RTO_MAX_MS);
	dc->tries++;
	dc->deadline = dc->now + dc->rto_ms;
	return 0;
}

int dtls_conn_tick(struct dtls_conn *dc, uint64_t now_ms)
{
	int err;

	if (!dc)
		return EINVAL;
	err = state_err(dc);
	if (err || dc->established)
		return err;
	dc->now = now_ms;
	mem_ref(dc);
	if (dc->hs_deadline && now_ms >= dc->hs_deadline)
		err = fail(dc, ETIMEDOUT,
			   dc->wait_fp ? "no fingerprint for the peer"
				       : "DTLS handshake timed out");
	else if (dc->deadline && now_ms >= dc->deadline) {
		if (dc->tries >= DTLS_TRIES_MAX)
			err = fail(dc, ETIMEDOUT, "DTLS peer does not answer");
		else
			err = retransmit(dc);
	}
	dtls_flush(dc);
	mem_deref(dc);
	return err;
}

int dtls_conn_set_remote_fp(struct dtls_conn *dc, const char *remote_fp)
{
	uint8_t fp[DTLS_FP_MAX];
	size_t len = sizeof(fp);
	const EVP_MD *md = NULL;
	int err;

	if (!dc || !remote_fp)
		return EINVAL;
	if (state_err(dc) || dc->established)
		return EPROTO;
	if (dtls_fp_parse_md(fp, &len, &md, remote_fp))
		return EBADMSG;
	memcpy(dc->rfp, fp, len);
	dc->rfp_len = len;
	dc->rfp_md = md;
	if (!dc->wait_fp)
		return 0;
	mem_ref(dc);
	err = finish(dc);
	mem_deref(dc);
	return err;
}

bool dtls_conn_established(const struct dtls_conn *dc)
{
	return dc && dc->established && !dc->failed && !dc->closed;
}

uint64_t dtls_conn_dropped(const struct dtls_conn *dc)
{
	return dc ? dc->dropped : 0;
}

void dtls_conn_close(struct dtls_conn *dc)
{
	if (!dc || dc->failed || dc->closed)
		return;
	dc->closed = true;
	dc->deadline = 0;
	if (!dc->hs_done)
		return;
	mem_ref(dc);
	ERR_clear_error();
	dc->call++;
	(void)SSL_shutdown(dc->ssl); /* close_notify (RFC 5246 7.2.1) */
	ERR_clear_error();
	dtls_flush(dc);
	mem_deref(dc);
}
