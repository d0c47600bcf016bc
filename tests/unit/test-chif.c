/* SPDX-License-Identifier: MIT */
/*
 * test-chif.c - the CHIF backend (lib/transport/chif.c, chif-lib.c) against a fake vendor library
 * that lives in this program: dlopen/dlsym/dlclose are wrapped (-Wl,--wrap), so the backend
 * "loads" the functions below.  The fake keeps a blob store and answers REST packets with a
 * canned HTTP response, with knobs for failures: missing library or symbol, ChifPing status,
 * wrong sequence numbers, failed exchanges, blobstore error codes.
 *
 * Packet layout: that of tests/emulator/chif/chif-emu.c, with small sizes so that fragments
 * are exercised: buffer 256, writes and reads of 128 bytes (48 bytes of data each).
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/transport/chif.h"
#include "lib/transport/transport.h"

#define BUF 256
#define MAXW 128
#define MAXR 128
#define KL 32
#define HDR 8
#define KEYREQ (HDR + 2 * KL)
#define FRAGREQ (HDR + 8 + 2 * KL)
#define RESTREQ (HDR + 4 + 2 * KL)
#define RESTBLOB (HDR + 3 * KL)
#define RFIXED 24
#define BHDR 16
#define WDATA (MAXW - FRAGREQ) /* 48 */

/* ---- the fake library's state and knobs ---- */

static struct fake {
	bool no_library;
	const char *missing_symbol;
	int ping_status;
	int security_state; /* 3 Production */
	int verify_status;
	unsigned seq_mismatches; /* next N replies carry a wrong sequence number */
	unsigned fail_exchanges; /* next N exchanges fail with fail_status */
	int fail_status;
	unsigned creates, closes, exchanges;
	uint32_t error_on_cmd[16]; /* blobstore error code to answer for a command */
	struct {
		char key[KL + 1];
		unsigned char data[8192];
		size_t len;
		bool used, final;
	} blobs[4];
	unsigned char request[8192]; /* the HTTP text the last REST packet carried */
	size_t request_len;
	const char *answer; /* canned HTTP answer */
	size_t answer_len;
	unsigned seq;
} F;

static unsigned char pkt[BUF];
static int handle_token;

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}
static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}
static unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}
static uint32_t get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static unsigned char *hdr(unsigned size, unsigned cmd)
{
	memset(pkt, 0, sizeof(pkt));
	put16(pkt, size);
	put16(pkt + 2, ++F.seq & 0xffff);
	put16(pkt + 4, cmd);
	return pkt;
}
static void fld(unsigned char *p, const char *s)
{
	strncpy((char *)p, s, KL);
}

static int f_init(void *r) { return 0; }
static int f_create(void **h) { F.creates++; *h = &handle_token; return 0; }
static int f_ping(void *h) { return F.ping_status; }
static int f_timeout(void *h, int ms) { return 0; }
static int f_close(void *h) { F.closes++; return 0; }
static int f_secreq(void) { return F.security_state != 3; }
static unsigned char *f_creds(const char *u, const char *p) { return hdr(16, 0); }
static int f_verify(void) { return F.verify_status; }
static int f_disable(void) { return 0; }
static unsigned char *f_secstate(void) { return hdr(16, 10); }
static unsigned char *keyns(unsigned cmd, const char *k)
{
	unsigned char *p = hdr(KEYREQ, cmd);

	fld(p + HDR, k);
	return p;
}
static unsigned char *f_blobcreate(const char *k, const char *ns) { return keyns(1, k); }
static unsigned char *f_finalize(const char *k, const char *ns) { return keyns(3, k); }
static unsigned char *f_info(const char *k, const char *ns) { return keyns(4, k); }
static unsigned char *f_delete(const char *k, const char *ns) { return keyns(6, k); }
static unsigned char *frag(unsigned cmd, unsigned off, unsigned n, const char *k, unsigned size)
{
	unsigned char *p = hdr(size, cmd);

	put32(p + HDR, off);
	put32(p + HDR + 4, n);
	fld(p + HDR + 8, k);
	return p;
}
static unsigned char *f_write(unsigned o, unsigned n, const char *k, const char *ns)
{
	return frag(2, o, n, k, FRAGREQ + n);
}
static unsigned char *f_read(unsigned o, unsigned n, const char *k, const char *ns)
{
	return frag(5, o, n, k, FRAGREQ);
}
static unsigned char *f_rest(unsigned len, const char *k, const char *ns)
{
	unsigned char *p = hdr(RESTREQ + len, 8);

	put32(p + HDR, len);
	fld(p + HDR + 4, k);
	return p;
}
static unsigned char *f_restblob(const char *rq, const char *rs, const char *ns)
{
	unsigned char *p = hdr(RESTBLOB, 9);

	fld(p + HDR, rq);
	fld(p + HDR + KL, rs);
	return p;
}
static int s_key(void) { return KEYREQ; }
static int s_frag(void) { return FRAGREQ; }
static int s_rest(void) { return RESTREQ; }
static int s_restblob(void) { return RESTBLOB; }
static int s_fixed(void) { return RFIXED; }
static int s_bhdr(void) { return BHDR; }
static int s_sec(void) { return 16; }
static int s_maxr(void) { return MAXR; }
static int s_maxw(void) { return MAXW; }
static int s_buf(void) { return BUF; }
static void f_rand(unsigned short v) { F.seq = v; }

