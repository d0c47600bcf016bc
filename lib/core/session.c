/* SPDX-License-Identifier: MIT */
/*
 * session.c - the Redfish session life cycle: the session operation, login, own-session
 * discovery, re-login after expiry, and the session's accessors (its end: session-end.c).
 *
 * The rule that keeps sessions from leaking: the token is recorded in the client the moment
 * the BMC hands it over, before anything else (URI resolution, logging, JSON parsing) can
 * fail, so every later path, error paths included, knows there is a session to delete.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "client-private.h"

/* DSP0266 fixes the sessions collection's URI: logins go there directly */
#define DSP0266_SESSIONS_PATH "/redfish/v1/SessionService/Sessions"
#define CERT_LOGIN_PATH "/html/login_cert.html"

bool hf_session_auth_uses_session(const hf_client *c)
{
	return c->auth == HF_AUTH_SESSION || c->auth == HF_AUTH_CERT;
}

/* Replace the session's token and URI under session_lock; a new session bumps the
 * generation.  The old ones are freed (the token wiped) after the lock. */
static void session_swap(hf_client *c, char *token, char *uri, bool owned, bool new_session)
{
	char *old_token, *old_uri;

	pthread_mutex_lock(&c->session_lock);
	old_token = c->token;
	old_uri = c->session_uri;
	c->token = token;
	c->session_uri = uri;
	c->owns_session = owned;
	if (new_session) {
		c->session_gen++;
		c->session_proven = false;
	}
	pthread_mutex_unlock(&c->session_lock);
	hf_free_secret(old_token);
	free(old_uri);
}

void hf_session_take(hf_client *c, char **token, char **uri)
{
	pthread_mutex_lock(&c->session_lock);
	*token = c->token;
	*uri = c->session_uri;
	c->token = NULL;
	c->session_uri = NULL;
	c->owns_session = false;
	pthread_mutex_unlock(&c->session_lock);
}

void hf_session_forget(hf_client *c)
{
	session_swap(c, NULL, NULL, false, false);
}

void hf_session_set(hf_client *c, char *token, char *uri, bool owned)
{
	session_swap(c, token, uri, owned, true);
}

void hf_session_set_uri(hf_client *c, char *uri)
{
	char *old;

	pthread_mutex_lock(&c->session_lock);
	old = c->session_uri;
	c->session_uri = uri;
	pthread_mutex_unlock(&c->session_lock);
	free(old);
}

int hf_session_op_begin(hf_client *c)
{
	int64_t deadline = c->timeout_ms > 0 ? hf_now_ms() + c->timeout_ms : 0;
	int seen = hf_op_interrupts(c), r = 0;
	bool said = false;

	pthread_mutex_lock(&c->session_lock);
	while (c->session_depth > 0 && !pthread_equal(c->session_owner, pthread_self())) {
		int64_t now = hf_now_ms(), until = now + 50;
		struct timespec ts;

		if (!said) {
			/* the caller's log callback is never called with a lock held */
			pthread_mutex_unlock(&c->session_lock);
			hf_log_debug(&c->log, "waiting for another thread's login or logout");
			said = true;
			pthread_mutex_lock(&c->session_lock);
			continue;
		}
		/* in steps of 50 ms: an interrupt (a signal handler's atomic add) signals nobody */
		if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != seen) {
			r = -EINTR;
			break;
		}
		if (deadline && now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		if (deadline && deadline < until)
			until = deadline;
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000;
		pthread_cond_timedwait(&c->session_cond, &c->session_lock, &ts);
	}
	if (r == 0) {
		c->session_owner = pthread_self();
		c->session_depth++;
	}
	pthread_mutex_unlock(&c->session_lock);
	if (r < 0) {
		hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "%s",
				    r == -EINTR ? "interrupted while another thread logged in or out"
						: "another thread's login or logout did not end within "
						  "the request's timeout");
		hf_client_mark_unsent(c);
	}
	return r;
}

void hf_session_op_end(hf_client *c)
{
	pthread_mutex_lock(&c->session_lock);
	if (--c->session_depth == 0)
		pthread_cond_broadcast(&c->session_cond);
	pthread_mutex_unlock(&c->session_lock);
}

/*
 * The sessions collection, without a request: the service root's Links.Sessions when it is
 * cached (service-root.c), else the URI DSP0266 fixes.  A login answered 404 or 405 there
 * reads the service root (sessions_from_root()).
 */
