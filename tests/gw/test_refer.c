/* test_refer.c: the NOTIFY Event id of relayed REFERs (RFC 3515 §2.4.6)
 * with several REFERs of one call in flight, and the headers that cross
 * with it (call_refer.c). */
#include <string.h>

#include "testutil.h"

#include "gw/call.h"

static const struct sip_msg *notify(struct sip_msg *msg, char *buf,
                                    size_t size, const char *event)
{
	snprintf(buf, size,
	         "NOTIFY sip:gw@gw.test SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP pbx.test;branch=z9hG4bKn1\r\n"
	         "From: <sip:pbx@pbx.test>;tag=p\r\n"
	         "To: <sip:gw@gw.test>;tag=g\r\n"
	         "Call-ID: n1\r\nCSeq: 9 NOTIFY\r\nMax-Forwards: 70\r\n"
	         "%s"
	         "Subscription-State: active;expires=60\r\n"
	         "Content-Type: message/sipfrag\r\n"
	         "Content-Length: 0\r\n\r\n",
	         event);
	assert_int_equal(sip_msg_decode(msg, buf, strlen(buf)), 0);
	return msg;
}

static uint32_t id_of(const struct gw_call *call, const struct gw_leg *from,
                      const char *event)
{
	static struct sip_msg msg;
	char buf[1024];

	return gw_refer_id_in(call, from, notify(&msg, buf, sizeof(buf), event));
}

/* Two REFERs to one leg and one to the other, in flight at once: each
 * NOTIFY gets the id its own REFER had on the transferor's side. */
static void test_refer_ids(void **state)
{
	struct gw_leg a, b;
	struct gw_call call;

	(void)state;
	memset(&call, 0, sizeof(call));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	gw_refer_sent(&call, &b, 101, 7);
	gw_refer_sent(&call, &b, 102, 8);
	gw_refer_sent(&call, &a, 55, 3001);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=101\r\n"), 7);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=102\r\n"), 8);
	assert_int_equal(id_of(&call, &a, "Event: refer;id=55\r\n"), 3001);
	assert_int_equal(id_of(&call, &b, "Event: refer; id=101\r\n"), 7);
	/* ids are per leg: 55 was sent to a, not b */
	assert_int_equal(id_of(&call, &b, "Event: refer;id=55\r\n"), 0);
	/* no id (RFC 3515 §2.4.6: the first REFER of a dialog): the last */
	assert_int_equal(id_of(&call, &b, "Event: refer\r\n"), 8);
	/* not refer, unknown id, garbage id, none at all */
	assert_int_equal(id_of(&call, &b, "Event: presence;id=101\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: referral;id=101\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=999\r\n"), 0);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=x1\r\n"), 0);
	assert_int_equal(id_of(&call, &b, ""), 0);
}

/* Bounded: the oldest of GW_REFER_MAX is forgotten. */
static void test_refer_ids_bounded(void **state)
{
	struct gw_leg b;
	struct gw_call call;
	uint32_t i;

	(void)state;
	memset(&call, 0, sizeof(call));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < GW_REFER_MAX + 1; i++)
		gw_refer_sent(&call, &b, 200 + i, 10 + i);
	assert_int_equal(id_of(&call, &b, "Event: refer;id=200\r\n"), 0);
	for (i = 1; i < GW_REFER_MAX + 1; i++) {
		char ev[64];

		snprintf(ev, sizeof(ev), "Event: refer;id=%u\r\n", 200 + i);
		assert_int_equal(id_of(&call, &b, ev), 10 + i);
	}
}

/* The crossing headers carry the mapped id; nothing else of Event. */
static void test_cross_hdrs_id(void **state)
{
	struct sip_msg msg;
	char buf[1024], out[512];

	(void)state;
	notify(&msg, buf, sizeof(buf), "Event: refer;id=102\r\n");
	assert_int_equal(gw_cross_hdrs(out, sizeof(out), &msg, 8), 0);
	assert_non_null(strstr(out, "Event: refer;id=8\r\n"));
	assert_null(strstr(out, "102"));
	assert_non_null(strstr(out, "Subscription-State: active;expires=60"));
	assert_int_equal(gw_cross_hdrs(out, sizeof(out), &msg, 0), 0);
	assert_non_null(strstr(out, "Event: refer;id=102\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    SC_TEST(test_refer_ids),
	    SC_TEST(test_refer_ids_bounded),
	    SC_TEST(test_cross_hdrs_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
