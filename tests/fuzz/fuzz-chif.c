/* SPDX-License-Identifier: MIT */
/*
 * fuzz-chif.c - the CHIF backend (lib/transport/chif.c: packet exchange, sequence checks, channel
 * re-creation, blobstore replies, blob reads and writes in fragments, the inline and blob
 * answers, then http1.c and the client) under hf_client, with a fake vendor library whose
 * replies come from the fuzz input.  As in tests/unit/test-chif.c the library lives in this
 * program: dlopen/dlsym/dlclose are wrapped (-Wl,--wrap) and answer for one made-up file
 * name, passing every other call through.  nanosleep and getrandom are wrapped too, so that
 * retries do not wait and blob keys are reproducible.
 *
 * Input:
 *   byte 0   packet sizes: 0 small (a 256-byte buffer, 48-byte fragments), 1 large (8 KiB),
 *            anything else: 11 little-endian u16 from the next 22 bytes (buffer, max write,
 *            max read, create/finalize/info/delete request, write request, read request,
 *            rest request, rest blob request, fixed response, blob response header,
 *            security request), so that the backend's check of them is fuzzed as well;
 *   byte 1   flags: 1 security required, 2 give a user name and password, 4 the credentials
 *            are refused, 8 ChifPing fails on the first channel, 16 retries = 2, 32 the PATCH
 *            body is large (the request goes in a blob);
 *   then     one record per ChifPacketExchange call: a control byte (bits 0-1: the call
 *            returns 0, 0, 19 "no driver" or 5; bit 2: keep the record's sequence number
 *            instead of answering the request's), a little-endian u16 length and that many
 *            bytes copied to the start of the reply buffer (the rest is zero).
 *            When the records run out, every call returns 19.
 *
 * The script: GET the service root, GET a system, PATCH it, free the client (logging out
 * when a session was made).  Journal and slot files go to a private directory
 * (fuzz-runtime.h).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "lib/transport/chif.h"
#include "tests/fuzz/fuzz-runtime.h"

#define FAKE_LIBRARY "fuzz-chif-fake-library.so"
#define MAX_PACKET (1u << 20) /* chif.c's own bound on the library's sizes */
#define FUZZ_MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
void *__real_dlopen(const char *file, int mode);
void *__real_dlsym(void *handle, const char *name);
int __real_dlclose(void *handle);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags);

enum { S_BUF, S_MAXW, S_MAXR, S_KEY, S_WRITE, S_READ, S_REST, S_RESTBLOB, S_FIXED, S_BHDR,
       S_SEC, S_N };

static const int small_sizes[S_N] = { 256, 128, 128, 72, 80, 80, 76, 104, 24, 16, 16 };
static const int large_sizes[S_N] = { 8192, 4096, 4096, 72, 80, 80, 76, 104, 24, 16, 16 };

static struct {
	int sizes[S_N];
	const uint8_t *p, *end; /* records not yet used */
	bool security, verify_fails, ping_fails;
	unsigned seq;
} F;

static unsigned char *packet; /* MAX_PACKET bytes: what the builders return */
static int fake_handle, fake_channel;

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

/* ---- the fake library ---- */

static unsigned char *build(int size_index, unsigned extra, unsigned cmd)
{
	size_t size = (size_t)F.sizes[size_index] + extra;

	if (size > MAX_PACKET)
		size = MAX_PACKET;
	memset(packet, 0, size);
	put16(packet, (unsigned)size);
	put16(packet + 2, ++F.seq & 0xffff);
	put16(packet + 4, cmd);
	return packet;
}