static const char *sessions_path(hf_client *c)
{
	char *p;

	if (c->sessions_path)
		return c->sessions_path;
	p = hf_service_root_sessions_cached(c);
	if (!p)
		p = strdup(DSP0266_SESSIONS_PATH);
	if (!p)
		return DSP0266_SESSIONS_PATH; /* out of memory: still a usable answer */
	c->sessions_path = p;
	return p;
}

/* The service root's Links.Sessions, read now (unauthenticated, as Redfish allows; within
 * the session operation, so without the request pipeline's login logic), when it differs
 * from the collection a login just failed at; then the sessions collection.  NULL: none. */
static const char *sessions_from_root(hf_client *c, const char *failed)
{
	hf_response *root = NULL;
	char *p = NULL;

	if (hf_client_send(c, "GET", "/redfish/v1/", NULL, NULL, 0, 0, NULL, &root) == 0)
		hf_service_root_note(c, root);
	hf_response_free(root);
	hf_client_clear_error(c);
	p = hf_service_root_sessions_cached(c);
	if (!p || hf_path_same(p, failed)) {
		free(p);
		return NULL;
	}
	hf_log_info(&c->log, "login: %s refused; the service root names %s", failed, p);
	free(c->sessions_path);
	c->sessions_path = p;
	return p;
}

/*
 * Is path a member of the sessions collection coll: coll, then one segment that is not a dot
 * segment (plain or percent-encoded), then at most a slash?  A session URI the BMC gives that
 * is not is never used, and above all never DELETEd: it could name an account or a system.
 */
static bool in_sessions(const char *coll, const char *path)
{
	size_t n = strlen(coll), len;
	const char *seg, *p;

	while (n && coll[n - 1] == '/')
		n--;
	if (!path || strncmp(path, coll, n) != 0 || path[n] != '/')
		return false;
	seg = path + n + 1;
	len = strcspn(seg, "/?#");
	if (len == 0 || !(seg[len] == '\0' || (seg[len] == '/' && seg[len + 1] == '\0')))
		return false;
	for (p = seg; p < seg + len;) {
		if (*p == '.')
			p++;
		else if (strncasecmp(p, "%2e", 3) == 0)
			p += 3;
		else
			return true;
	}
	return false; /* "." or ".." */
}

/* *uri, when set and not a member of coll, is freed and set to NULL, with a warning. */
static void keep_if_in_sessions(hf_client *c, const char *coll, const char *what, char **uri)
{
	if (!*uri || in_sessions(coll, *uri))
		return;
	hf_log_warning(&c->log, "login: ignoring the session URI '%s' from %s: it is not in the "
				"sessions collection %s",
		       *uri, what, coll);
	free(*uri);
	*uri = NULL;
}

/*
 * Find our own session in the collection when the BMC did not say where it is:
 * Oem.Hpe.Links.MySession on the collection, else the member with Oem.Hpe.MySession true.
 */
int hf_session_discover_own(hf_client *c, char **ret)
{
	static const char *const my_link[] = { "Oem", "Hpe", "Links", "MySession", "@odata.id",
					       NULL };
	static const char *const member_id[] = { "@odata.id", NULL };
	const char *coll = sessions_path(c);
	struct json_object *members = NULL, *collection = NULL;
	const char *v;
	size_t i, n;
	int r;

	/* one request where the BMC expands the members (service-root.c), else 1 + N; the
	 * collection's own properties are wanted too, so no $select */
	r = hf_collection_read(c, coll, NULL, HF_COLLECTION_NO_LOGIN, &collection, &members);
	if (r < 0)
		return r == -ENOENT || r == -EACCES || r == -EPROTO ? -ENOENT : -EIO;
	r = -ENOENT;
	v = hf_json_path_string(collection, my_link);
	if (v && hf_location_to_path(v, coll, c->origin, ret) == 0) {
		keep_if_in_sessions(c, coll, "Oem.Hpe.Links.MySession", ret);
		if (*ret) {
			r = 0;
			goto out;
		}
	}
	n = json_object_array_length(members);
	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(members, i), *mine, *obj = m;
		_cleanup_free_ char *mp = NULL;

		v = hf_json_path_string(m, member_id);
		if (!v || hf_location_to_path(v, coll, c->origin, &mp) < 0 || !in_sessions(coll, mp))
			continue;
		if (json_object_object_get_ex(obj, "Oem", &obj) &&
		    json_object_object_get_ex(obj, "Hpe", &obj) &&
		    json_object_object_get_ex(obj, "MySession", &mine) &&
		    json_object_get_boolean(mine)) {
			*ret = mp;
			mp = NULL;
			r = 0;
			goto out;
		}
	}