static int find_blob(const char *key)
{
	int i;

	for (i = 0; i < 4; i++)
		if (F.blobs[i].used && strcmp(F.blobs[i].key, key) == 0)
			return i;
	return -1;
}

static unsigned blobs_left(void)
{
	unsigned i, n = 0;

	for (i = 0; i < 4; i++)
		n += F.blobs[i].used;
	return n;
}

static void reply(unsigned char *in, unsigned seq, uint32_t err)
{
	put16(in, BHDR);
	put16(in + 2, seq);
	put32(in + 8, err);
}

/* The fake BMC. */
static int f_exchange(void *h, const void *sendv, void *recvv, int size)
{
	const unsigned char *s = sendv;
	unsigned char *in = recvv, key[KL + 1] = { 0 };
	unsigned seq = get16(s + 2), cmd = get16(s + 4), len = get16(s);
	uint32_t err = 0;
	int b;

	F.exchanges++;
	assert_int_equal(size, BUF);
	assert_true(len <= BUF);
	if (F.fail_exchanges) {
		F.fail_exchanges--;
		return F.fail_status;
	}
	memset(in, 0, BUF);
	if (cmd < 16 && F.error_on_cmd[cmd]) {
		reply(in, seq, F.error_on_cmd[cmd]);
		goto out;
	}
	switch (cmd) {
	case 1: case 3: case 4: case 6:
		memcpy(key, s + HDR, KL);
		b = find_blob((char *)key);
		if (cmd == 1) {
			if (b < 0)
				for (b = 0; b < 4 && F.blobs[b].used; b++)
					;
			assert_true(b < 4);
			memset(&F.blobs[b], 0, sizeof(F.blobs[b]));
			F.blobs[b].used = true;
			strcpy(F.blobs[b].key, (char *)key);
		} else if (b < 0) {
			err = cmd == 6 ? 20 : 12;
		} else if (cmd == 3) {
			F.blobs[b].final = true;
		} else if (cmd == 6) {
			F.blobs[b].used = false;
		} else {
			put32(in + BHDR, (uint32_t)F.blobs[b].len);
		}
		reply(in, seq, err);
		break;
	case 2: case 5: {
		uint32_t off = get32(s + HDR), n = get32(s + HDR + 4);

		memcpy(key, s + HDR + 8, KL);
		b = find_blob((char *)key);
		if (b < 0) {
			reply(in, seq, 12);
			break;
		}
		if (cmd == 2) {
			assert_int_equal(len, FRAGREQ + n);
			assert_true(n <= WDATA);
			assert_int_equal(off, F.blobs[b].len);
			memcpy(F.blobs[b].data + off, s + FRAGREQ, n);
			F.blobs[b].len += n;
			reply(in, seq, 0);
		} else {
			assert_true(n <= MAXR - FRAGREQ);
			if (off + n > F.blobs[b].len)
				n = (uint32_t)F.blobs[b].len - off;
			reply(in, seq, 0);
			put32(in + BHDR, n);
			memcpy(in + BHDR + 4, F.blobs[b].data + off, n);
		}
		break;
	}
	case 8: case 9: {
		const unsigned char *rsp_key = cmd == 8 ? s + HDR + 4 : s + HDR + KL;

		if (cmd == 8) {
			F.request_len = get32(s + HDR);
			assert_int_equal(len, RESTREQ + F.request_len);
			memcpy(F.request, s + RESTREQ, F.request_len);
		} else {
			memcpy(key, s + HDR, KL);
			b = find_blob((char *)key);
			assert_true(b >= 0);
			assert_true(F.blobs[b].final);
			F.request_len = F.blobs[b].len;
			memcpy(F.request, F.blobs[b].data, F.request_len);
		}
		put16(in, RFIXED);
		put16(in + 2, seq);
		if (F.answer_len <= BUF - RFIXED) {
			put32(in + 16, (uint32_t)F.answer_len);
			memcpy(in + RFIXED, F.answer, F.answer_len);
		} else {
			for (b = 0; b < 4 && F.blobs[b].used; b++)
				;
			assert_true(b < 4);
			F.blobs[b].used = F.blobs[b].final = true;
			memcpy(F.blobs[b].key, rsp_key, KL);
			memcpy(F.blobs[b].data, F.answer, F.answer_len);
			F.blobs[b].len = F.answer_len;
			put32(in + 12, 1);
			put32(in + 16, (uint32_t)F.answer_len);
		}
		break;
	}
	case 10:
		reply(in, seq, 0);
		in[72] = (unsigned char)F.security_state;
		break;
	default:
		reply(in, seq, 2);
	}
out:
	if (F.seq_mismatches) {
		F.seq_mismatches--;
		put16(in + 2, seq + 7);
	}
	return 0;
}

