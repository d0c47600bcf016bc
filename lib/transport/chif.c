/* SPDX-License-Identifier: MIT */
/*
 * chif.c - the CHIF backend: Redfish over iLO 5/6's CHIF channel (the hpilo driver), through
 * HPE's blobstore2 protocol as HPE's own library builds it (see chif.h).
 *
 * One request: serialise it as HTTP/1.1 text (http1.c); if it fits, send it inline with
 * rest_immediate, else write it into a blob with fresh random keys in namespace "volatile"
 * (create, fragments of max_write_size, finalize) and send rest_immediate_blobdesc.  The
 * answer comes inline (receive mode 0) or in a blob (mode 1: get_info, fragments of
 * max_read_size, delete).  Both blobs are deleted on every path once they may exist.
 *
 * One connection = one CHIF channel (ChifCreate ... ChifClose): chif-channel.c, which also
 * makes every call into HPE's library under the process-wide lock (chif-lib.c).
 *
 * Every loop is bounded (python-ilorest-library's can spin forever on sequence mismatches):
 *   CHIF_TRIES      exchanges of one packet on one channel (failure or wrong sequence)
 *   CHIF_REOPENS    re-creations of the channel after CHIF_TRIES failures (a BMC reset kills
 *                   every open channel until it is reopened)
 *   CHIF_BLOB_RETRIES  "bad parameter" answers to get_info/delete, and empty reads, as
 *                   python-ilorest-library retries them (max_retries = 3)
 *   fragment loops  at most size / fragment + 1 iterations, the size being bounded first.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "chif-int.h"
#include "http1.h"

#define CHIF_BLOB_RETRIES 3
#define CHIF_NAMESPACE "volatile"
#define CHIF_KEY_LEN 10 /* as python-ilorest-library: 10 letters and digits */
#define CHIF_MAX_PACKET (1u << 20) /* sanity bound on what the library reports */
#define CHIF_MAX_REQUEST HF_MAX_INPUT_SIZE
#define CHIF_MAX_STREAM ((size_t)UINT32_MAX - CHIF_MAX_REQUEST) /* head + body < 4 GiB */
#define CHIF_CLEANUP_MS 5000 /* deleting a blob after a failure */

static const char *const security_states[] = {
	[3] = "Production", [4] = "HighSecurity", [5] = "FIPS", [6] = "CNSA",
	[7] = "SecureStandard",
};

static int random_key(char key[CHIF_KEY_LEN + 1])
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[CHIF_KEY_LEN];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (i = 0; i < CHIF_KEY_LEN; i++)
		key[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	key[CHIF_KEY_LEN] = '\0';
	return 0;
}

/* ---- blobs --------------------------------------------------------------------------------- */

static int blob_error(const char *what, const char *key, uint32_t code, char *errbuf,
		      size_t errlen)
{
	snprintf(errbuf, errlen, "CHIF: blob %s of %s failed: %s (%u)", what, key,
		 code == HF_CHIF_BLOB_BADPARAMETER ? "bad parameter"
		 : code == HF_CHIF_BLOB_NOTFOUND ? "not found"
						 : "error",
		 code);
	return -EPROTO;
}

static int blob_simple(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
		       const char *what, uint32_t *code, char *errbuf, size_t errlen)
{
	unsigned sends = 0;
	int r = hf_chif_exchange_packet(ctx, conn, pkt, true, &sends, errbuf, errlen);

	if (r < 0)
		return r;
	*code = get32(pkt->in + 8);
	return 0;
}

/* Best effort: errors are logged, the caller's error stays. */
static void blob_delete(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
			const char *key)
{
	const struct hf_transport_request *req = pkt->req;
	int64_t deadline = pkt->deadline;
	char err[256];
	uint32_t code = 0;
	unsigned i;

	/* the clean-up runs even when the request was interrupted or its time is up: on a
	 * bound of its own */
	pkt->req = NULL;
	pkt->deadline = hf_now_ms() + CHIF_CLEANUP_MS;
	for (i = 0; i < CHIF_BLOB_RETRIES; i++) {
		if (BUILD(ctx, pkt, ctx->key_req, sym_delete_blob(key, CHIF_NAMESPACE), err,
			  sizeof(err)) < 0 ||
		    blob_simple(ctx, conn, pkt, "delete", &code, err, sizeof(err)) < 0) {
			hf_log_warning(ctx->log, "chif: blob %s may be left on the iLO: %s", key,
				       err);
			code = HF_CHIF_BLOB_SUCCESS; /* said already */
			break;
		}
		if (code != HF_CHIF_BLOB_BADPARAMETER)
			break;
	}
	if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED &&
	    code != HF_CHIF_BLOB_NOTFOUND)
		hf_log_warning(ctx->log, "chif: deleting blob %s answered error %u", key, code);
	pkt->req = req;
	pkt->deadline = deadline;
}