out:
	json_object_put(collection);
	json_object_put(members);
	return r;
}

static int login_error(hf_client *c, hf_response *resp, const char *what)
{
	const hf_redfish_error *rf = hf_response_redfish_error(resp);
	int status = hf_response_status(resp), code, kind;

	if (status == 401 || status == 403) {
		code = -EACCES;
		kind = HF_ERROR_AUTH;
	} else if (hf_rferror_has(rf, HF_RF_SESSION_LIMIT_EXCEEDED)) {
		code = -EUSERS;
		kind = status >= 500 ? HF_ERROR_HTTP_SERVER : HF_ERROR_HTTP_CLIENT;
	} else if (status >= 500) {
		code = -EIO;
		kind = HF_ERROR_HTTP_SERVER;
	} else if (status >= 400) {
		code = -EIO;
		kind = HF_ERROR_HTTP_CLIENT;
	} else {
		code = -EPROTO;
		kind = HF_ERROR_PROTOCOL;
	}
	if (code == -EUSERS)
		hf_client_set_error(c, code, kind, status, rf,
				    "%s: the BMC's session limit is reached (%d %s)", what, status,
				    hf_response_reason(resp));
	else if (code == -EACCES)
		hf_client_set_error(c, code, kind, status, rf,
				    "%s: the BMC rejected the credentials (%d %s)", what, status,
				    hf_response_reason(resp));
	else
		hf_client_set_error(c, code, kind, status, rf, "%s: unexpected answer %d %s", what,
				    status, hf_response_reason(resp));
	return code;
}

/* The BMC handed over a session: record it first, then work out where it lives. */
static int adopt_session(hf_client *c, hf_response *resp, const char *base)
{
	static const char *const odata_id[] = { "@odata.id", NULL };
	const char *token = hf_response_header(resp, "X-Auth-Token");
	const char *loc = hf_response_header(resp, "Location");
	char *uri = NULL, *t;
	int r;

	if (!token || !*token || hf_has_crlf(token, strlen(token))) {
		hf_client_set_error(c, -EPROTO, HF_ERROR_PROTOCOL, hf_response_status(resp), NULL,
				    "login: the BMC answered %d without an X-Auth-Token",
				    hf_response_status(resp));
		return -EPROTO;
	}
	t = strdup(token);
	if (!t)
		return -ENOMEM;
	hf_session_set(c, t, NULL, true);
	/* before anything else can fail: a journal entry that prune can find if we die */
	hf_journal_record(&c->journal, hf_journal_session_of(c));

	if (loc) {
		r = hf_location_to_path(loc, base, c->origin, &uri);
		if (r < 0)
			hf_log_warning(&c->log, "login: ignoring the unusable Location '%s'", loc);
		keep_if_in_sessions(c, base, "Location", &uri);
	}
	if (!uri) {
		const char *id = hf_json_path_string(hf_response_json(resp), odata_id);

		if (id && hf_location_to_path(id, base, c->origin, &uri) < 0)
			uri = NULL;
		keep_if_in_sessions(c, base, "@odata.id", &uri);
	}
	if (!uri && hf_session_discover_own(c, &uri) < 0)
		uri = NULL;
	if (!uri)
		hf_log_warning(&c->log, "login: the BMC did not say where the session is; it "
					"will be looked up again at logout");
	hf_session_set_uri(c, uri);
	if (uri)
		hf_journal_update(&c->journal, hf_journal_session_of(c), false);
	hf_log_info(&c->log, "session created: %s", uri ? uri : "(URI unknown)");
	return 0;
}