static const struct {
	const char *name;
	void *fn;
} table[] = {
	{ "ChifInitialize", f_init }, { "ChifCreate", f_create }, { "ChifPing", f_ping },
	{ "ChifSetRecvTimeout", f_timeout }, { "ChifPacketExchange", f_exchange },
	{ "ChifClose", f_close }, { "ChifIsSecurityRequired", f_secreq },
	{ "initiate_credentials", f_creds }, { "ChifVerifyCredentials", f_verify },
	{ "ChifDisableSecurity", f_disable }, { "get_security_state", f_secstate },
	{ "create_not_blobentry", f_blobcreate }, { "write_fragment", f_write },
	{ "finalize_blob", f_finalize }, { "get_info", f_info }, { "read_fragment", f_read },
	{ "delete_blob", f_delete }, { "rest_immediate", f_rest },
	{ "rest_immediate_blobdesc", f_restblob }, { "size_of_createRequest", s_key },
	{ "size_of_writeRequest", s_frag }, { "size_of_finalizeRequest", s_key },
	{ "size_of_infoRequest", s_key }, { "size_of_readRequest", s_frag },
	{ "size_of_deleteRequest", s_key }, { "size_of_restImmediateRequest", s_rest },
	{ "size_of_restBlobRequest", s_restblob }, { "size_of_restResponseFixed", s_fixed },
	{ "size_of_responseHeaderBlob", s_bhdr }, { "size_of_securityStateRequest", s_sec },
	{ "max_read_size", s_maxr }, { "max_write_size", s_maxw },
	{ "get_max_buffer_size", s_buf }, { "updaterandval", f_rand },
};

static int fake_handle;
static const char *dl_error;

void *__wrap_dlopen(const char *name, int flags);
void *__wrap_dlsym(void *h, const char *name);
int __wrap_dlclose(void *h);
char *__wrap_dlerror(void);

void *__wrap_dlopen(const char *name, int flags)
{
	assert_true(flags & RTLD_NOW);
	if (F.no_library) {
		dl_error = "cannot open shared object file: No such file or directory";
		return NULL;
	}
	return &fake_handle;
}

void *__wrap_dlsym(void *h, const char *name)
{
	size_t i;

	assert_ptr_equal(h, &fake_handle);
	if (F.missing_symbol && strcmp(name, F.missing_symbol) == 0) {
		dl_error = "undefined symbol";
		return NULL;
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].fn;
	dl_error = "undefined symbol";
	return NULL;
}

int __wrap_dlclose(void *h)
{
	return 0;
}

char *__wrap_dlerror(void)
{
	const char *e = dl_error;

	dl_error = NULL;
	return (char *)e;
}

/* ---- helpers ---- */

static struct hf_logger logger = { NULL, NULL, 0 };
static struct hf_transport T;
static char err[1024];

static int setup(void **state)
{
	memset(&F, 0, sizeof(F));
	F.security_state = 3;
	F.answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
	F.answer_len = strlen(F.answer);
	memset(&T, 0, sizeof(T));
	return 0;
}

static int open_chif(const char *user, const char *pass)
{
	struct hf_transport_config cfg = { 0 };

	cfg.log = &logger;
	cfg.chif_library = "/fake/libilorestchif.so";
	cfg.username = user;
	cfg.password = pass;
	return hf_transport_open("chif", &cfg, &T, err, sizeof(err));
}

static int send_one(const char *method, const char *body, size_t body_len,
		    struct hf_transport_response *resp, bool no_resend)
{
	struct hf_headers h = { 0 };
	struct hf_transport_request req = { 0 };
	void *conn = NULL;
	int r;

