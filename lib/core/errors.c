/* SPDX-License-Identifier: MIT */
/*
 * errors.c - the last error of each thread on a client (a record per thread, freed when the
 * thread ends), the errno and HTTP status mappings, the operation's interrupt snapshot.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-private.h"

static const hf_error no_error = { 0, HF_ERROR_NONE, 0, "", NULL };

static struct hf_err_rec *err_rec(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec)
		return rec;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	if (pthread_setspecific(c->err_key, rec) != 0) {
		free(rec);
		return NULL;
	}
	rec->owner = c;
	pthread_mutex_lock(&c->lock);
	rec->next = c->errs;
	if (c->errs)
		c->errs->prev = rec;
	c->errs = rec;
	pthread_mutex_unlock(&c->lock);
	return rec;
}

static void err_rec_reset(struct hf_err_rec *rec)
{
	free(rec->message);
	hf_rferror_unref(rec->rf);
	rec->message = NULL;
	rec->rf = NULL;
	rec->pub = no_error;
	rec->unsent = false;
}

void hf_client_mark_unsent(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec)
		rec->unsent = true;
}

bool hf_client_last_unsent(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	return rec && rec->unsent;
}

void hf_client_clear_error(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec)
		err_rec_reset(rec);
}

void hf_client_begin(hf_client *c)
{
	struct hf_err_rec *rec = err_rec(c);

	if (!rec)
		return;
	err_rec_reset(rec);
	/* inside an operation, a nested public call keeps the operation's snapshot */
	if (rec->op_depth == 0)
		rec->op_interrupts = __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
}

void hf_op_enter(hf_client *c)
{
	struct hf_err_rec *rec = err_rec(c);

	if (rec)
		rec->op_depth++;
}

void hf_op_leave(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec && rec->op_depth > 0)
		rec->op_depth--;
}

int hf_op_rebase(hf_client *c)
{
	struct hf_err_rec *rec = err_rec(c);
	int old;

	if (!rec)
		return 0;
	old = rec->op_interrupts;
	rec->op_interrupts = __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
	return old;
}

void hf_op_restore(hf_client *c, int seen)
{
	struct hf_err_rec *rec = err_rec(c);

	if (rec)
		rec->op_interrupts = seen;
}

int hf_op_interrupts(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	return rec ? rec->op_interrupts : __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
}

void hf_client_set_error(hf_client *c, int code, int kind, int http_status,
			 const hf_redfish_error *rf, const char *fmt, ...)
{
	struct hf_err_rec *rec = err_rec(c);
	struct hf_buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hf_one_line(b.data);
	if (b.data)
		hf_log(&c->log, HF_LOG_INFO, "%s", b.data);
	if (!rec) {
		hf_buf_free(&b);
		return;
	}
	err_rec_reset(rec);
	rec->message = b.data ? b.data : NULL;
	rec->rf = hf_rferror_ref((hf_redfish_error *)rf);
	rec->pub.code = code;
	rec->pub.kind = kind;
	rec->pub.http_status = http_status;
	rec->pub.message = rec->message ? rec->message : "";
	rec->pub.redfish = rec->rf;
}

int hf_client_usage_error(hf_client *c, const char *fmt, ...)
{
	struct hf_buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "%s; nothing was sent",
			    b.data ? b.data : "invalid input");
	hf_buf_free(&b);
	return -EINVAL;
}

int hf_client_http_error(hf_client *c, const hf_response *resp, const char *what)
{
	int status = hf_response_status(resp), code, kind;

	if (status == 401) {
		code = -EACCES;
		kind = HF_ERROR_AUTH;
	} else if (status >= 500) {
		code = -EIO;
		kind = HF_ERROR_HTTP_SERVER;
	} else {
		code = status == 403 ? -EPERM : status == 404 ? -ENOENT : -EIO;
		kind = HF_ERROR_HTTP_CLIENT;
	}
	hf_client_set_error(c, code, kind, status, hf_response_redfish_error(resp),
			    "%s %s: %d %s", what, hf_response_path(resp), status,
			    hf_response_reason(resp));
	return code;
}

int hf_errno_kind(int code)
{
	switch (code) {
	case 0:
		return HF_ERROR_NONE;
	case -EINVAL:
		return HF_ERROR_USAGE;
	case -EACCES:
	case -EPERM:
		return HF_ERROR_AUTH;
	case -ETIMEDOUT:
		return HF_ERROR_TIMEOUT;
	case -EPROTO:
	case -EBADMSG:
		return HF_ERROR_PROTOCOL;
	case -ENOMEM:
	case -EFBIG:
		return HF_ERROR_RESOURCE;
	default:
		return HF_ERROR_TRANSPORT;
	}
}

int hf_status_errno(int status)
{
	switch (status) {
	case 400:
		return -EINVAL;
	case 401:
		return -EACCES;
	case 403:
		return -EPERM;
	case 404:
	case 410:
		return -ENOENT;
	case 405:
	case 501:
		return -EOPNOTSUPP;
	case 408:
	case 504:
		return -ETIMEDOUT;
	case 409:
	case 412:
	case 428:
		return -EBUSY;
	case 413:
		return -EFBIG;
	case 429:
	case 503:
		return -EAGAIN;
	default:
		return status >= 500 ? -EIO : -EPROTO;
	}
}

_hf_public_ const hf_error *hf_client_last_error(const hf_client *c)
{
	struct hf_err_rec *rec;

	if (!c)
		return &no_error;
	rec = pthread_getspecific(c->err_key);
	return rec ? &rec->pub : &no_error;
}

_hf_public_ const char *hf_error_kind_name(int kind)
{
	static const char *const names[] = {
		[HF_ERROR_NONE] = "no error",
		[HF_ERROR_USAGE] = "invalid input",
		[HF_ERROR_HTTP_CLIENT] = "request refused by the BMC",
		[HF_ERROR_HTTP_SERVER] = "BMC failure",
		[HF_ERROR_AUTH] = "authentication failure",
		[HF_ERROR_TRANSPORT] = "connection failure",
		[HF_ERROR_TIMEOUT] = "timeout",
		[HF_ERROR_PROTOCOL] = "malformed answer from the BMC",
		[HF_ERROR_RESOURCE] = "resource limit",
	};

	if (kind < 0 || (size_t)kind >= HF_ARRAY_SIZE(names))
		return "unknown error";
	return names[kind];
}

/*
 * A thread that used the client ends: its record goes with it (a daemon that serves each
 * connection on a thread of its own would otherwise keep one per connection until the client
 * is freed).  Not called after hf_client_free(), which deletes the key: the records of the
 * threads still alive then are freed with the client.
 */
void hf_err_key_destroy(void *p)
{
	struct hf_err_rec *rec = p;
	hf_client *c = rec->owner;

	pthread_mutex_lock(&c->lock);
	if (rec->prev)
		rec->prev->next = rec->next;
	else
		c->errs = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	pthread_mutex_unlock(&c->lock);
	err_rec_reset(rec);
	free(rec);
}

/* hf_client_free(): the records of the threads still alive */
void hf_errors_free(hf_client *c)
{
	struct hf_err_rec *rec, *next;

	for (rec = c->errs; rec; rec = next) {
		next = rec->next;
		err_rec_reset(rec);
		free(rec);
	}
	c->errs = NULL;
}
