/* sip_tsx.c: fuzzes the SIP transaction state machines (RFC 3261 §17) with
 * sequences of requests, responses, TU calls, transport failures and time;
 * aborts on a leak, ASan/UBSan catch the rest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/tsx.h"

#define FZ_SLOTS 8
#define FZ_OPS_MAX 256

struct fz {
	struct tmrl *tl;
	struct sip_tsx_layer *layer;
	void *dest;
	int send_err;
	struct sip_stx *stx[FZ_SLOTS];
	struct sip_ctx *ctx[FZ_SLOTS];
	struct sip_msg msg;
	char buf[512];
	const uint8_t *p;
	size_t left;
};

static const char *const methods[] = {"INVITE", "ACK", "CANCEL", "OPTIONS",
				      "BYE"};
static const char *const branches[] = {"z9hG4bK-0", "z9hG4bK-1", "z9hG4bK-2",
				       "z9hG4bK-3", "rfc2543",   ""};
static const char *const hosts[] = {"a.example", "A.EXAMPLE", "b.example",
				    "[::1]"};
static const uint16_t scodes[] = {100, 180, 183, 200, 202, 300,
				  401, 486, 487, 603, 99,  700};

static uint8_t next(struct fz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->p++;
}

static const char *pick(struct fz *f, const char *const *v, size_t n)
{
	return v[next(f) % n];
}

static int send_h(void *dest, const uint8_t *data, size_t len, void *arg)
{
	struct fz *f = arg;

	(void)dest;
	(void)data;
	(void)len;
	return f->send_err;
}

static void resp_h(int err, uint16_t scode, const struct sip_msg *msg,
		   void *arg)
{
	struct fz *f = arg;
	size_t i;

	(void)err;
	(void)scode;
	(void)msg;
	/* Sometimes the TU drops its references or cancels from here. */
	if (f->left && (f->p[0] & 0x7) == 7) {
		i = f->p[0] >> 3 & (FZ_SLOTS - 1);
		f->ctx[i] = mem_deref(f->ctx[i]);
	} else if (f->left && (f->p[0] & 0x7) == 6) {
		i = f->p[0] >> 3 & (FZ_SLOTS - 1);
		if (f->ctx[i])
			sip_ctx_cancel(f->ctx[i]);
	}
}

/* A message from a few choices, written as text and decoded by the codec;
 * NULL when the choices make something the decoder refuses. */
static const struct sip_msg *make_msg(struct fz *f, bool req)
{
	const char *method = pick(f, methods, SC_ARRAY_SIZE(methods));
	const char *branch = pick(f, branches, SC_ARRAY_SIZE(branches));
	const char *host = pick(f, hosts, SC_ARRAY_SIZE(hosts));
	uint16_t scode = scodes[next(f) % SC_ARRAY_SIZE(scodes)];
	uint8_t shape = next(f);
	int n;

	if (req)
		n = snprintf(f->buf, sizeof(f->buf),
			     "%s sip:u@b.example "
			     "SIP/2.0\r\n",
			     method);
	else
		n = snprintf(f->buf, sizeof(f->buf), "SIP/2.0 %u X\r\n", scode);
	n += snprintf(f->buf + n, sizeof(f->buf) - (size_t)n,
		      "Via: SIP/2.0/%s %s%s;branch=%s\r\n"
		      "%s%s%s%s"
		      "Call-ID: c@x\r\n"
		      "CSeq: 1 %s\r\n"
		      "Content-Length: 0\r\n\r\n",
		      shape & 2 ? "TCP" : "UDP", host, shape & 1 ? ":5060" : "",
		      branch, shape & 8 ? "" : "From: <sip:a@x>;tag=1\r\n",
		      shape & 16    ? ""
		      : shape & 128 ? "To: <sip:u@b>;tag=t\r\n"
				    : "To: <sip:u@b>\r\n",
		      shape & 32 ? "Route: <sip:p;lr>\r\n" : "",
		      shape & 64 ? "Timestamp: 1.5\r\n" : "",
		      shape & 4 ? method : "INVITE");
	if (n <= 0 || (size_t)n >= sizeof(f->buf))
		return NULL;
	if (sip_msg_decode(&f->msg, f->buf, (size_t)n))
		return NULL;
	return &f->msg;
}