/*
 * What goes into a request blob: the serialised head (or the whole request) and, for a
 * streamed body, the stream after it.  Each fragment is filled straight from these into the
 * packet, so a streamed body never exists whole in memory.
 */
struct blob_source {
	const unsigned char *head;
	size_t head_len;
	const struct hf_body_stream *stream; /* NULL: head is everything */
	size_t pos; /* bytes delivered so far */
	size_t total;
};

static int source_fill(struct blob_source *src, unsigned char *dst, size_t count, char *errbuf,
		       size_t errlen)
{
	size_t done = 0, got;
	int r;

	while (done < count) {
		if (src->pos < src->head_len) {
			got = src->head_len - src->pos;
			if (got > count - done)
				got = count - done;
			memcpy(dst + done, src->head + src->pos, got);
		} else {
			got = 0;
			r = src->stream ? src->stream->read(src->stream->userdata, dst + done,
							    count - done, &got)
					: -EIO;
			if (r == 0 && (got == 0 || got > count - done))
				r = -EIO; /* the source ended early (a file that shrank) */
			if (r < 0) {
				snprintf(errbuf, errlen,
					 "CHIF: reading the body from %s failed after %zu bytes: %s",
					 src->stream && src->stream->label ? src->stream->label
									   : "its source",
					 src->pos - src->head_len,
					 r == -ECANCELED ? "cancelled" : strerror(-r));
				return r;
			}
		}
		done += got;
		src->pos += got;
	}
	return 0;
}

static int blob_write(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
		      const char *key, struct blob_source *src, char *errbuf, size_t errlen)
{
	size_t frag = ctx->max_write - ctx->write_req, off = 0, count, len = src->total;
	uint32_t code = 0;
	int r;

	r = BUILD(ctx, pkt, ctx->key_req, sym_create_not_blobentry(key, CHIF_NAMESPACE), errbuf,
			  errlen);
	if (r == 0)
		r = blob_simple(ctx, conn, pkt, "create", &code, errbuf, errlen);
	if (r < 0)
		return r;
	if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED)
		return blob_error("create", key, code, errbuf, errlen);
	/* len / frag + 1 iterations at most; a fragment is read once and may be resent as is */
	while (off < len) {
		count = len - off < frag ? len - off : frag;
		r = BUILD(ctx, pkt, ctx->write_req,
			  sym_write_fragment((unsigned)off, (unsigned)count, key, CHIF_NAMESPACE),
			  errbuf, errlen);
		if (r < 0)
			return r;
		r = source_fill(src, pkt->out + ctx->write_req, count, errbuf, errlen);
		if (r < 0)
			return r;
		pkt->out_len = ctx->write_req + count;
		r = blob_simple(ctx, conn, pkt, "write", &code, errbuf, errlen);
		hf_wipe(pkt->out + ctx->write_req, count); /* request text: may hold secrets */
		if (r < 0)
			return r;
		if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED)
			return blob_error("write", key, code, errbuf, errlen);
		off += count;
	}
	r = BUILD(ctx, pkt, ctx->key_req, sym_finalize_blob(key, CHIF_NAMESPACE), errbuf,
			  errlen);
	if (r == 0)
		r = blob_simple(ctx, conn, pkt, "finalize", &code, errbuf, errlen);
	if (r < 0)
		return r;
	if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED)
		return blob_error("finalize", key, code, errbuf, errlen);
	return 0;
}

