/* SPDX-License-Identifier: MIT */
/*
 * account.c - local BMC accounts, idempotently, through the AccountService (DSP0268
 * ManagerAccount; iLO's local user database).
 *
 *   GET /redfish/v1/AccountService/            Accounts link, MinPasswordLength, Oem.Hpe (iLO)
 *   GET the Accounts collection, each member   the account whose UserName is USER
 *   ensure, absent:  POST {UserName, Password, RoleId, ...} | PATCH only what differs | DELETE
 *
 * iLO (HPE, "Managing iLO users"): UserName is the login name (Oem.Hpe.LoginName the name
 * shown in the user list; we set both to USER), RoleId is Administrator, Operator or
 * ReadOnly and sets the Oem.Hpe.Privileges of that role, and an account has no "Enabled":
 * iLO's LoginPriv privilege is what lets it log in, so --disabled is LoginPriv false there.
 * A BMC whose accounts show "Enabled" gets Enabled.
 *
 * The password is never read back (Redfish answers null).  Whether it differs is checked by
 * one GET of the account with HTTP Basic authentication as USER: iLO creates and deletes a
 * session for a Basic request itself, so no session is left.  401: it differs, and is set;
 * any other answer: the BMC took it.  An account that cannot log in (disabled) cannot be
 * checked, nor can one reached over CHIF or through hostfishd (those authorise the channel,
 * not the request): then the password is set and the report says "password_checked": false.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "client-private.h"

#define ACCOUNT_SERVICE "/redfish/v1/AccountService/"
#define MAX_ACCOUNTS 64

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static int set(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* An error of the BMC's answer recorded on the client: -EIO (or -EACCES for 401). */
static int answer_error(hf_client *c, hf_response *resp, const char *what, const char *path)
{
	int status = hf_response_status(resp);
	int kind = status == 401 ? HF_ERROR_AUTH
		   : status >= 500 ? HF_ERROR_HTTP_SERVER
				   : HF_ERROR_HTTP_CLIENT;

	hf_client_resolve_messages(c, resp);
	hf_client_set_error(c, status == 401 ? -EACCES : -EIO, kind, status,
			    hf_response_redfish_error(resp), "%s %s: %d %s", what, path, status,
			    hf_response_reason(resp));
	return status == 401 ? -EACCES : -EIO;
}

/* GET path: its JSON object in *ret (new reference), or a negative errno, error set. */
static int get_json(hf_client *c, const char *path, struct json_object **ret)
{
	hf_response *resp = NULL;
	int r;

	*ret = NULL;
	r = hf_request(c, "GET", path, NULL, NULL, 0, &resp);
	if (r < 0)
		return r;
	if (hf_response_status(resp) != 200 ||
	    !json_object_is_type(hf_response_json(resp), json_type_object)) {
		r = answer_error(c, resp, "GET", path);
		hf_response_free(resp);
		return r;
	}
	*ret = json_object_get(hf_response_json(resp));
	hf_response_free(resp);
	return 0;
}

struct found {
	struct json_object *service; /* the AccountService */
	char *collection; /* the Accounts collection's path */
	char *uri; /* the account's path, NULL: none */
	struct json_object *account;
};

static void found_clear(struct found *f)
{
	json_object_put(f->service);
	json_object_put(f->account);
	free(f->collection);
	free(f->uri);
	memset(f, 0, sizeof(*f));
}

static char *link_of(hf_client *c, struct json_object *obj, const char *base)
{
	const char *id = json_object_get_string(member(obj, "@odata.id"));
	char *path = NULL;

	if (!id || hf_location_to_path(id, base, c->origin, &path) < 0)
		return NULL;
	if (hf_path_check(path) < 0 || strstr(path, "/../") || strchr(path, '?')) {
		free(path);
		return NULL;
	}
	return path;
}

/* The service, the collection and the account named user (if any). */
static int find_account(hf_client *c, const char *user, struct found *f)
{
	struct json_object *coll = NULL, *members;
	size_t i, n;
	int r;

	r = get_json(c, ACCOUNT_SERVICE, &f->service);
	if (r < 0)
		return r;
	f->collection = link_of(c, member(f->service, "Accounts"), ACCOUNT_SERVICE);
	if (!f->collection) {
		hf_client_set_error(c, -ENOTSUP, HF_ERROR_PROTOCOL, 0, NULL,
				    "the AccountService links no Accounts collection");
		return -ENOTSUP;
	}
	r = get_json(c, f->collection, &coll);
	if (r < 0)
		return r;
	members = member(coll, "Members");
	n = json_object_is_type(members, json_type_array) ? json_object_array_length(members) : 0;
	for (i = 0; i < n && i < MAX_ACCOUNTS && !f->uri; i++) {
		_cleanup_free_ char *path = link_of(c, json_object_array_get_idx(members, i),
						    f->collection);
		struct json_object *acc = NULL;

		if (!path)
			continue;
		r = get_json(c, path, &acc);
		if (r < 0)
			break;
		if (hf_streq(json_object_get_string(member(acc, "UserName")), user)) {
			f->account = acc;
			f->uri = path;
			path = NULL;
		} else {
			json_object_put(acc);
		}
	}
	json_object_put(coll);
	return r < 0 ? r : 0;
}

