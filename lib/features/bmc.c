/* SPDX-License-Identifier: MIT */
/*
 * bmc.c - the BMC itself: its reset (the manager's #Manager.Reset action), and the wait across
 * a reset, which ends every session and connection the BMC had (bmc-private.h).
 *
 * DSP0268 Manager: Actions["#Manager.Reset"] = {"target", "ResetType@Redfish.AllowableValues"};
 * iLO 5/6 offer GracefulRestart and ForceRestart (iLO 6 treats both as ForceRestart).  An iLO
 * answers the POST at once and goes away a few seconds later, for a minute or more; every
 * session is gone when it returns, every CHIF channel opened before answers ENODEV, and the
 * host interface's NIC (cdc_eem) disappears and comes back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bmc-private.h"
#include "cert-private.h"
#include "client-private.h"

#define MANAGERS_PATH "/redfish/v1/Managers/"
#define RESET_ACTION "#Manager.Reset"
#define DEFAULT_RESET_TYPE "GracefulRestart"

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* ---- waiting across a reset ---------------------------------------------------------------- */

/* A probe's failure that waiting cannot cure: give up with it. */
static bool fatal_error(int r)
{
	return r == -EINTR || r == -EINVAL || r == -ENOMEM || r == -EKEYREJECTED ||
	       r == -EACCES || r == -EPERM || r == -ECANCELED;
}

enum probe { PROBE_UP, PROBE_GONE, PROBE_FORGOT /* up, but our session is gone: a reset */ };

/* While the BMC is (still) up: the client's own session, else the service root. */
static int probe_up(hf_client *c, int64_t deadline, enum probe *ret)
{
	hf_response *resp = NULL;
	char *uri = NULL;
	bool session;
	int r, status;

	pthread_mutex_lock(&c->session_lock);
	session = c->token != NULL;
	if (session && c->session_uri)
		uri = strdup(c->session_uri);
	pthread_mutex_unlock(&c->session_lock);
	if (session && !uri)
		uri = hf_strdup(hf_session_collection(c));
	r = hf_client_send_until(c, "GET", uri ? uri : "/redfish/v1/",
				 HF_SEND_NO_RETRY | (uri ? HF_SEND_AUTH : 0), deadline, &resp);
	free(uri);
	if (r < 0) {
		if (fatal_error(r))
			return r;
		*ret = PROBE_GONE;
		return 0;
	}
	status = hf_response_status(resp);
	hf_response_free(resp);
	if (status >= 500)
		*ret = PROBE_GONE;
	else if (session && (status == 401 || status == 404))
		*ret = PROBE_FORGOT;
	else
		*ret = PROBE_UP;
	return 0;
}

/* While the BMC is gone: does it answer at all?  The service root, without credentials, on a
 * new connection or channel (the pool's old ones died with the reset). */
static int probe_back(hf_client *c, int64_t deadline, bool *back)
{
	hf_response *resp = NULL;
	int r = hf_client_send_until(c, "GET", "/redfish/v1/", HF_SEND_NO_RETRY, deadline, &resp);

	if (r < 0) {
		*back = false;
		return fatal_error(r) ? r : 0;
	}
	/* 401: a BMC that wants credentials even there (the host interface) is back too */
	*back = hf_response_status(resp) < 500;
	hf_response_free(resp);
	return 0;
}

/* The first manager's path (caller frees), read with the client's credentials. */
static int first_manager(hf_client *c, char **ret)
{
	hf_response *resp = NULL;
	struct json_object *members;
	const char *id;
	int r = hf_get(c, MANAGERS_PATH, &resp);

	if (r < 0)
		return r;
	members = jget(hf_response_json(resp), "Members");
	id = members && json_object_is_type(members, json_type_array)
		     ? jstr(json_object_array_get_idx(members, 0), "@odata.id")
		     : NULL;
	if (hf_response_status(resp) >= 500) {
		r = -EAGAIN; /* still starting */
	} else if (hf_response_status(resp) == 401) {
		r = -EACCES;
	} else if (!id || hf_location_to_path(id, MANAGERS_PATH, c->origin, ret) < 0) {
		hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, hf_response_status(resp), NULL,
				    "GET %s: %d, and no manager in it", MANAGERS_PATH,
				    hf_response_status(resp));
		r = -EPROTO;
	}
	hf_response_free(resp);
	return r;
}