static int blob_read(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
		     const char *key, size_t max, struct hf_buf *out, char *errbuf, size_t errlen)
{
	size_t frag = ctx->max_read - ctx->read_req, size, count, got;
	unsigned retries = 0;
	uint32_t code = 0;
	int r;

	for (;;) { /* at most CHIF_BLOB_RETRIES + 1 rounds */
		r = BUILD(ctx, pkt, ctx->key_req, sym_get_info(key, CHIF_NAMESPACE), errbuf,
			  errlen);
		if (r == 0)
			r = blob_simple(ctx, conn, pkt, "info", &code, errbuf, errlen);
		if (r < 0)
			return r;
		if (code != HF_CHIF_BLOB_BADPARAMETER || ++retries > CHIF_BLOB_RETRIES)
			break;
	}
	if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED)
		return blob_error("get_info", key, code, errbuf, errlen);
	size = get32(pkt->in + ctx->blob_hdr);
	if (size > max) {
		snprintf(errbuf, errlen, "CHIF: the response blob has %zu bytes, over the limit",
			 size);
		return -EFBIG;
	}
	retries = 0;
	/* size / frag + CHIF_BLOB_RETRIES + 1 iterations at most */
	while (out->len < size) {
		count = size - out->len < frag ? size - out->len : frag;
		r = BUILD(ctx, pkt, ctx->read_req,
			  sym_read_fragment((unsigned)out->len, (unsigned)count, key,
					    CHIF_NAMESPACE),
			  errbuf, errlen);
		if (r == 0)
			r = blob_simple(ctx, conn, pkt, "read", &code, errbuf, errlen);
		if (r < 0)
			return r;
		if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED)
			return blob_error("read", key, code, errbuf, errlen);
		got = get32(pkt->in + ctx->blob_hdr);
		if (got == 0 || got > count || ctx->blob_hdr + 4 + got > ctx->max_buffer) {
			if (++retries > CHIF_BLOB_RETRIES) {
				snprintf(errbuf, errlen,
					 "CHIF: reading blob %s returned %zu bytes for %zu", key,
					 got, count);
				return -EPROTO;
			}
			continue;
		}
		r = hf_buf_append(out, pkt->in + ctx->blob_hdr + 4, got);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the backend --------------------------------------------------------------------------- */

static int read_sizes(struct chif_ctx *ctx, char *errbuf, size_t errlen)
{
	const struct hf_chif_lib *l = &ctx->lib;
	int v[11], i, same[3];

	hf_chif_lock();
	v[0] = l->sym_get_max_buffer_size();
	v[1] = l->sym_max_write_size();
	v[2] = l->sym_max_read_size();
	v[3] = l->sym_size_of_createRequest();
	v[4] = l->sym_size_of_writeRequest();
	v[5] = l->sym_size_of_readRequest();
	v[6] = l->sym_size_of_restImmediateRequest();
	v[7] = l->sym_size_of_restBlobRequest();
	v[8] = l->sym_size_of_restResponseFixed();
	v[9] = l->sym_size_of_responseHeaderBlob();
	v[10] = l->sym_size_of_securityStateRequest();
	same[0] = l->sym_size_of_finalizeRequest();
	same[1] = l->sym_size_of_infoRequest();
	same[2] = l->sym_size_of_deleteRequest();
	hf_chif_unlock();
	for (i = 0; i < 11; i++)
		if (v[i] < 8 || (unsigned)v[i] > CHIF_MAX_PACKET || v[i] > v[0])
			goto bad;
	/* every packet we build must fit, and each fragment must carry data */
	if (same[0] != v[3] || same[1] != v[3] || same[2] != v[3] || v[4] >= v[1] || v[5] >= v[2] ||
	    v[8] < 20 || v[9] < 12 || v[9] + 4 >= v[0] || v[8] >= v[0])
		goto bad;
	ctx->max_buffer = (size_t)v[0];
	ctx->max_write = (size_t)v[1];
	ctx->max_read = (size_t)v[2];
	ctx->key_req = (size_t)v[3];
	ctx->write_req = (size_t)v[4];
	ctx->read_req = (size_t)v[5];
	ctx->rest_req = (size_t)v[6];
	ctx->rest_blob_req = (size_t)v[7];
	ctx->rest_fixed = (size_t)v[8];
	ctx->blob_hdr = (size_t)v[9];
	ctx->security_req = (size_t)v[10];
	return 0;
bad:
	snprintf(errbuf, errlen, "CHIF library %s reports inconsistent packet sizes",
		 ctx->lib.path);
	return -ENOTSUP;
}