static int f_init(void *r) { return 0; }
static int f_create(void **h) { *h = &fake_channel; return 0; }
static int f_ping(void *h)
{
	if (F.ping_fails) {
		F.ping_fails = false;
		return HF_CHIF_ERR_NO_DRIVER;
	}
	return 0;
}
static int f_timeout(void *h, int ms) { return 0; }
static int f_close(void *h) { return h == &fake_channel ? 0 : (abort(), 0); }
static int f_secreq(void) { return F.security; }
static unsigned char *f_creds(const char *u, const char *p) { return build(S_SEC, 0, 11); }
static int f_verify(void) { return F.verify_fails ? HF_CHIF_ERR_ACCESS_DENIED : 0; }
static int f_disable(void) { return 0; }
static unsigned char *f_secstate(void) { return build(S_SEC, 0, 10); }
static unsigned char *f_blobcreate(const char *k, const char *ns) { return build(S_KEY, 0, 1); }
static unsigned char *f_finalize(const char *k, const char *ns) { return build(S_KEY, 0, 3); }
static unsigned char *f_info(const char *k, const char *ns) { return build(S_KEY, 0, 4); }
static unsigned char *f_delete(const char *k, const char *ns) { return build(S_KEY, 0, 6); }
static unsigned char *f_write(unsigned o, unsigned n, const char *k, const char *ns)
{
	return build(S_WRITE, 0, 2);
}
static unsigned char *f_read(unsigned o, unsigned n, const char *k, const char *ns)
{
	return build(S_READ, 0, 5);
}
static unsigned char *f_rest(unsigned len, const char *k, const char *ns)
{
	return build(S_REST, 0, 8);
}
static unsigned char *f_restblob(const char *rq, const char *rs, const char *ns)
{
	return build(S_RESTBLOB, 0, 9);
}
static int s_buf(void) { return F.sizes[S_BUF]; }
static int s_maxw(void) { return F.sizes[S_MAXW]; }
static int s_maxr(void) { return F.sizes[S_MAXR]; }
static int s_key(void) { return F.sizes[S_KEY]; }
static int s_write(void) { return F.sizes[S_WRITE]; }
static int s_read(void) { return F.sizes[S_READ]; }
static int s_rest(void) { return F.sizes[S_REST]; }
static int s_restblob(void) { return F.sizes[S_RESTBLOB]; }
static int s_fixed(void) { return F.sizes[S_FIXED]; }
static int s_bhdr(void) { return F.sizes[S_BHDR]; }
static int s_sec(void) { return F.sizes[S_SEC]; }
static void f_rand(unsigned short v) { F.seq = v; }

/* The BMC: the next record of the input. */
static int f_exchange(void *h, const void *sendv, void *recvv, int size)
{
	const unsigned char *s = sendv;
	unsigned char *in = recvv;
	unsigned ctl, len;

	if (h != &fake_channel || size != F.sizes[S_BUF] || get16(s) > (unsigned)size)
		abort();
	memset(in, 0, (size_t)size);
	if (F.end - F.p < 3) {
		F.p = F.end;
		return HF_CHIF_ERR_NO_DRIVER;
	}
	ctl = F.p[0];
	len = get16(F.p + 1);
	F.p += 3;
	if (len > (size_t)(F.end - F.p))
		len = (unsigned)(F.end - F.p);
	memcpy(in, F.p, len < (unsigned)size ? len : (unsigned)size);
	F.p += len;
	if (!(ctl & 4) && size >= 4)
		put16(in + 2, get16(s + 2));
	switch (ctl & 3) {
	case 2:
		return HF_CHIF_ERR_NO_DRIVER;
	case 3:
		return 5;
	default:
		return 0;
	}
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
	{ "size_of_writeRequest", s_write }, { "size_of_finalizeRequest", s_key },
	{ "size_of_infoRequest", s_key }, { "size_of_readRequest", s_read },
	{ "size_of_deleteRequest", s_key }, { "size_of_restImmediateRequest", s_rest },
	{ "size_of_restBlobRequest", s_restblob }, { "size_of_restResponseFixed", s_fixed },
	{ "size_of_responseHeaderBlob", s_bhdr }, { "size_of_securityStateRequest", s_sec },
	{ "max_read_size", s_maxr }, { "max_write_size", s_maxw },
	{ "get_max_buffer_size", s_buf }, { "updaterandval", f_rand },
};