/* *ISSUED: the BMC answered with a session (2xx), whether or not the client could take it. */
static int login_password(hf_client *c, bool *issued)
{
	struct json_object *body, *user, *pass;
	hf_response *resp = NULL;
	const char *coll, *text;
	int r;

	if (!c->username || !c->password) {
		hf_client_set_error(c, -EACCES, HF_ERROR_AUTH, 0, NULL,
				    "login: %s", !c->username ? "no user name given"
							      : "no password given (set "
								"HOSTFISH_PASSWORD or use a "
								"password file)");
		return -EACCES;
	}
	coll = sessions_path(c);
	body = json_object_new_object();
	user = json_object_new_string(c->username);
	pass = json_object_new_string(c->password);
	if (!body || !user || !pass || json_object_object_add(body, "UserName", user) < 0) {
		json_object_put(user); /* out of memory: nothing is sent */
		json_object_put(pass);
		json_object_put(body);
		return -ENOMEM;
	}
	if (json_object_object_add(body, "Password", pass) < 0) {
		json_object_put(pass);
		json_object_put(body);
		return -ENOMEM;
	}
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	if (!text) {
		json_object_put(body);
		return -ENOMEM;
	}
	/* a login is never replayed (a second POST could create a second session), and once
	 * sent its answer is read even when interrupted: it carries the only token that can
	 * delete the session */
	r = hf_client_send(c, "POST", coll, NULL, text, strlen(text),
			   HF_SEND_NO_RETRY | HF_SEND_ANSWER_NEEDED, NULL, &resp);
	/* 404 or 405: not the sessions collection (nothing was created); the service root
	 * says where it is */
	if (r == 0 && (hf_response_status(resp) == 404 || hf_response_status(resp) == 405) &&
	    !(c->transport.ops->caps & HF_TCAP_AUTH_ALWAYS)) {
		const char *alt = sessions_from_root(c, coll);

		if (alt) {
			coll = alt;
			hf_response_free(resp);
			resp = NULL;
			r = hf_client_send(c, "POST", coll, NULL, text, strlen(text),
					   HF_SEND_NO_RETRY | HF_SEND_ANSWER_NEEDED, NULL, &resp);
		}
	}
	hf_wipe((char *)text, strlen(text));
	json_object_put(body);
	if (r < 0)
		return r;
	*issued = hf_response_status(resp) == 200 || hf_response_status(resp) == 201;
	if (*issued)
		r = adopt_session(c, resp, coll);
	else
		r = login_error(c, resp, "login");
	hf_response_free(resp);
	return r;
}

/* iLO certificate login: the TLS client certificate is exchanged for a session token. */
static int login_cert(hf_client *c, bool *issued)
{
	hf_response *resp = NULL;
	int r;

	r = hf_client_send(c, "GET", CERT_LOGIN_PATH, NULL, NULL, 0,
			   HF_SEND_NO_RETRY | HF_SEND_ANSWER_NEEDED, NULL, &resp);
	if (r < 0)
		return r;
	*issued = hf_response_status(resp) == 200 || hf_response_status(resp) == 201;
	if (*issued)
		r = adopt_session(c, resp, sessions_path(c));
	else
		r = login_error(c, resp, "certificate login");
	hf_response_free(resp);
	return r;
}

/*
 * A login that failed while the BMC may hold a session for it: the answer said so but the
 * client could not take the token (no memory for it, no X-Auth-Token), or the POST went out
 * and its answer was lost.  Its intent then stays, for sessions prune.
 */
static bool outcome_unknown(hf_client *c, int r, bool issued)
{
	if (r >= 0 || c->token)
		return false;
	if (issued)
		return true;
	return r != -EACCES && r != -EUSERS && r != -EINVAL && !hf_client_last_unsent(c);
}

static int login_attempt(hf_client *c)
{
	struct hf_intent in;
	bool issued = false;
	int r;

	/* recorded before the POST: a process killed before the session is journaled leaves
	 * this behind for sessions prune (intent.c) */
	hf_intent_begin(c, &in);
	r = c->auth == HF_AUTH_CERT ? login_cert(c, &issued) : login_password(c, &issued);
	hf_intent_end(c, &in, outcome_unknown(c, r, issued));
	return r;
}

static int login_once(hf_client *c)
{
	/* over the host interface without --user the credentials are found now (client.c) */
	int r = hf_client_hostif_creds(c, false);

	if (r != 0)
		return r < 0 ? r : 0;
	r = login_attempt(c);
	/* kept IPMI bootstrap credentials the BMC refuses (401): new ones, once */
	if (r == -EACCES && hf_client_hostif_creds(c, true) == 0)
		r = login_attempt(c);
	return r;
}