static bool is_ilo(struct found *f)
{
	return member(member(f->service, "Oem"), "Hpe") != NULL;
}

/* Can the account log in: Enabled, else iLO's LoginPriv, else yes. */
static bool can_login(struct json_object *acc)
{
	struct json_object *v = member(acc, "Enabled");

	if (!v)
		v = member(member(member(member(acc, "Oem"), "Hpe"), "Privileges"), "LoginPriv");
	return !json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v);
}

/*
 * Does the BMC take this password for this user?  One GET of the account with Basic
 * authentication, outside the client's session.  1 yes, 0 no (401), negative errno.
 */
static int password_works(hf_client *c, const char *uri, const char *user, const char *password)
{
	struct hf_headers h = { 0 };
	hf_response *resp = NULL;
	char *value = hf_basic_auth_value(user, password);
	int r;

	r = value ? hf_headers_set(&h, "Authorization", value) : -ENOMEM;
	hf_free_secret(value);
	if (r == 0)
		r = hf_client_send(c, "GET", uri, &h, NULL, 0, HF_SEND_NO_RETRY, NULL, &resp);
	hf_headers_clear(&h);
	if (r < 0)
		return r;
	r = hf_response_status(resp) == 401 ? 0 : 1;
	hf_response_free(resp);
	return r;
}

/* Whether this transport authenticates each request (a Basic check means something). */
static bool request_auth_transport(hf_client *c)
{
	const char *t = hf_client_transport(c);

	return hf_streq(t, "https") || hf_streq(t, "hostif");
}

/* The enabled/disabled part of a body: Enabled, or iLO's LoginPriv. */
static int put_enabled(struct json_object *body, bool ilo_style, bool enabled)
{
	struct json_object *oem, *hpe, *privs;

	if (!ilo_style)
		return set(body, "Enabled", json_object_new_boolean(enabled));
	if (!json_object_object_get_ex(body, "Oem", &oem)) {
		oem = json_object_new_object();
		if (set(body, "Oem", oem) < 0)
			return -ENOMEM;
	}
	if (!json_object_object_get_ex(oem, "Hpe", &hpe)) {
		hpe = json_object_new_object();
		if (set(oem, "Hpe", hpe) < 0)
			return -ENOMEM;
	}
	privs = json_object_new_object();
	if (set(hpe, "Privileges", privs) < 0)
		return -ENOMEM;
	return set(privs, "LoginPriv", json_object_new_boolean(enabled));
}

/* ---- the report ---- */

static struct json_object *new_report(const char *user, bool dry_run)
{
	struct json_object *rep = json_object_new_object();

	if (!rep || set(rep, "user", json_object_new_string(user)) < 0 ||
	    set(rep, "dry_run", json_object_new_boolean(dry_run)) < 0 ||
	    set(rep, "changes", json_object_new_array()) < 0) {
		json_object_put(rep);
		return NULL;
	}
	return rep;
}

static int finish_report(struct json_object *rep, const char *action, const char *uri,
			 bool changed)
{
	if (set(rep, "action", json_object_new_string(action)) < 0 ||
	    (uri ? set(rep, "uri", json_object_new_string(uri))
		 : json_object_object_add(rep, "uri", NULL)) < 0 ||
	    set(rep, "changed", json_object_new_boolean(changed)) < 0)
		return -ENOMEM;
	return 0;
}

static int note_change(struct json_object *rep, const char *what)
{
	return json_object_array_add(member(rep, "changes"), json_object_new_string(what)) < 0
		       ? -ENOMEM
		       : 0;
}

/* ---- checks before anything is sent ---- */

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A refusal of the caller's input: -EINVAL, kind HF_ERROR_USAGE, nothing sent. */
static int usage(hf_client *c, const char *what, const char *why)
{
	hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "%s%s; nothing was changed", what,
			    why);
	return -EINVAL;
}

/* The password against the service's MinPasswordLength (iLO: also Oem.Hpe's), 39 at most
 * (iLO's limit, and a sane one for any BMC). */