/*
 * Back: read the manager as the client does any request.  The first authenticated request
 * meets the old session's 401; the pipeline logs in again and asks the BMC about the old
 * session with the new one (hf_session_relogin): a 404 removes its journal entry.  0 when
 * the manager answered, -EAGAIN when the BMC is not ready yet (5xx, not yet listening), else
 * an error to give up with.
 */
static int read_manager(hf_client *c, const char *manager)
{
	_cleanup_free_ char *path = NULL;
	hf_response *resp = NULL;
	int r, status;

	if (!manager) {
		r = first_manager(c, &path);
		if (r < 0)
			goto failed;
		manager = path;
	}
	r = hf_get(c, manager, &resp);
	if (r < 0)
		goto failed;
	status = hf_response_status(resp);
	hf_response_free(resp);
	if (status >= 200 && status < 300)
		return 0;
	if (status >= 500)
		return -EAGAIN;
	r = status == 401 ? -EACCES : hf_status_errno(status);
	hf_client_set_error(c, r, status == 401 ? HF_ERROR_AUTH : HF_ERROR_HTTP_CLIENT, status,
			    NULL, "the BMC is back, but GET %s answers %d%s", manager, status,
			    status == 401 ? ": it forgot the session with the reset, and the client "
					    "cannot log in again (no password)"
					  : "");
	return r;
failed:
	if (r == -EACCES && !hf_client_last_error(c)->message[0])
		hf_client_set_error(c, r, HF_ERROR_AUTH, 401, NULL,
				    "the BMC is back, but refuses the client's credentials");
	return fatal_error(r) || r == -EPROTO ? r : -EAGAIN;
}

/*
 * A reset the caller asked for (or caused) was accepted, or is seen happening: the session
 * ends with it (HPE: a reset ends every session), so the client forgets it and its journal
 * entry goes now; a DELETE could only race the reset (or find nobody to answer).  The next
 * request logs in again.
 */
static void session_ends_with_reset(hf_client *c)
{
	char *token = NULL, *uri = NULL;

	if (hf_session_op_begin(c) < 0)
		return;
	hf_session_take(c, &token, &uri);
	if (token) {
		hf_log_info(&c->log, "session %s ends with the reset: forgotten",
			    uri ? uri : "(unknown)");
		hf_journal_remove(&c->journal, token);
	}
	hf_session_op_end(c);
	hf_free_secret(token);
	free(uri);
}

/*
 * Gone: what the transport itself needs back first (the host interface's NIC, watched with
 * udev: no probe can succeed before it is there).  0 to probe, or an error to give up with.
 */
static int wait_path(hf_client *c, int64_t deadline, int seen)
{
	char err[512];
	int r = hf_transport_wait_path(&c->transport, deadline, &c->interrupts, seen, err,
				       sizeof(err));

	if (r == 0 || r == -EOPNOTSUPP || r == -ETIMEDOUT)
		return 0; /* a time-out is the caller's to report */
	hf_client_set_error(c, r, r == -EINTR ? HF_ERROR_TRANSPORT : hf_errno_kind(r), 0, NULL,
			    "waiting for the BMC: %s", err);
	if (r == -EINTR || r == -ENODEV)
		return r;
	hf_log_warning(&c->log, "waiting for the BMC: %s", err);
	hf_client_clear_error(c);
	return 0;
}

/* How far the wait got, for messages. */
static const char *stage_name(int stage)
{
	return stage == 0 ? "the BMC did not go away" : stage == 1 ? "the BMC did not come back"
								   : "the BMC came back but did not answer for its manager";
}

static long since(int64_t t0)
{
	return (long)(hf_now_ms() - t0);
}