static const char *state_name(int state)
{
	if (state >= 0 && (size_t)state < HF_ARRAY_SIZE(security_states) &&
	    security_states[state])
		return security_states[state];
	return NULL;
}

/* The iLO's security state, asked on an open channel; -1 if unknown. */
static int query_state(struct chif_ctx *ctx, struct chif_conn *conn)
{
	char err[256];
	unsigned sends = 0;
	struct packet pkt = { 0 };
	int state = -1;

	pkt.out = calloc(2, ctx->max_buffer);
	if (!pkt.out)
		return -1;
	pkt.in = pkt.out + ctx->max_buffer;
	if (BUILD(ctx, &pkt, ctx->security_req, sym_get_security_state(), err,
		  sizeof(err)) == 0 &&
	    hf_chif_exchange_packet(ctx, conn, &pkt, true, &sends, err, sizeof(err)) == 0 &&
	    get32(pkt.in + 8) == 0 && ctx->max_buffer > 72)
		state = pkt.in[72];
	free(pkt.out);
	return state;
}

static int chif_security(struct chif_ctx *ctx, const struct hf_transport_config *cfg,
			 struct chif_conn *probe, char *errbuf, size_t errlen)
{
	const char *name;
	int st = 0, state;

	/* one critical section: the answer and what is done with it are library-wide state */
	hf_chif_lock();
	if (ctx->lib.sym_ChifIsSecurityRequired() <= 0) {
		/* Production: root uses the channel without credentials */
		ctx->lib.sym_ChifDisableSecurity();
		hf_chif_unlock();
		return 0;
	}
	if (cfg->username && cfg->password) {
		/* the library keeps the credentials for the channels made after them */
		ctx->lib.sym_initiate_credentials(cfg->username, cfg->password);
		st = ctx->lib.sym_ChifVerifyCredentials();
	}
	hf_chif_unlock();
	if (cfg->username && cfg->password) {
		if (st == 0)
			return 0;
		state = query_state(ctx, probe);
		name = state_name(state);
		if (st == HF_CHIF_ERR_ACCESS_DENIED) {
			snprintf(errbuf, errlen,
				 "CHIF: the iLO rejected the credentials of user %.64s (security "
				 "state %s)",
				 cfg->username, name ? name : "unknown");
			return -EACCES;
		}
		snprintf(errbuf, errlen, "CHIF: verifying the credentials failed (error %d)", st);
		return -ECONNREFUSED;
	}
	state = query_state(ctx, probe);
	name = state_name(state);
	if (name)
		snprintf(errbuf, errlen,
			 "CHIF: the iLO is in security state %s, which requires credentials on "
			 "the host channel: give a user name and password",
			 name);
	else
		snprintf(errbuf, errlen,
			 "CHIF: the iLO's security state (%d) requires credentials on the host "
			 "channel: give a user name and password",
			 state);
	return -EACCES;
}

static void chif_fini(void *p)
{
	struct chif_ctx *ctx = p;

	if (!ctx)
		return;
	hf_chif_lib_close(&ctx->lib);
	free(ctx);
}

static int chif_init(const struct hf_transport_config *cfg, void **out, char *errbuf,
		     size_t errlen)
{
	struct chif_conn probe = { NULL };
	struct chif_ctx *ctx;
	unsigned short rnd;
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->log = cfg->log;
	r = hf_chif_lib_open(cfg->chif_library, &ctx->lib, errbuf, errlen);
	if (r < 0)
		goto fail;
	hf_log_debug(ctx->log, "chif: using %s", ctx->lib.path);
	r = read_sizes(ctx, errbuf, errlen);
	if (r < 0)
		goto fail;
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (unsigned short)getpid();
	hf_chif_lock();
	/* library-wide: every client of the process initialises the one library again, as
	 * each of python-ilorest-library's channels does */
	ctx->lib.sym_ChifInitialize(NULL);
	ctx->lib.sym_updaterandval(rnd ? rnd : 1);
	hf_chif_unlock();
	r = hf_chif_channel_open(ctx, &probe.handle, errbuf, errlen);
	if (r < 0)
		goto fail;
	r = chif_security(ctx, cfg, &probe, errbuf, errlen);
	hf_chif_channel_close(ctx, &probe.handle);
	if (r < 0)
		goto fail;
	*out = ctx;
	return 0;
fail:
	chif_fini(ctx);
	return r;
}