static int password_ok(hf_client *c, struct json_object *service, const char *password)
{
	struct json_object *min = member(service, "MinPasswordLength");
	size_t len = strlen(password);

	if (!json_object_is_type(min, json_type_int))
		min = member(member(member(service, "Oem"), "Hpe"), "MinPasswordLength");
	if (!name_ok(password, 256))
		return usage(c, "account: ", "the password must be one line of printable characters");
	if (json_object_is_type(min, json_type_int) && (int64_t)len < json_object_get_int64(min)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "the password is shorter than the BMC's MinPasswordLength (%lld); "
				    "nothing was changed",
				    (long long)json_object_get_int64(min));
		return -EINVAL;
	}
	return 0;
}

/* ---- ensure ---- */

static int send_body(hf_client *c, const char *method, const char *path,
		     struct json_object *body, char **location)
{
	hf_response *resp = NULL;
	int r;

	r = hf_request_json(c, method, path, NULL, body, &resp);
	if (r < 0)
		return r;
	if (hf_response_status(resp) < 200 || hf_response_status(resp) > 299) {
		r = answer_error(c, resp, method, path);
		hf_response_free(resp);
		return r;
	}
	if (location) {
		const char *loc = hf_response_header(resp, "Location");
		struct json_object *id = member(hf_response_json(resp), "@odata.id");

		if (!loc && json_object_is_type(id, json_type_string))
			loc = json_object_get_string(id);
		if (loc && hf_location_to_path(loc, path, c->origin, location) < 0)
			*location = NULL;
	}
	hf_response_free(resp);
	return 0;
}

static int create(hf_client *c, struct found *f, const char *user, const char *role,
		  const char *password, unsigned flags, struct json_object *rep)
{
	struct json_object *body = json_object_new_object();
	_cleanup_free_ char *uri = NULL;
	int r = -ENOMEM;

	if (!password) {
		json_object_put(body);
		return usage(c, user, ": a new account needs a password (--password-file)");
	}
	if (!body || set(body, "UserName", json_object_new_string(user)) < 0 ||
	    set(body, "Password", json_object_new_string(password)) < 0 ||
	    (role && set(body, "RoleId", json_object_new_string(role)) < 0))
		goto out;
	if (is_ilo(f)) {
		struct json_object *oem = json_object_new_object(), *hpe = json_object_new_object();

		if (set(body, "Oem", oem) < 0 || set(oem, "Hpe", hpe) < 0 ||
		    set(hpe, "LoginName", json_object_new_string(user)) < 0)
			goto out;
	}
	if ((flags & HF_ACCOUNT_DISABLE) && put_enabled(body, is_ilo(f), false) < 0)
		goto out;
	if (note_change(rep, "UserName") < 0 || note_change(rep, "Password") < 0 ||
	    (role && note_change(rep, "RoleId") < 0) ||
	    ((flags & HF_ACCOUNT_DISABLE) && note_change(rep, "Enabled") < 0))
		goto out;
	if (!(flags & HF_ACCOUNT_DRY_RUN)) {
		r = send_body(c, "POST", f->collection, body, &uri);
		if (r < 0)
			goto out;
	}
	r = finish_report(rep, (flags & HF_ACCOUNT_DRY_RUN) ? "would_create" : "created", uri,
			  true);
out:
	json_object_put(body);
	return r;
}

/* The PATCH body of what differs (NULL: nothing), the changes noted in rep. */
static int differences(hf_client *c, struct found *f, const char *user, const char *role,
		       const char *password, unsigned flags, struct json_object *rep,
		       struct json_object **ret)
{
	struct json_object *body = json_object_new_object();
	bool login = can_login(f->account);
	int r;

	*ret = NULL;
	if (!body)
		return -ENOMEM;
	if (role && !hf_streq(json_object_get_string(member(f->account, "RoleId")), role) &&
	    (set(body, "RoleId", json_object_new_string(role)) < 0 || note_change(rep, "RoleId") < 0))
		goto nomem;
	if ((flags & (HF_ACCOUNT_ENABLE | HF_ACCOUNT_DISABLE)) &&
	    login != !!(flags & HF_ACCOUNT_ENABLE) &&
	    (put_enabled(body, !member(f->account, "Enabled") && is_ilo(f),
			 !!(flags & HF_ACCOUNT_ENABLE)) < 0 ||
	     note_change(rep, "Enabled") < 0))
		goto nomem;
	if (password) {
		bool checkable = login && request_auth_transport(c);

		r = checkable ? password_works(c, f->uri, user, password) : 0;
		if (r < 0) {
			json_object_put(body);
			return r;
		}
		if (set(rep, "password_checked", json_object_new_boolean(checkable)) < 0)
			goto nomem;
		if (r == 0 && (set(body, "Password", json_object_new_string(password)) < 0 ||
			       note_change(rep, "Password") < 0))
			goto nomem;
	}
	/* a role change resets iLO's privileges, LoginPriv included: say it again */
	if (member(body, "RoleId") && !member(body, "Enabled") && is_ilo(f) &&
	    !member(f->account, "Enabled") && !login && !(flags & HF_ACCOUNT_ENABLE) &&
	    put_enabled(body, true, false) < 0)
		goto nomem;
	if (json_object_object_length(body) == 0) {
		json_object_put(body);
		body = NULL;
	}
	*ret = body;
	return 0;
nomem:
	json_object_put(body);
	return -ENOMEM;
}