const char *hf_session_collection(hf_client *c)
{
	return sessions_path(c);
}

bool hf_session_in_collection(hf_client *c, const char *path)
{
	return in_sessions(sessions_path(c), path);
}

int hf_session_login_locked(hf_client *c)
{
	unsigned pruned = 0;
	int r;

	if (c->token)
		return 0;
	r = login_once(c);
	if (r != -EUSERS)
		return r;
	/* the BMC is full: if some of the sessions are our own orphans, free them and try
	 * once more (never anyone else's: that needs "sessions prune --all") */
	/* no login to confirm refused ones with: the BMC is full */
	hf_session_prune_journal(c, false, &pruned, NULL);
	if (pruned == 0)
		return r;
	hf_log_warning(&c->log, "the BMC's session limit was reached; deleted %u orphaned "
				"session%s of this host and logging in again",
		       pruned, pruned == 1 ? "" : "s");
	hf_client_clear_error(c);
	return login_once(c);
}

/*
 * A session the BMC answered 401 for: is it really gone?  A 401 can also come from a BMC
 * that refuses a token it still counts.  Asked with the new session (c->token, within the
 * session operation): 404 settles it; a session still listed is DELETEd.  1: gone, 0: unknown.
 */
int hf_session_settle_refused(hf_client *c, const char *uri)
{
	static const char *const methods[] = { "GET", "DELETE" };
	size_t i;

	if (!uri || !c->token)
		return 0;
	for (i = 0; i < HF_ARRAY_SIZE(methods); i++) {
		struct hf_headers h = { 0 };
		hf_response *resp = NULL;
		int r, status;

		r = hf_headers_set(&h, "X-Auth-Token", c->token);
		if (r == 0)
			r = hf_client_send(c, methods[i], uri, &h, NULL, 0, 0, NULL, &resp);
		hf_headers_clear(&h);
		if (r < 0)
			return 0;
		status = hf_response_status(resp);
		hf_response_free(resp);
		if (status == 404 || (i == 1 && status >= 200 && status < 300))
			return 1;
		if (status != 200)
			return 0; /* 401 again, 403 for another user's...: not known */
	}
	return 0;
}

/* Can this client open a session of its own (a password, or a client certificate)? */
bool hf_session_can_login(const hf_client *c)
{
	return c->auth == HF_AUTH_CERT || (c->auth == HF_AUTH_SESSION && c->password);
}

int hf_session_relogin(hf_client *c, unsigned gen)
{
	bool proven;
	int r = hf_session_op_begin(c);

	if (r < 0)
		return r;
	pthread_mutex_lock(&c->session_lock);
	proven = c->session_proven;
	pthread_mutex_unlock(&c->session_lock);
	if (c->session_gen == gen && c->token) {
		int64_t now = hf_now_ms();
		char *token, *uri;

		/* a session that worked has expired (a reset, a timeout): log in again at once;
		 * one refused before it ever worked, not within the interval */
		if (!proven && c->relogin_ms && now - c->relogin_ms < HF_RELOGIN_INTERVAL_MS) {
			hf_log_warning(&c->log, "the BMC refused session %s, logged in %lld ms ago; "
						"not logging in again within %d s",
				       c->session_uri ? c->session_uri : "(unknown)",
				       (long long)(now - c->relogin_ms),
				       HF_RELOGIN_INTERVAL_MS / 1000);
			hf_session_op_end(c);
			return -EAGAIN;
		}
		hf_log_info(&c->log, "the BMC no longer knows session %s; logging in again",
			    c->session_uri ? c->session_uri : "(unknown)");
		/* forgotten only once it is known to be gone: until then its journal entry
		 * stays, an orphan for sessions prune */
		/* a cached session's entry too: an orphan until settled */
		hf_journal_update(&c->journal, hf_journal_session_of(c), false);
		hf_session_take(c, &token, &uri);
		hf_journal_forget(&c->journal);
		c->relogin_ms = now;
		if (c->auth == HF_AUTH_SESSION && !c->password && !c->hostif_creds) {
			hf_client_set_error(c, -EACCES, HF_ERROR_AUTH, 401, NULL,
					    "the session expired and no password is available to "
					    "log in again");
			r = -EACCES;
		} else {
			r = hf_session_login_locked(c);
		}
		if (r == 0 && hf_session_settle_refused(c, uri))
			hf_journal_remove(&c->journal, token);
		else
			hf_log_warning(&c->log, "session %s was refused but is not known to be gone; "
						"its journal entry stays for sessions prune",
				       uri ? uri : "(unknown)");
		hf_free_secret(token);
		free(uri);
	} else if (!c->token) {
		r = hf_session_login_locked(c);
	}
	hf_session_op_end(c);
	return r;
}