	req.method = method;
	req.path = "/redfish/v1/Systems/1/";
	req.headers = &h;
	req.body = body;
	req.body_len = body_len;
	req.max_body = 1 << 20;
	req.no_resend = no_resend;
	r = hf_transport_conn_open(&T, &conn, err, sizeof(err));
	if (r < 0)
		return r;
	r = hf_transport_exchange(&T, conn, &req, resp, err, sizeof(err));
	hf_transport_conn_close(&T, conn);
	return r;
}

/* ---- tests ---- */

static void test_missing_library(void **state)
{
	F.no_library = true;
	assert_int_equal(open_chif(NULL, NULL), -ENOTSUP);
	assert_non_null(strstr(err, "/fake/libilorestchif.so"));
	assert_non_null(strstr(err, "No such file"));
	assert_non_null(strstr(err, "iLOrest"));
}

static void test_missing_symbol(void **state)
{
	F.missing_symbol = "rest_immediate_blobdesc";
	assert_int_equal(open_chif(NULL, NULL), -ENOTSUP);
	assert_non_null(strstr(err, "rest_immediate_blobdesc"));
	assert_non_null(strstr(err, "undefined symbol"));
}

static void test_ping_no_driver(void **state)
{
	F.ping_status = 19;
	assert_int_equal(open_chif(NULL, NULL), -ENODEV);
	assert_non_null(strstr(err, "modprobe hpilo"));
	assert_int_equal(F.creates, F.closes);
}

static void test_ping_not_root(void **state)
{
	F.ping_status = 13;
	assert_int_equal(open_chif(NULL, NULL), -EPERM);
	assert_non_null(strstr(err, "root"));
}

static void test_security_states(void **state)
{
	F.security_state = 4;
	assert_int_equal(open_chif(NULL, NULL), -EACCES);
	assert_non_null(strstr(err, "HighSecurity"));
	F.verify_status = 13;
	assert_int_equal(open_chif("u", "wrong"), -EACCES);
	F.verify_status = 0;
	assert_int_equal(open_chif("u", "p"), 0);
	hf_transport_close(&T);
}

static void test_small_inline(void **state)
{
	struct hf_transport_response resp = { 0 };

	assert_int_equal(open_chif(NULL, NULL), 0);
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.body.len, 2);
	assert_memory_equal(F.request, "GET /redfish/v1/Systems/1/ HTTP/1.1\r\nHost: \r\n", 45);
	assert_int_equal(blobs_left(), 0);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
	assert_int_equal(F.creates, F.closes);
}

static void test_seq_mismatch_then_success(void **state)
{
	struct hf_transport_response resp = { 0 };

	assert_int_equal(open_chif(NULL, NULL), 0);
	F.exchanges = 0;
	F.seq_mismatches = 2;
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), 0);
	assert_int_equal(F.exchanges, 3);
	assert_int_equal(resp.sends, 3);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
}

static void test_seq_mismatch_forever_bounded(void **state)
{
	struct hf_transport_response resp = { 0 };

	assert_int_equal(open_chif(NULL, NULL), 0);
	F.exchanges = 0;
	F.seq_mismatches = 1000;
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), -ECONNRESET);
	assert_non_null(strstr(err, "sequence"));
	/* 3 exchanges on each of 3 channels (the first and 2 re-creations), and as many for
	 * the best-effort delete of the response blob the iLO may have made */
	assert_int_equal(F.exchanges, 18);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
	assert_int_equal(F.creates, F.closes);
}

static void test_no_resend(void **state)
{
	struct hf_transport_response resp = { 0 };

	assert_int_equal(open_chif(NULL, NULL), 0);
	F.exchanges = 0;
	F.fail_exchanges = 1;
	F.fail_status = 5;
	assert_int_equal(send_one("POST", "{}", 2, &resp, true), -ECONNRESET);
	/* the POST once, then the delete of its possible response blob */
	assert_int_equal(F.exchanges, 2);
	assert_int_equal(resp.sends, 1);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
}

static void test_reset_recreates_channel(void **state)
{
	struct hf_transport_response resp = { 0 };
	unsigned creates;

	assert_int_equal(open_chif(NULL, NULL), 0);
	creates = F.creates;
	F.fail_exchanges = 2;
	F.fail_status = 19; /* a BMC reset: the channel is dead until reopened */
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), 0);
	/* the conn, then two re-creations */
	assert_int_equal(F.creates - creates, 3);
	hf_transport_response_clear(&resp);
	F.fail_exchanges = 100;
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), -ECONNRESET);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
	assert_int_equal(F.creates, F.closes);
}

