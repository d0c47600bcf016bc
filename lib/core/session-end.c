/* SPDX-License-Identifier: MIT */
/*
 * session-end.c - how sessions end: logout (a session the BMC refuses is settled, not
 * assumed gone) and "sessions prune" (the journal's orphans, dead logins' sessions, and with
 * HF_PRUNE_ALL every session but ours).  Both run as the session operation (session.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"

/* The journal's deleter (struct hf_journal_deleter), for a client (ctx). */

/* DELETE uri with another session's token: the BMC's status or an errno. */
static int delete_with(void *ctx, const char *token, const char *uri)
{
	hf_client *c = ctx;
	struct hf_headers h = { 0 };
	hf_response *resp = NULL;
	int r;

	if (hf_headers_set(&h, "X-Auth-Token", token) < 0)
		return -ENOMEM;
	r = hf_client_send(c, "DELETE", uri, &h, NULL, 0, 0, NULL, &resp);
	hf_headers_clear(&h);
	if (r == 0)
		r = hf_response_status(resp);
	hf_response_free(resp);
	return r;
}

/* The session a token belongs to, when the journal never learnt its URI (iLO's MySession). */
static char *uri_of(void *ctx, const char *token)
{
	static const char *const my_session[] = { "Oem", "Hpe", "Links", "MySession", "@odata.id",
						  NULL };
	hf_client *c = ctx;
	struct hf_headers h = { 0 };
	hf_response *resp = NULL;
	const char *v;
	char *uri = NULL;

	if (hf_headers_set(&h, "X-Auth-Token", token) == 0 &&
	    hf_client_send(c, "GET", hf_session_collection(c), &h, NULL, 0, 0, NULL, &resp) == 0 &&
	    hf_response_status(resp) == 200 &&
	    (v = hf_json_path_string(hf_response_json(resp), my_session)) &&
	    hf_location_to_path(v, "/", c->origin, &uri) < 0)
		uri = NULL;
	hf_response_free(resp);
	hf_headers_clear(&h);
	return uri;
}

/* Ask about a refused orphan with this client's own session, logged in for it when it has
 * none and can (within the session operation). */
static int confirm_gone(void *ctx, const char *uri)
{
	hf_client *c = ctx;

	if (!c->token && (!hf_session_can_login(c) || hf_session_login_locked(c) < 0))
		return 0;
	return hf_session_settle_refused(c, uri);
}

int hf_session_prune_journal(hf_client *c, bool confirm, unsigned *deleted, unsigned *failed)
{
	struct hf_journal_deleter d = { c, delete_with, uri_of, confirm ? confirm_gone : NULL,
					c->token };
	char err[512] = "";
	int r = hf_journal_prune(&c->journal, &d, deleted, failed, err, sizeof(err));

	if (r < 0 && r != -EIO)
		hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "cannot read the journal: %s",
				    err);
	return r;
}

#define LOGOUT_REFUSED 1

/*
 * Logout's DELETE answered 401: the BMC refuses the token, which does not prove the session
 * gone (a BMC may refuse a token it still counts).  Its journal entry becomes an orphan's
 * and the client forgets it.  A client that can log in then settles it with a new session
 * (GET, then DELETE, of the old URI): returns 1, that new session to be logged out in turn.
 * One that cannot leaves the entry to "sessions prune": returns 0.  Within the session operation.
 */
static int settle_logout(hf_client *c)
{
	char *token, *uri;
	bool gone = false, again = false;

	/* a cached session's entry too: an orphan, if not settled */
	hf_journal_update(&c->journal, hf_journal_session_of(c), false);
	hf_session_take(c, &token, &uri);
	hf_journal_forget(&c->journal);
	if (hf_session_can_login(c) && hf_session_login_locked(c) == 0) {
		gone = hf_session_settle_refused(c, uri) == 1;
		again = true;
	}
	if (gone) {
		hf_log_info(&c->log, "session %s was refused, and is gone", uri ? uri : "(unknown)");
		hf_journal_remove(&c->journal, token);
	} else {
		hf_log_warning(&c->log, "logout: the BMC refuses session %s (401), which does not "
					"prove it gone; its journal entry stays for sessions prune",
			       uri ? uri : "(unknown)");
	}
	hf_free_secret(token);
	free(uri);
	return again;
}

/* DELETE this client's session (within the session operation): 0, LOGOUT_REFUSED (401), or
 * an errno. */
static int delete_session(hf_client *c)
{
	hf_response *resp = NULL;
	int r, status;

	if (c->session_uri && !hf_session_in_collection(c, c->session_uri)) {
		/* given by a caller or a cache: looked up instead of DELETEd where it points */
		hf_log_warning(&c->log, "logout: the session URI %s is not in the sessions "
					"collection %s; looking the session up",
			       c->session_uri, hf_session_collection(c));
		hf_session_set_uri(c, NULL);
	}
	if (!c->session_uri) {
		char *uri = NULL;

		if (hf_session_discover_own(c, &uri) < 0) {
			hf_client_set_error(c, -ENOENT, HF_ERROR_PROTOCOL, 0, NULL,
					    "logout: cannot find this client's session on the BMC");
			return -ENOENT;
		}
		hf_session_set_uri(c, uri);
	}
	/* DELETE is idempotent: retried on connection failures like any other */
	r = hf_client_send(c, "DELETE", c->session_uri, NULL, NULL, 0, HF_SEND_AUTH, NULL, &resp);
	if (r < 0) {
		hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL,
				    "logout: DELETE %s failed: %s; the session may still exist on "
				    "the BMC",
				    c->session_uri, hf_client_last_error(c)->message);
		return r;
	}
	status = hf_response_status(resp);
	if (status >= 200 && status < 300) {
		hf_log_info(&c->log, "session deleted: %s", c->session_uri);
		r = 0;
	} else if (status == 404) {
		/* the BMC had already forgotten it (expired, deleted, reset): nothing is left */
		hf_log_info(&c->log, "session %s was already gone (%d)", c->session_uri, status);
		r = 0;
	} else if (status == 401) {
		r = LOGOUT_REFUSED;
	} else {
		r = hf_status_errno(status);
		hf_client_set_error(c, r, status >= 500 ? HF_ERROR_HTTP_SERVER : HF_ERROR_HTTP_CLIENT,
				    status, hf_response_redfish_error(resp),
				    "logout: DELETE %s answered %d %s; the session may still exist "
				    "on the BMC",
				    c->session_uri, status, hf_response_reason(resp));
	}
	hf_response_free(resp);
	if (r == 0) {
		hf_journal_remove(&c->journal, c->token);
		hf_session_forget(c);
	}
	return r;
}