int hf_session_ensure(hf_client *c)
{
	bool have;
	int r;

	pthread_mutex_lock(&c->session_lock);
	have = c->token != NULL;
	pthread_mutex_unlock(&c->session_lock);
	if (have)
		return 0;
	r = hf_session_op_begin(c);
	if (r < 0)
		return r;
	r = hf_session_login_locked(c);
	hf_session_op_end(c);
	return r;
}

_hf_public_ int hf_client_login(hf_client *c)
{
	int r;

	if (!c)
		return -EINVAL;
	hf_client_begin(c);
	if (!hf_session_auth_uses_session(c))
		return 0;
	r = hf_session_ensure(c);
	return r;
}

_hf_public_ int hf_client_session(const hf_client *c, const char **token, const char **uri)
{
	if (!c || !c->token)
		return -ENOENT;
	if (token)
		*token = c->token;
	if (uri)
		*uri = c->session_uri;
	return 0;
}

static int keep_session(hf_client *c, int keep, const char *holder)
{
	struct hf_journal_session s;

	if (!c || !c->token)
		return -ENOENT;
	hf_client_begin(c);
	if (hf_session_op_begin(c) < 0)
		return -EINTR;
	pthread_mutex_lock(&c->session_lock);
	c->owns_session = !keep;
	pthread_mutex_unlock(&c->session_lock);
	s = hf_journal_session_of(c);
	s.holder = holder;
	if (keep)
		hf_journal_update(&c->journal, s, true); /* the caller's cache answers for it now */
	else
		hf_journal_record(&c->journal, s); /* ours again: an orphan if we die */
	hf_session_op_end(c);
	return 0;
}

_hf_public_ int hf_client_keep_session(hf_client *c, int keep)
{
	return keep_session(c, keep, NULL);
}

_hf_public_ int hf_client_keep_session_in(hf_client *c, const char *holder)
{
	if (!holder || !*holder || holder[0] != '/')
		return -EINVAL;
	return keep_session(c, 1, holder);
}

_hf_public_ int hf_client_resume_session(hf_client *c, const char *token, const char *uri)
{
	char *t, *u;

	if (!c || !token || !uri || !*token || hf_has_crlf(token, strlen(token)) ||
	    hf_path_check(uri) < 0)
		return -EINVAL;
	t = strdup(token);
	u = strdup(uri);
	if (!t || !u) {
		free(t);
		free(u);
		return -ENOMEM;
	}
	pthread_mutex_lock(&c->session_lock);
	if (c->token) {
		pthread_mutex_unlock(&c->session_lock);
		hf_free_secret(t);
		free(u);
		return -EBUSY;
	}
	c->token = t;
	c->session_uri = u;
	c->owns_session = false;
	c->session_gen++;
	c->session_proven = false;
	/* a session to use is a reason to authenticate, unless the caller said "none" */
	if (c->auth == HF_AUTH_NONE && c->auth_was_auto)
		c->auth = HF_AUTH_SESSION;
	pthread_mutex_unlock(&c->session_lock);
	return 0;
}

_hf_public_ int hf_client_session_dup(hf_client *c, char **ret_token, char **ret_uri)
{
	char *t = NULL, *u = NULL;
	int r = 0;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->session_lock);
	if (!c->token) {
		r = -ENOENT;
	} else {
		t = ret_token ? strdup(c->token) : NULL;
		u = ret_uri && c->session_uri ? strdup(c->session_uri) : NULL;
		if ((ret_token && !t) || (ret_uri && c->session_uri && !u))
			r = -ENOMEM;
	}
	pthread_mutex_unlock(&c->session_lock);
	if (r < 0) {
		hf_free_secret(t);
		free(u);
		return r;
	}
	if (ret_token)
		*ret_token = t;
	if (ret_uri)
		*ret_uri = u;
	return 0;
}