static int chif_probe(const struct hf_transport_config *cfg, char *why, size_t whylen)
{
	struct hf_chif_lib lib;
	int r;

	if (access("/dev/hpilo", F_OK) != 0) {
		snprintf(why, whylen, "no /dev/hpilo (the hpilo driver is not loaded)");
		return -ENODEV;
	}
	r = hf_chif_lib_open(cfg->chif_library, &lib, why, whylen);
	if (r < 0)
		return r;
	hf_chif_lib_close(&lib);
	return 0;
}

static const char *chif_endpoint(void *p)
{
	return "chif://localhost";
}

static int chif_conn_open(void *p, void **out, char *errbuf, size_t errlen)
{
	struct chif_ctx *ctx = p;
	struct chif_conn *conn = calloc(1, sizeof(*conn));
	int r;

	if (!conn)
		return -ENOMEM;
	r = hf_chif_channel_open(ctx, &conn->handle, errbuf, errlen);
	if (r < 0) {
		free(conn);
		return r;
	}
	*out = conn;
	return 0;
}

static void chif_conn_close(void *p, void *c)
{
	struct chif_ctx *ctx = p;
	struct chif_conn *conn = c;

	if (!conn)
		return;
	hf_chif_channel_close(ctx, &conn->handle);
	free(conn);
}

/* The REST operation proper: the request is in text (wiped by the caller). */
static int rest(struct chif_ctx *ctx, struct chif_conn *conn, struct packet *pkt,
		const struct hf_transport_request *req, const struct hf_buf *text,
		struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	char req_key[CHIF_KEY_LEN + 1], rsp_key[CHIF_KEY_LEN + 1];
	struct hf_buf answer = { 0 };
	bool req_blob = false, rsp_blob = false;
	const unsigned char *data;
	uint32_t code, mode, len;
	size_t max_answer;
	unsigned sends;
	int r;

	r = random_key(req_key);
	if (r == 0)
		r = random_key(rsp_key);
	if (r < 0) {
		snprintf(errbuf, errlen, "CHIF: no random numbers for the blob keys");
		return r;
	}
	/* python-ilorest-library's test, bounded by what one packet can hold; a streamed body
	 * always goes through a blob */
	if (!req->stream && text->len < ctx->rest_req + ctx->max_write &&
	    ctx->rest_req + text->len <= ctx->max_buffer) {
		r = BUILD(ctx, pkt, ctx->rest_req,
			  sym_rest_immediate((unsigned)text->len, rsp_key, CHIF_NAMESPACE), errbuf,
			  errlen);
		if (r < 0)
			goto out;
		memcpy(pkt->out + ctx->rest_req, text->data, text->len);
		pkt->out_len = ctx->rest_req + text->len;
	} else {
		struct blob_source src = {
			.head = (const unsigned char *)text->data,
			.head_len = text->len,
			.stream = req->stream,
			.total = text->len + (req->stream ? req->stream->length : 0),
		};

		req_blob = true; /* from here on, delete it on every path */
		r = blob_write(ctx, conn, pkt, req_key, &src, errbuf, errlen);
		if (r < 0)
			goto out;
		r = BUILD(ctx, pkt, ctx->rest_blob_req,
			  sym_rest_immediate_blobdesc(req_key, rsp_key, CHIF_NAMESPACE), errbuf,
			  errlen);
		if (r < 0)
			goto out;
	}
	rsp_blob = true; /* the iLO may write the answer to rsp_key from now on */
	r = hf_chif_exchange_packet(ctx, conn, pkt, !req->no_resend, &resp->sends, errbuf, errlen);
	hf_wipe(pkt->out, ctx->max_buffer);
	if (r < 0)
		goto out;
	code = get32(pkt->in + 8);
	mode = get32(pkt->in + 12);
	len = get32(pkt->in + 16);
	if (code != HF_CHIF_BLOB_SUCCESS && code != HF_CHIF_BLOB_NOTMODIFIED) {
		snprintf(errbuf, errlen, "CHIF: the iLO refused the request: blobstore error %u%s",
			 code,
			 code == HF_CHIF_BLOB_NOTFOUND ? " (not found)"
			 : code == HF_CHIF_BLOB_BADPARAMETER ? " (bad parameter)"
							     : "");
		r = -EPROTO;
		goto out;
	}
	if (mode == 0) {
		rsp_blob = false; /* answered inline: no blob was made */
		if (len > ctx->max_buffer - ctx->rest_fixed) {
			snprintf(errbuf, errlen, "CHIF: inline answer of %u bytes overruns the "
						 "packet",
				 len);
			r = -EPROTO;
			goto out;
		}
		data = pkt->in + ctx->rest_fixed;
	} else if (mode == 1) {
		max_answer = req->max_body > SIZE_MAX / 2 ? SIZE_MAX / 2 : req->max_body;
		max_answer += HF_HTTP1_MAX_HEADER_BYTES + 64 * 1024; /* headers, chunk framing */
		r = blob_read(ctx, conn, pkt, rsp_key, max_answer, &answer, errbuf, errlen);
		if (r < 0)
			goto out;
		data = (const unsigned char *)answer.data;
		len = (uint32_t)answer.len;
	} else {
		snprintf(errbuf, errlen, "CHIF: unknown receive mode %u", mode);
		r = -EPROTO;
		goto out;
	}
	sends = resp->sends; /* the parser writes the whole response on success */
	r = hf_http1_parse_response(data ? data : (const unsigned char *)"", len, req->method,
				    req->max_body, resp, errbuf, errlen);
	resp->sends = sends;
out:
	if (req_blob)
		blob_delete(ctx, conn, pkt, req_key);
	if (rsp_blob)
		blob_delete(ctx, conn, pkt, rsp_key);
	hf_buf_free(&answer);
	return r;
}