/* Log this client's session out (within the session operation); a refused one is settled once. */
static int logout_locked(hf_client *c)
{
	bool settled = false;
	int r;

	while (c->token) {
		r = delete_session(c);
		if (r != LOGOUT_REFUSED)
			return r;
		if (settled) {
			/* the session opened to settle the first is refused too */
			hf_log_warning(&c->log, "logout: the BMC refuses session %s (401) just "
						"created; its journal entry stays for sessions prune",
				       c->session_uri);
			hf_journal_update(&c->journal, hf_journal_session_of(c), false);
			hf_journal_forget(&c->journal);
			hf_session_forget(c);
			return 0;
		}
		settled = true;
		if (settle_logout(c) == 0)
			return 0;
	}
	return 0;
}

_hf_public_ int hf_client_logout(hf_client *c)
{
	int r;

	if (!c)
		return -EINVAL;
	hf_client_begin(c);
	r = hf_session_op_begin(c);
	if (r < 0)
		return r;
	r = logout_locked(c);
	hf_session_op_end(c);
	return r;
}

_hf_public_ int hf_client_prune_sessions(hf_client *c, unsigned flags, unsigned *ret_deleted)
{
	unsigned deleted = 0, failed = 0, waiting = 0;
	hf_response *coll = NULL;
	struct json_object *members;
	size_t i, n;
	int r;

	if (!c || (flags & ~HF_PRUNE_ALL))
		return -EINVAL;
	hf_client_begin(c);
	r = hf_session_op_begin(c);
	if (r < 0)
		return r;
	r = hf_session_prune_journal(c, true, &deleted, &failed);
	if (r < 0 && r != -EIO) {
		hf_session_op_end(c);
		return r;
	}
	/* logins killed before their session was journaled (needs credentials) */
	r = hf_intent_prune(c, &deleted, &failed, &waiting);
	if (r < 0) {
		hf_session_op_end(c);
		return r;
	}
	if (!(flags & HF_PRUNE_ALL))
		goto out;

	/* every session but our own: the administrator asked for it */
	if (hf_session_auth_uses_session(c)) {
		r = hf_session_login_locked(c);
		if (r < 0) {
			hf_session_op_end(c);
			return r;
		}
	}
	r = hf_client_send(c, "GET", hf_session_collection(c), NULL, NULL, 0, HF_SEND_AUTH, NULL, &coll);
	if (r < 0)
		goto out_err;
	if (hf_response_status(coll) != 200) {
		r = hf_response_status(coll) == 401 || hf_response_status(coll) == 403 ? -EACCES
										       : -EIO;
		hf_client_set_error(c, r, r == -EACCES ? HF_ERROR_AUTH : HF_ERROR_HTTP_SERVER,
				    hf_response_status(coll), hf_response_redfish_error(coll),
				    "cannot list the BMC's sessions: %d %s", hf_response_status(coll),
				    hf_response_reason(coll));
		goto out_err;
	}
	n = json_object_object_get_ex(hf_response_json(coll), "Members", &members) &&
			    json_object_is_type(members, json_type_array)
		    ? json_object_array_length(members)
		    : 0;
	for (i = 0; i < n; i++) {
		static const char *const id_key[] = { "@odata.id", NULL };
		const char *id = hf_json_path_string(json_object_array_get_idx(members, i), id_key);
		_cleanup_free_ char *path = NULL;
		hf_response *resp = NULL;

		if (!id || hf_location_to_path(id, hf_session_collection(c), c->origin, &path) < 0 ||
		    !hf_session_in_collection(c, path))
			continue;
		if (c->session_uri && hf_path_same(path, c->session_uri))
			continue;
		if (hf_client_send(c, "DELETE", path, NULL, NULL, 0, HF_SEND_AUTH, NULL, &resp) ==
			    0 &&
		    hf_response_status(resp) >= 200 && hf_response_status(resp) < 300) {
			hf_log_info(&c->log, "session %s deleted", path);
			deleted++;
		} else if (!resp || (hf_response_status(resp) != 404)) {
			failed++;
		}
		hf_response_free(resp);
	}
out:
	hf_response_free(coll);
	hf_session_op_end(c);
	if (ret_deleted)
		*ret_deleted = deleted;
	if (failed) {
		hf_client_set_error(c, -EIO, HF_ERROR_HTTP_SERVER, 0, NULL,
				    "%u session%s could not be deleted", failed,
				    failed == 1 ? "" : "s");
		return -EIO;
	}
	return 0;
out_err:
	hf_response_free(coll);
	hf_session_op_end(c);
	return r;
}