static void test_blob_boundaries(void **state)
{
	static const int deltas[] = { -1, 0, 1 };
	struct hf_transport_response resp = { 0 };
	char body[2048], text[4096];
	size_t k, d, head, n;

	assert_int_equal(open_chif(NULL, NULL), 0);
	/* the request text without the body: measure it with an empty body */
	assert_int_equal(send_one("PATCH", "", 0, &resp, false), 0);
	hf_transport_response_clear(&resp);
	head = F.request_len;
	for (k = 4; k <= 12; k++)
		for (d = 0; d < 3; d++) {
			size_t total = k * WDATA + (size_t)deltas[d];

			n = total - head - 2; /* "Content-Length: 0" grows by digits */
			if (n >= 100 && head < 1000)
				n = total - head - (n >= 1000 ? 3 : 2);
			memset(body, 'a' + (int)k, n);
			assert_int_equal(send_one("PATCH", body, n, &resp, false), 0);
			assert_int_equal(resp.status, 200);
			hf_transport_response_clear(&resp);
			assert_true(F.request_len > RESTREQ + MAXW || F.request_len < BUF);
			snprintf(text, sizeof(text), "Content-Length: %zu\r\n", n);
			assert_non_null(memmem(F.request, F.request_len, text, strlen(text)));
			assert_memory_equal(F.request + F.request_len - n, body, n);
			assert_int_equal(blobs_left(), 0);
		}
	hf_transport_close(&T);
}

static void test_reply_in_blob(void **state)
{
	struct hf_transport_response resp = { 0 };
	static char answer[4096];
	size_t n = 1000, i;
	int len;

	len = snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
	for (i = 0; i < n; i++)
		answer[len + i] = (char)('A' + i % 26);
	F.answer = answer;
	F.answer_len = (size_t)len + n;
	assert_int_equal(open_chif(NULL, NULL), 0);
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), 0);
	assert_int_equal(resp.body.len, n);
	assert_memory_equal(resp.body.data, answer + len, n);
	assert_int_equal(blobs_left(), 0);
	hf_transport_response_clear(&resp);
	/* a failed read deletes the response blob too */
	F.error_on_cmd[5] = 12;
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), -EPROTO);
	assert_int_equal(blobs_left(), 0);
	F.error_on_cmd[5] = 0;
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
}

static void test_delete_on_error_paths(void **state)
{
	struct hf_transport_response resp = { 0 };
	char body[1000];

	memset(body, 'z', sizeof(body));
	assert_int_equal(open_chif(NULL, NULL), 0);
	F.error_on_cmd[3] = 2; /* finalize: bad parameter */
	assert_int_equal(send_one("PATCH", body, sizeof(body), &resp, false), -EPROTO);
	assert_non_null(strstr(err, "bad parameter"));
	assert_int_equal(blobs_left(), 0);
	F.error_on_cmd[3] = 0;
	F.error_on_cmd[2] = 12; /* write: not found */
	assert_int_equal(send_one("PATCH", body, sizeof(body), &resp, false), -EPROTO);
	assert_int_equal(blobs_left(), 0);
	F.error_on_cmd[2] = 0;
	F.error_on_cmd[9] = 12; /* the REST request itself */
	assert_int_equal(send_one("PATCH", body, sizeof(body), &resp, false), -EPROTO);
	assert_int_equal(blobs_left(), 0);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
}

static void test_malformed_reply(void **state)
{
	struct hf_transport_response resp = { 0 };

	F.answer = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}";
	F.answer_len = strlen(F.answer);
	assert_int_equal(open_chif(NULL, NULL), 0);
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), -EPROTO);
	F.answer = "garbage";
	F.answer_len = 7;
	assert_int_equal(send_one("GET", NULL, 0, &resp, false), -EPROTO);
	assert_int_equal(blobs_left(), 0);
	hf_transport_response_clear(&resp);
	hf_transport_close(&T);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_missing_library, setup),
		cmocka_unit_test_setup(test_missing_symbol, setup),
		cmocka_unit_test_setup(test_ping_no_driver, setup),
		cmocka_unit_test_setup(test_ping_not_root, setup),
		cmocka_unit_test_setup(test_security_states, setup),
		cmocka_unit_test_setup(test_small_inline, setup),
		cmocka_unit_test_setup(test_seq_mismatch_then_success, setup),
		cmocka_unit_test_setup(test_seq_mismatch_forever_bounded, setup),
		cmocka_unit_test_setup(test_no_resend, setup),
		cmocka_unit_test_setup(test_reset_recreates_channel, setup),
		cmocka_unit_test_setup(test_blob_boundaries, setup),
		cmocka_unit_test_setup(test_reply_in_blob, setup),
		cmocka_unit_test_setup(test_delete_on_error_paths, setup),
		cmocka_unit_test_setup(test_malformed_reply, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