static void keep_stx(struct fz *f, struct sip_stx *stx)
{
	size_t i = next(f) % FZ_SLOTS;

	mem_deref(f->stx[i]);
	f->stx[i] = stx;
}

static void op_request(struct fz *f)
{
	struct sip_tsx_in in;
	const struct sip_msg *m = make_msg(f, true);

	if (!m || sip_tsx_recv_request(f->layer, m, f->dest, next(f) & 1, &in))
		return;
	if (in.stx)
		keep_stx(f, in.stx);
	if (in.invite)
		keep_stx(f, in.invite);
}

static void op_reply(struct fz *f)
{
	struct sip_stx *stx = f->stx[next(f) % FZ_SLOTS];
	uint16_t scode = scodes[next(f) % SC_ARRAY_SIZE(scodes)];

	if (stx)
		sip_stx_reply(stx, scode, (const uint8_t *)"R", 1);
}

static void op_send(struct fz *f)
{
	const struct sip_msg *m = make_msg(f, true);
	size_t i = next(f) % FZ_SLOTS;
	struct sip_ctx *ctx = NULL;

	if (!m || sip_ctx_send(&ctx, f->layer, m, (const uint8_t *)"Q", 1,
			       f->dest, next(f) & 1, resp_h, f))
		return;
	mem_deref(f->ctx[i]);
	f->ctx[i] = ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void warm_h(void *arg)
{
	(void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One layer for every run: its tables are large to allocate, and
	 * closing it between runs is part of what is tested. */
	static struct fz f;
	struct tmr warm;
	size_t live, i, ops = 0;

	if (!f.layer) {
		log_level_set(LOG_ERROR); /* transport failures warn */
		if (tmrl_alloc(&f.tl, 0) ||
		    sip_tsx_layer_alloc(&f.layer, f.tl, send_h, &f))
			abort();
		f.dest = mem_zalloc(1, NULL);
		/* The timer heap is allocated once, on first use: now. */
		tmr_init(&warm);
		if (tmr_start(&warm, f.tl, 1, warm_h, NULL))
			abort();
		tmr_cancel(&warm);
	}
	live = mem_live();
	f.p = data;
	f.left = size;
	f.send_err = 0;
	while (f.left && ops++ < FZ_OPS_MAX) {
		uint8_t op = next(&f);
		size_t s = op >> 4 & (FZ_SLOTS - 1);

		switch (op & 0xf) {
		case 0:
		case 1:
			op_request(&f);
			break;
		case 2:
		case 3:
			op_reply(&f);
			break;
		case 4:
			op_send(&f);
			break;
		case 5:
		case 6: {
			const struct sip_msg *m = make_msg(&f, false);

			if (m)
				sip_tsx_recv_response(f.layer, m);
			break;
		}
		case 7:
			if (f.ctx[s])
				sip_ctx_cancel(f.ctx[s]);
			break;
		case 8:
		case 9:
			tmrl_poll(f.tl, tmrl_now(f.tl) + 100u * next(&f));
			break;
		case 10:
			f.send_err = f.send_err ? 0 : 32 /* EPIPE */;
			break;
		case 11:
			if (f.ctx[s])
				sip_ctx_close(f.ctx[s]);
			break;
		case 12:
			f.ctx[s] = mem_deref(f.ctx[s]);
			f.stx[s] = mem_deref(f.stx[s]);
			break;
		case 13:
			if (!(next(&f) & 0xf))
				sip_tsx_layer_close(f.layer);
			break;
		default:
			tmrl_poll(f.tl, tmrl_now(f.tl) + 64u * 500u);
			break;
		}
	}
	/* Server transactions the TU never answered (and INVITEs past a
	 * 1xx) have no timer of their own: close ends them. */
	tmrl_poll(f.tl, tmrl_now(f.tl) + 1000000u);
	sip_tsx_layer_close(f.layer);
	for (i = 0; i < FZ_SLOTS; i++) {
		f.stx[i] = mem_deref(f.stx[i]);
		f.ctx[i] = mem_deref(f.ctx[i]);
	}
	if (mem_live() != live || tmrl_count(f.tl))
		abort();
	return 0;
}
