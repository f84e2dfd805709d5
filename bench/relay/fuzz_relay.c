/* fuzz_relay.c: relayload's parsers of what a relay sends back, on
 * arbitrary bytes: bencode (BEP 3), an ng reply, and an SDP (RFC 8866)
 * read for addresses, ICE credentials and the fingerprint. Decoded trees
 * are walked to check their invariants; a decoded value re-encodes to the
 * same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "benc.h"
#include "rl.h"

#define FUZZ_NODES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void enc_node(struct benc_enc *e, const struct benc_node *nv, size_t i)
{
	size_t k, c;

	switch (nv[i].type) {
	case BENC_STR:
		benc_enc_mem(e, nv[i].str.p, nv[i].str.l);
		break;
	case BENC_INT:
		benc_enc_int(e, nv[i].i);
		break;
	case BENC_LIST:
	case BENC_DICT:
		if (nv[i].type == BENC_LIST)
			benc_enc_list(e);
		else
			benc_enc_dict(e);
		for (k = 0, c = i + 1; k < nv[i].n; k++, c = nv[c].next)
			enc_node(e, nv, c);
		benc_enc_end(e);
		break;
	}
}

static void fuzz_benc(const uint8_t *data, size_t size)
{
	struct benc_node nv[FUZZ_NODES];
	uint8_t out[4096];
	struct benc_enc e;
	size_t n, i, len;

	if (benc_decode(nv, FUZZ_NODES, &n, data, size))
		return;
	if (n == 0 || n > FUZZ_NODES || nv[0].next != n)
		abort();
	for (i = 0; i < n; i++) {
		if (nv[i].next <= i || nv[i].next > n)
			abort();
		if (nv[i].type == BENC_STR &&
		    (nv[i].str.p < (const char *)data ||
		     nv[i].str.p + nv[i].str.l > (const char *)data + size))
			abort();
	}
	(void)benc_dict_get(nv, 0, "sdp");
	if (size > sizeof(out))
		return;
	/* canonical input (no leading zeros, "-0" refused) round-trips */
	benc_enc_init(&e, out, sizeof(out));
	enc_node(&e, nv, 0);
	if (benc_enc_finish(&e, &len) || len != size || memcmp(out, data, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_sdp_info info;
	struct pl sdp, why, in = {(const char *)data, size};
	int err;

	fuzz_benc(data, size);
	err = rl_ng_reply(data, size, "1_1", &sdp, &why);
	if (err && err != EPROTO && err != ENOENT && err != EBADMSG)
		abort();
	if (!err && sdp.l &&
	    (sdp.p < (const char *)data ||
	     sdp.p + sdp.l > (const char *)data + size))
		abort();
	err = rl_sdp_parse(&info, &in);
	if (err && err != EBADMSG && err != EOVERFLOW)
		abort();
	if (!err && (!info.addr[0] || strnlen(info.ufrag, sizeof(info.ufrag)) ==
					  sizeof(info.ufrag)))
		abort();
	return 0;
}
