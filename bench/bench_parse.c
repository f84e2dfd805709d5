/* bench_parse.c: SIP parser throughput on a JsSIP-style REGISTER (digest
 * Authorization) and a WebRTC INVITE (Chrome-like SDP), one core. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sip/msg.h"

#define BENCH_SECONDS 2.0 /* CPU seconds per message */
#define BENCH_ROUNDS 10   /* the best round is reported */
#define BENCH_BATCH 1024  /* parses between two clock reads */

static const char register_msg[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/WSS 7h2k3l4m5n6o.invalid;branch=z9hG4bK5125521\r\n"
    "Max-Forwards: 69\r\n"
    "To: <sip:alice@example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=3ab4rmm3sk\r\n"
    "Call-ID: 2n9fj5ifg0q0nt8ni1op7k\r\n"
    "CSeq: 2 REGISTER\r\n"
    "Authorization: Digest algorithm=MD5, username=\"alice\", "
    "realm=\"example.com\", nonce=\"6f5d8a1b9c2e3f40a7b6c5d4e3f2a1b0\", "
    "uri=\"sip:example.com\", response=\"b4c1d5e8f9a0b1c2d3e4f5a6b7c8d9e0\", "
    "qop=auth, cnonce=\"k1kkq8tq7b0e\", nc=00000001\r\n"
    "Contact: "
    "<sip:k8v7ruep@7h2k3l4m5n6o.invalid;transport=ws>;+sip.ice;reg-id=1;+sip."
    "instance=\"<urn:uuid:5d7b1b0e-6e1a-4c3b-9a8e-1f2d3c4b5a69>\";expires="
    "600\r\n"
    "Expires: 600\r\n"
    "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n"
    "Supported: path,gruu,outbound\r\n"
    "User-Agent: JsSIP 3.10.1\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char invite_msg[] =
    "INVITE sip:1002@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/WSS 7h2k3l4m5n6o.invalid;branch=z9hG4bK9304911\r\n"
    "Max-Forwards: 69\r\n"
    "To: <sip:1002@example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=v2h0fj1e4l\r\n"
    "Call-ID: 8sd7f6g5h4j3k2l1mnb0vc\r\n"
    "CSeq: 7135 INVITE\r\n"
    "Contact: <sip:k8v7ruep@7h2k3l4m5n6o.invalid;transport=ws;ob>\r\n"
    "Content-Type: application/sdp\r\n"
    "Session-Expires: 90\r\n"
    "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n"
    "Supported: timer,ice,replaces,outbound\r\n"
    "User-Agent: JsSIP 3.10.1\r\n"
    "Content-Length: 915\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS 3f1d2a\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=candidate:1467250027 1 udp 2122260223 192.0.2.10 54321 typ host "
    "generation 0 network-id 1\r\n"
    "a=candidate:3288431427 1 udp 1686052607 198.51.100.7 40123 typ srflx "
    "raddr 192.0.2.10 rport 54321 generation 0 network-id 1\r\n"
    "a=ice-ufrag:aB3d\r\n"
    "a=ice-pwd:kq9Xw2LmN8pR4tV6yZ1cE5gH\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "1B:7E:2F:9C:44:A0:3D:6B:85:E1:0F:C2:93:7A:58:D4:26:BE:11:F3:6C:89:A5:40:"
    "DE:72:0B:94:C8:35:E6:1D\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=sendrecv\r\n"
    "a=msid:3f1d2a 8c4e7b\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:2180035812 cname:Hx9f2kLq0Zp7wT3e\r\n";

/* CPU time of this thread: the rate per core stays meaningful on a shared,
 * loaded machine where wall time would count other processes' turns. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(const char *name, const char *buf, size_t len)
{
	static struct sip_msg msg;
	volatile size_t sink = 0;
	double best = 1e30;
	int i, r;

	if (sip_msg_decode(&msg, buf, len)) {
		fprintf(stderr, "bench: %s does not decode: %s\n", name,
		        msg.err);
		return 1;
	}
	/* On a shared machine other processes evict caches and share the
	 * core's pipeline: the fastest round is the least disturbed one. */
	for (r = 0; r < BENCH_ROUNDS; r++) {
		double t0 = now_s(), t;
		uint64_t n = 0;

		do {
			for (i = 0; i < BENCH_BATCH; i++) {
				sip_msg_decode(&msg, buf, len);
				sink += msg.hdrc;
			}
			n += BENCH_BATCH;
			t = now_s() - t0;
		} while (t < BENCH_SECONDS / BENCH_ROUNDS);
		if (t / (double)n < best)
			best = t / (double)n;
	}
	printf("parse %s bytes=%zu ns_per_msg=%.1f msgs_per_sec=%.0f\n", name,
	       len, best * 1e9, 1.0 / best);
	(void)sink;
	return 0;
}

int main(void)
{
	int err = 0;

	err |= bench("REGISTER", register_msg, sizeof(register_msg) - 1);
	err |= bench("INVITE", invite_msg, sizeof(invite_msg) - 1);
	return err;
}
