/* SPDX-License-Identifier: MIT */
/*
 * appaccount.c - HPE application accounts (iLO 7) through HPE's vendor library.
 *
 * iLO 7 has no CHIF; a host application authenticates on the host interface with a user's
 * credentials or with an "application account": GenerateAppToken() (with an administrator's
 * credentials) creates the account on the iLO and keeps its token in the host's TPM;
 * GetSessionID() later exchanges that token for a Redfish session; DeleteAppToken() removes
 * it.  The entry points and their calling conventions are those of HPE's
 * python-ilorest-library (src/redfish/hpilo/vnichpilo.py).  The same library ships both
 * sets of entry points: this file takes a reference on the process's one copy of it
 * (chif-lib.c) and calls it only under the process-wide lock, as the CHIF transport does.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chif.h"
#include "creds.h"

#define ID HF_APPACCT_DEFAULT_ID

int hf_appacct_open(const char *path, struct hf_appacct_lib *lib, char *why, size_t whylen)
{
	char err[1024];
	const char *e;
	int r;

	memset(lib, 0, sizeof(*lib));
	/* the process's one copy of the library, shared with the CHIF transport */
	r = hf_chif_dl_acquire(path, &lib->dl, lib->path, sizeof(lib->path), err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen, "HPE's library for application accounts: %s", err);
		return r;
	}
#define HF_APPACCT_SYM_RESOLVE(ret, name, args)                                              \
	dlerror();                                                                           \
	*(void **)&lib->sym_##name = dlsym(lib->dl, #name);                                  \
	if (!lib->sym_##name) {                                                              \
		e = dlerror();                                                               \
		snprintf(why, whylen,                                                        \
			 "%s lacks the application-account entry point %s (%s): it predates " \
			 "iLO 7 support",                                                    \
			 lib->path, #name, e ? e : "symbol is NULL");                        \
		hf_appacct_close(lib);                                                       \
		return -ENOTSUP;                                                             \
	}
	HF_APPACCT_SYMBOLS(HF_APPACCT_SYM_RESOLVE)
#undef HF_APPACCT_SYM_RESOLVE
	return 0;
}

void hf_appacct_close(struct hf_appacct_lib *lib)
{
	hf_chif_dl_release(lib->dl);
	memset(lib, 0, sizeof(*lib));
}

/* Every call below into the library is made under its process-wide lock (chif.h). */

void hf_appacct_query(struct hf_appacct_lib *lib, struct hf_appacct_status *st)
{
	memset(st, 0, sizeof(*st));
	st->ilo_type = st->security_state = -1;
	hf_chif_lock();
	st->ready = lib->sym_ReadyToUse() == 0;
	st->detect_rc = lib->sym_DetectILO(ID, &st->ilo_type, &st->security_state);
	st->exists_rc = lib->sym_AppIdExistsinTPM(ID, &st->exists);
	hf_chif_unlock();
	if (st->exists_rc != 0)
		st->exists = false;
}

static int map_rc(int rc, const char *what, char *why, size_t whylen)
{
	switch (rc) {
	case 0:
		return 0;
	case HF_APPACCT_ERR_CREDENTIALS:
		snprintf(why, whylen, "%s: the iLO rejected the credentials (library code -8)",
			 what);
		return -EACCES;
	case HF_APPACCT_ERR_EXISTS:
		snprintf(why, whylen, "%s: the application account already exists (code -55)",
			 what);
		return -EEXIST;
	case HF_APPACCT_ERR_SAVE_ILO:
		snprintf(why, whylen, "%s: the iLO could not save the account (code -53)", what);
		return -EIO;
	case HF_APPACCT_ERR_SAVE_TPM:
		snprintf(why, whylen, "%s: the TPM could not save the token (code -54)", what);
		return -EIO;
	default:
		snprintf(why, whylen, "%s: HPE's library returned %d", what, rc);
		return -EIO;
	}
}

int hf_appacct_create(struct hf_appacct_lib *lib, const char *user, const char *password,
		      char *why, size_t whylen)
{
	int rc;

	if (!user || !password) {
		snprintf(why, whylen, "creating an application account needs an iLO user's "
				      "credentials: --user and a password");
		return -EACCES;
	}
	hf_chif_lock();
	rc = lib->sym_GenerateAppToken(ID, ID, ID, user, password);
	hf_chif_unlock();
	return map_rc(rc, "creating the application account", why, whylen);
}