void *__wrap_dlopen(const char *file, int mode)
{
	if (file && strcmp(file, FAKE_LIBRARY) == 0)
		return &fake_handle;
	return __real_dlopen(file, mode);
}

void *__wrap_dlsym(void *handle, const char *name)
{
	size_t i;

	if (handle != &fake_handle)
		return __real_dlsym(handle, name);
	for (i = 0; i < HF_ARRAY_SIZE(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].fn;
	return NULL;
}

int __wrap_dlclose(void *handle)
{
	if (handle == &fake_handle)
		return 0;
	return __real_dlclose(handle);
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return 0;
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags)
{
	static unsigned char next = 1;
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = next++;
	return (ssize_t)len;
}

/* ---- the script ---- */

static void log_cb(void *userdata, int level, const char *message)
{
	static int verbose = -1;

	/* FUZZ_VERBOSE=1: show what the client says, to check a seed does what it should */
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%d %.300s\n", level, message);
	(void)strlen(message);
}

static void inspect(hf_client *c, int r, hf_response *resp)
{
	const hf_error *e;
	const char *body;
	size_t len;

	if (r < 0) {
		e = hf_client_last_error(c);
		if (resp || !e || !e->message || e->code != r)
			abort();
		return;
	}
	body = hf_response_body(resp, &len);
	if (body && body[len] != '\0')
		abort();
	(void)hf_response_json(resp);
	(void)hf_response_redfish_error(resp);
	hf_response_free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[3000];
	hf_options o;
	hf_client *c = NULL;
	hf_response *resp;
	struct json_object *body;
	unsigned flags, i;
	int r;

	if (size < 2 || size > FUZZ_MAX_INPUT)
		return 0;
	if (!packet) {
		packet = malloc(MAX_PACKET);
		if (!packet)
			abort();
		memset(big, 'x', sizeof(big) - 1);
	}
	fuzz_runtime_setup();
	memset(&F, 0, sizeof(F));
	if (data[0] == 0) {
		memcpy(F.sizes, small_sizes, sizeof(F.sizes));
		data += 1;
		size -= 1;
	} else if (data[0] == 1) {
		memcpy(F.sizes, large_sizes, sizeof(F.sizes));
		data += 1;
		size -= 1;
	} else {
		if (size < 1 + 2 * S_N + 1)
			return 0;
		for (i = 0; i < S_N; i++)
			F.sizes[i] = (int)get16(data + 1 + 2 * i);
		data += 1 + 2 * S_N;
		size -= 1 + 2 * S_N;
	}
	flags = data[0];
	F.p = data + 1;
	F.end = data + size;
	F.security = flags & 1;
	F.verify_fails = flags & 4;
	F.ping_fails = flags & 8;

	hf_options_init(&o, HF_OPTIONS_VERSION);
	o.transport = "chif";
	o.chif_library = FAKE_LIBRARY;
	o.retries = flags & 16 ? 2 : 0;
	o.log_fn = log_cb;
	o.log_level = HF_LOG_DEBUG;
	o.slot_wait_ms = 1;
	if (flags & 2) {
		o.username = "admin";
		o.password = "fuzz-Pa55word";
	}
	r = hf_client_new(&c, &o);
	if (r < 0)
		return 0; /* refused sizes, credentials or channel: fine, nothing leaked */

	resp = NULL;
	r = hf_get(c, "/redfish/v1/", &resp);
	inspect(c, r, resp);

	resp = NULL;
	r = hf_get(c, "/redfish/v1/Systems/1", &resp);
	inspect(c, r, resp);

	body = json_object_new_object();
	if (body) {
		json_object_object_add(body, "AssetTag",
				       json_object_new_string(flags & 32 ? big : "fuzz"));
		resp = NULL;
		r = hf_request_json(c, "PATCH", "/redfish/v1/Systems/1", NULL, body, &resp);
		inspect(c, r, resp);
		json_object_put(body);
	}
	hf_client_free(c);
	fuzz_runtime_forget_journal();
	return 0;
}