/* One pause between probes, bounded by the deadline: 0, or -EINTR / -ETIMEDOUT. */
static int pause_for(hf_client *c, long *backoff, int64_t deadline, int seen)
{
	int64_t left = deadline - hf_now_ms();
	long ms = *backoff;

	if (left <= 0)
		return -ETIMEDOUT;
	if (ms > left)
		ms = (long)left;
	*backoff = *backoff * 2 > HF_BMC_POLL_MAX_MS ? HF_BMC_POLL_MAX_MS : *backoff * 2;
	return hf_sleep_interruptible(c, ms, seen);
}

int hf_bmc_wait_back(hf_client *c, long timeout_s, const char *manager, unsigned flags,
		     hf_progress_fn progress, void *userdata, struct hf_bmc_back *info)
{
	struct hf_bmc_back seen_at = { -1, -1, -1, 0 };
	int64_t t0 = hf_now_ms(), deadline;
	long backoff = HF_BMC_POLL_FIRST_MS;
	int seen = hf_op_interrupts(c), stage = (flags & HF_BMC_WAIT_GONE) ? 1 : 0, r;

	if (timeout_s <= 0)
		timeout_s = HF_BMC_WAIT_DEFAULT_S;
	if (timeout_s > HF_BMC_WAIT_MAX_S)
		timeout_s = HF_BMC_WAIT_MAX_S;
	deadline = t0 + timeout_s * 1000;
	if (stage == 1)
		seen_at.gone_ms = 0;
	hf_log_info(&c->log, "waiting up to %ld s for the BMC to reset and come back", timeout_s);
	for (;;) {
		if (stage == 0) {
			enum probe p;

			r = probe_up(c, deadline, &p);
			seen_at.probes++;
			if (r == 0 && p != PROBE_UP) {
				seen_at.gone_ms = since(t0);
				hf_log_info(&c->log, "the BMC %s after %ld ms",
					    p == PROBE_GONE ? "is gone" : "forgot the session",
					    seen_at.gone_ms);
				session_ends_with_reset(c);
				stage = p == PROBE_GONE ? 1 : 2;
				if (stage == 2)
					seen_at.back_ms = seen_at.gone_ms;
				backoff = HF_BMC_POLL_FIRST_MS;
			}
		} else if (stage == 1) {
			bool back = false;

			r = wait_path(c, deadline, seen);
			if (r == 0)
				r = probe_back(c, deadline, &back);
			seen_at.probes++;
			if (r == 0 && back) {
				seen_at.back_ms = since(t0);
				hf_log_info(&c->log, "the BMC answers again after %ld ms",
					    seen_at.back_ms);
				/* the service root cached before the reset may be stale
				 * (firmware, links, features): read it again when needed */
				hf_client_forget_service_root(c);
				stage = 2;
				backoff = HF_BMC_POLL_FIRST_MS;
				continue; /* read the manager at once */
			}
		} else {
			r = read_manager(c, manager);
			seen_at.probes++;
			if (r == 0) {
				seen_at.ready_ms = since(t0);
				hf_log_info(&c->log, "the BMC is back and answers after %ld ms",
					    seen_at.ready_ms);
				hf_client_clear_error(c);
				if (info)
					*info = seen_at;
				return 0;
			}
			r = r == -EAGAIN ? 0 : r;
		}
		if (r < 0)
			return r; /* the error is recorded */
		if (progress && progress(userdata, stage == 2 ? "reconnect" : "reset",
					 (double)since(t0) / 1000.0, (double)timeout_s)) {
			hf_client_set_error(c, -ECANCELED, HF_ERROR_USAGE, 0, NULL,
					    "waiting for the BMC: cancelled (%s yet)",
					    stage_name(stage) + strlen("the BMC "));
			return -ECANCELED;
		}
		r = pause_for(c, &backoff, deadline, seen);
		if (r == -EINTR) {
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "waiting for the BMC: interrupted");
			return r;
		}
		if (r == -ETIMEDOUT || hf_now_ms() >= deadline) {
			hf_client_set_error(c, -ETIMEDOUT, HF_ERROR_TIMEOUT, 0, NULL,
					    "%s within %ld s (%d probes)", stage_name(stage),
					    timeout_s, seen_at.probes);
			return -ETIMEDOUT;
		}
	}
}