_hf_public_ int hf_account_ensure(hf_client *c, const char *user, const char *role,
				  const char *password, unsigned flags, struct json_object **ret)
{
	struct json_object *rep = NULL, *body = NULL;
	struct found f = { 0 };
	int r;

	if (!c || !user || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	if (flags & ~(HF_ACCOUNT_ENABLE | HF_ACCOUNT_DISABLE | HF_ACCOUNT_DRY_RUN) ||
	    (flags & HF_ACCOUNT_ENABLE && flags & HF_ACCOUNT_DISABLE))
		return usage(c, "account: ", "invalid flags (enable and disable are exclusive)");
	if (!name_ok(user, 39))
		return usage(c, "account: ", "the user name must be 1 to 39 printable characters");
	if (role && !name_ok(role, 64))
		return usage(c, "account: ", "the role must be 1 to 64 printable characters");
	rep = new_report(user, flags & HF_ACCOUNT_DRY_RUN);
	if (!rep)
		goto nomem;
	r = find_account(c, user, &f);
	if (r < 0)
		goto out;
	if (password && (r = password_ok(c, f.service, password)) < 0)
		goto out;
	if (!f.uri) {
		r = create(c, &f, user, role, password, flags, rep);
		goto out;
	}
	r = differences(c, &f, user, role, password, flags, rep, &body);
	if (r < 0)
		goto out;
	if (body && !(flags & HF_ACCOUNT_DRY_RUN))
		r = send_body(c, "PATCH", f.uri, body, NULL);
	if (r == 0)
		r = finish_report(rep,
				  !body			       ? "unchanged"
				  : (flags & HF_ACCOUNT_DRY_RUN) ? "would_update"
								 : "updated",
				  f.uri, body != NULL);
out:
	json_object_put(body);
	found_clear(&f);
	if (r < 0) {
		json_object_put(rep);
		return r;
	}
	*ret = rep;
	return json_object_get_boolean(member(rep, "changed")) ? 1 : 0;
nomem:
	hf_client_set_error(c, -ENOMEM, HF_ERROR_RESOURCE, 0, NULL, "account: out of memory");
	return -ENOMEM;
}

_hf_public_ int hf_account_absent(hf_client *c, const char *user, unsigned flags,
				  struct json_object **ret)
{
	struct json_object *rep = NULL;
	struct found f = { 0 };
	hf_response *resp = NULL;
	int r;

	if (!c || !user || !ret)
		return -EINVAL;
	HF_OPERATION(c);
	if (flags & ~HF_ACCOUNT_DRY_RUN)
		return usage(c, "account: ", "invalid flags");
	if (!name_ok(user, 39))
		return usage(c, "account: ", "the user name must be 1 to 39 printable characters");
	rep = new_report(user, flags & HF_ACCOUNT_DRY_RUN);
	if (!rep) {
		hf_client_set_error(c, -ENOMEM, HF_ERROR_RESOURCE, 0, NULL, "account: out of memory");
		return -ENOMEM;
	}
	r = find_account(c, user, &f);
	if (r < 0)
		goto out;
	if (!f.uri) {
		r = finish_report(rep, "absent", NULL, false);
		goto out;
	}
	if (!(flags & HF_ACCOUNT_DRY_RUN)) {
		r = hf_request(c, "DELETE", f.uri, NULL, NULL, 0, &resp);
		if (r < 0)
			goto out;
		if (hf_response_status(resp) < 200 || hf_response_status(resp) > 299)
			r = answer_error(c, resp, "DELETE", f.uri);
		hf_response_free(resp);
		if (r < 0)
			goto out;
	}
	r = note_change(rep, "UserName");
	if (r == 0)
		r = finish_report(rep, (flags & HF_ACCOUNT_DRY_RUN) ? "would_delete" : "deleted",
				  f.uri, true);
out:
	found_clear(&f);
	if (r < 0) {
		json_object_put(rep);
		return r;
	}
	*ret = rep;
	return json_object_get_boolean(member(rep, "changed")) ? 1 : 0;
}