static int chif_exchange(void *p, void *c, const struct hf_transport_request *req,
			 struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	struct chif_ctx *ctx = p;
	struct chif_conn *conn = c;
	struct hf_buf text = { 0 };
	struct packet pkt = { 0 };
	long timeout;
	int r;

	if (!conn) {
		snprintf(errbuf, errlen, "CHIF: no channel");
		return -ECONNREFUSED;
	}
	/* blob offsets are 32-bit: a streamed body (sent after the head) stays below 4 GiB */
	if (req->stream && req->stream->length > CHIF_MAX_STREAM) {
		snprintf(errbuf, errlen, "CHIF: a body of %zu bytes is over the blob limit of %zu",
			 req->stream->length, (size_t)CHIF_MAX_STREAM);
		return -EFBIG;
	}
	/* the Host field is empty, as HPE's client sends it over CHIF; with a stream, the
	 * text is the head only and the body is read into the blob fragment by fragment */
	r = hf_http1_serialize(req, NULL, CHIF_MAX_REQUEST, &text);
	if (r < 0) {
		snprintf(errbuf, errlen, "CHIF: cannot serialise the request: %s", strerror(-r));
		return r;
	}
	pkt.out = calloc(2, ctx->max_buffer);
	if (!pkt.out) {
		r = -ENOMEM;
		goto out;
	}
	pkt.in = pkt.out + ctx->max_buffer;
	timeout = req->timeout_ms > 0 && req->timeout_ms < INT32_MAX ? req->timeout_ms
								       : CHIF_DEFAULT_TIMEOUT_MS;
	pkt.req = req;
	/* a streamed upload is bounded by its progress (each packet), not as a whole */
	pkt.deadline = req->stream ? 0 : hf_now_ms() + timeout;
	pkt.recv_timeout = timeout;
	r = rest(ctx, conn, &pkt, req, &text, resp, errbuf, errlen);
	if (resp->sends == 0)
		resp->sends = 1;
out:
	if (pkt.out) {
		hf_wipe(pkt.out, 2 * ctx->max_buffer);
		free(pkt.out);
	}
	if (text.data)
		hf_wipe(text.data, text.len);
	hf_buf_free(&text);
	return r;
}

const struct hf_transport_ops hf_transport_chif = {
	.abi = HF_TRANSPORT_ABI,
	.name = "chif",
	.caps = HF_TCAP_INBAND,
	.description = "iLO 5/6 CHIF channel (HPE's ilorest_chif library, blobstore2)",
	.probe = chif_probe,
	.init = chif_init,
	.fini = chif_fini,
	.endpoint = chif_endpoint,
	.conn_open = chif_conn_open,
	.conn_close = chif_conn_close,
	.exchange = chif_exchange,
};