/* ---- the reset ------------------------------------------------------------------------------ */

/* The manager's reset action: its target and allowed types (borrowed from mgr). */
static int reset_action(hf_client *c, const char *path, struct json_object *mgr,
			const char **target, struct json_object **allowed)
{
	struct json_object *action = jget(jget(mgr, "Actions"), RESET_ACTION);

	*target = jstr(action, "target");
	*allowed = jget(action, "ResetType@Redfish.AllowableValues");
	if (!*target) {
		hf_client_set_error(c, -ENOTSUP, HF_ERROR_PROTOCOL, 0, NULL,
				    "the manager %s offers no %s action", path, RESET_ACTION);
		return -ENOTSUP;
	}
	if (*allowed && !json_object_is_type(*allowed, json_type_array))
		*allowed = NULL;
	return 0;
}

/* Is type among the allowed values (none listed: anything goes)?  Else the usage error,
 * naming them. */
static int check_type(hf_client *c, const char *type, struct json_object *allowed)
{
	struct hf_buf list = { 0 };
	size_t i, n = allowed ? json_object_array_length(allowed) : 0;

	if (!allowed)
		return 0;
	for (i = 0; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(allowed, i));

		if (v && strcmp(v, type) == 0) {
			hf_buf_free(&list);
			return 0;
		}
		hf_buf_printf(&list, "%s%s", i ? ", " : "", v ? v : "?");
	}
	hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
			    "the manager does not allow reset type %s (allowed: %s); nothing was "
			    "sent",
			    type, list.data ? list.data : "none");
	hf_buf_free(&list);
	return -EINVAL;
}

static bool valid_type(const char *t)
{
	size_t i, n = strlen(t);

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9')))
			return false;
	return true;
}

/* POST the reset: 0 on a 2xx answer, else the error recorded. */
static int post_reset(hf_client *c, const char *target, const char *type)
{
	struct json_object *body = json_object_new_object();
	hf_response *resp = NULL;
	int r, status;

	if (!body || json_object_object_add(body, "ResetType", json_object_new_string(type)) < 0) {
		json_object_put(body);
		return -ENOMEM;
	}
	r = hf_request_json(c, "POST", target, NULL, body, &resp);
	json_object_put(body);
	if (r < 0)
		return r;
	status = hf_response_status(resp);
	if (status < 200 || status >= 300) {
		r = status == 401 ? -EACCES : status == 403 ? -EPERM : -EIO;
		hf_client_set_error(c, r,
				    status == 401 || status == 403 ? HF_ERROR_AUTH
				    : status >= 500		   ? HF_ERROR_HTTP_SERVER
								   : HF_ERROR_HTTP_CLIENT,
				    status, hf_response_redfish_error(resp),
				    "POST %s (ResetType %s): %d %s", target, type, status,
				    hf_response_reason(resp));
	}
	hf_response_free(resp);
	return r;
}

static struct json_object *report_of(const char *path, const char *type,
				     struct json_object *allowed, const struct hf_bmc_back *b)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "manager", json_object_new_string(path));
	json_object_object_add(o, "reset_type", json_object_new_string(type));
	json_object_object_add(o, "allowed", allowed ? json_object_get(allowed) : NULL);
	json_object_object_add(o, "waited", json_object_new_boolean(b != NULL));
	if (b) {
		json_object_object_add(o, "gone_after_ms", b->gone_ms < 0 ? NULL
					       : json_object_new_int64(b->gone_ms));
		json_object_object_add(o, "back_after_ms", json_object_new_int64(b->back_ms));
		json_object_object_add(o, "ready_after_ms", json_object_new_int64(b->ready_ms));
	}
	return o;
}

_hf_public_ int hf_bmc_reset(hf_client *c, const char *reset_type, unsigned flags,
			     long wait_timeout_s, hf_progress_fn progress, void *userdata,
			     struct json_object **ret)
{
	_cleanup_free_ char *path = NULL;
	struct json_object *allowed, *report;
	struct hf_bmc_back back;
	hf_response *mgr = NULL;
	const char *target, *type = reset_type ? reset_type : DEFAULT_RESET_TYPE;
	int r;