int hf_appacct_delete(struct hf_appacct_lib *lib, char *why, size_t whylen)
{
	bool exists = false, asked = false;
	int rc = 0;

	hf_chif_lock();
	if (lib->sym_AppIdExistsinTPM(ID, &exists) != 0 || exists) {
		rc = lib->sym_DeleteAppToken(ID, ID, ID);
		asked = true;
	}
	hf_chif_unlock();
	if (!asked) {
		snprintf(why, whylen, "there is no application account in the TPM");
		return -ENOENT;
	}
	return map_rc(rc, "deleting the application account", why, whylen);
}

/*
 * Ask the library for a session under its lock, and copy its strings before the lock is
 * dropped: they are the library's (python-ilorest-library never frees them either) and the
 * next caller may overwrite them.  Returns the step that failed (SESSION_DONE: none), whose
 * return code is in *rc.
 */
enum session_step { SESSION_READY, SESSION_EXISTS, SESSION_GET, SESSION_DONE };

static enum session_step ask_session(struct hf_appacct_lib *lib, int *rc, char **id,
				     char **loc)
{
	enum session_step step = SESSION_READY;
	char *lid = NULL, *lloc = NULL;
	bool exists = false;

	hf_chif_lock();
	*rc = lib->sym_ReadyToUse();
	if (*rc == 0) {
		step = SESSION_EXISTS;
		*rc = lib->sym_AppIdExistsinTPM(ID, &exists);
	}
	if (step == SESSION_EXISTS && *rc == 0 && exists) {
		step = SESSION_GET;
		*rc = lib->sym_GetSessionID(ID, ID, ID, &lid, &lloc);
	}
	if (step == SESSION_GET && *rc == 0 && lid && lloc) {
		step = SESSION_DONE;
		*id = strdup(lid);
		*loc = strdup(lloc);
	}
	hf_chif_unlock();
	return step;
}

int hf_appacct_session(struct hf_appacct_lib *lib, struct hf_creds *c, char *why,
		       size_t whylen)
{
	char *id = NULL, *loc = NULL;
	const char *path;
	int rc, i, r = -EIO;

	switch (ask_session(lib, &rc, &id, &loc)) {
	case SESSION_READY:
		snprintf(why, whylen, "HPE's library says the host interface is not ready "
				      "(ReadyToUse)");
		return -ENOENT;
	case SESSION_EXISTS:
		if (rc)
			snprintf(why, whylen, "AppIdExistsinTPM failed (%d)", rc);
		else
			snprintf(why, whylen, "no application account in the TPM ('hostfish "
					      "appaccount create' makes one)");
		return -ENOENT;
	case SESSION_GET:
		if (rc == HF_APPACCT_ERR_INACTIVE) {
			snprintf(why, whylen, "the application account's token is inactive or "
					      "expired");
			return -EACCES;
		}
		snprintf(why, whylen, "GetSessionID failed (%d)", rc);
		return -EIO;
	case SESSION_DONE:
		break;
	}
	if (!id || !loc) {
		r = -ENOMEM;
		goto out;
	}
	if (!*id || hf_has_crlf(id, strlen(id))) {
		snprintf(why, whylen, "GetSessionID failed (%d)", rc);
		goto out;
	}
	/* the location is an absolute URL: keep its path, as vnichpilo.py does */
	path = loc;
	if (strstr(loc, "://")) {
		for (i = 0, path = loc; *path && i < 3; path++)
			if (*path == '/')
				i++;
		path = i == 3 ? path - 1 : "/";
	}
	memset(c, 0, sizeof(*c));
	c->session_token = id;
	id = NULL;
	c->session_uri = strdup(path);
	if (!c->session_uri) {
		hf_creds_clear(c);
		r = -ENOMEM;
		goto out;
	}
	if (hf_path_check(c->session_uri) < 0) {
		snprintf(why, whylen, "GetSessionID returned an unusable session location");
		hf_creds_clear(c);
		goto out;
	}
	c->source = "hpe-application-account";
	r = 0;
out:
	if (id)
		hf_wipe(id, strlen(id));
	free(id);
	free(loc);
	return r;
}