	if (!c || (flags & ~HF_BMC_RESET_WAIT))
		return -EINVAL;
	HF_OPERATION(c);
	if (!valid_type(type)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid reset type (letters and digits expected); nothing was "
				    "sent");
		return -EINVAL;
	}
	r = first_manager(c, &path);
	if (r == -EAGAIN || r == -EACCES) {
		if (!hf_client_last_error(c)->message[0])
			hf_client_set_error(c, r == -EAGAIN ? -EIO : r,
					    r == -EAGAIN ? HF_ERROR_HTTP_SERVER : HF_ERROR_AUTH, 0,
					    NULL, "cannot read %s", MANAGERS_PATH);
		return r == -EAGAIN ? -EIO : r;
	}
	if (r < 0)
		return r;
	r = hf_get(c, path, &mgr);
	if (r < 0)
		return r;
	if (hf_response_status(mgr) != 200) {
		hf_client_set_error(c, -EIO, HF_ERROR_HTTP_SERVER, hf_response_status(mgr),
				    hf_response_redfish_error(mgr), "GET %s: %d", path,
				    hf_response_status(mgr));
		r = -EIO;
		goto out;
	}
	r = reset_action(c, path, hf_response_json(mgr), &target, &allowed);
	if (r == 0)
		r = check_type(c, type, allowed);
	if (r == 0)
		r = post_reset(c, target, type);
	if (r < 0)
		goto out;
	hf_log_info(&c->log, "%s: %s requested", path, type);
	if (flags & HF_BMC_RESET_WAIT) {
		r = hf_bmc_wait_back(c, wait_timeout_s, path, 0, progress, userdata, &back);
		if (r < 0)
			goto out;
	} else {
		session_ends_with_reset(c);
	}
	if (ret) {
		report = report_of(path, type, allowed, (flags & HF_BMC_RESET_WAIT) ? &back : NULL);
		if (!report) {
			r = -ENOMEM;
			goto out;
		}
		*ret = report;
	}
out:
	hf_response_free(mgr);
	return r;
}

_hf_public_ int hf_bmc_wait(hf_client *c, long timeout_s, unsigned flags, hf_progress_fn progress,
			    void *userdata)
{
	if (!c || (flags & ~HF_BMC_WAIT_GONE))
		return -EINVAL;
	HF_OPERATION(c);
	return hf_bmc_wait_back(c, timeout_s, NULL, flags, progress, userdata, NULL);
}

/* ---- resets the BMC does by itself ------------------------------------------------------------ */

_hf_public_ int hf_https_cert_import_wait(hf_client *c, const char *pem, size_t len,
					  long wait_timeout_s, hf_progress_fn progress,
					  void *userdata)
{
	struct json_object *mine = NULL, *now = NULL;
	const char *want, *got;
	int r;

	if (!c)
		return -EINVAL;
	HF_OPERATION(c);
	r = hf_https_cert_import(c, pem, len); /* checks the certificate first */
	if (r < 0)
		return r;
	r = hf_cert_pem_info(pem, len, &mine);
	if (r < 0)
		return r;
	/* iLO resets itself to use the certificate: the TLS connections to come see the new one
	 * (verified as any: the CA file, the host interface's pin...) */
	r = hf_bmc_wait_back(c, wait_timeout_s, NULL, 0, progress, userdata, NULL);
	if (r == 0)
		r = hf_https_cert_info(c, &now);
	if (r < 0)
		goto out;
	want = jstr(mine, "serial");
	got = jstr(now, "serial");
	if (!hf_cert_serial_same(want, got)) {
		hf_client_set_error(c, -EIO, HF_ERROR_HTTP_SERVER, 0, NULL,
				    "the BMC came back describing certificate serial %s, not the "
				    "imported one (serial %s)",
				    got ? got : "(none)", want ? want : "?");
		r = -EIO;
	}
out:
	json_object_put(mine);
	json_object_put(now);
	return r;
}
