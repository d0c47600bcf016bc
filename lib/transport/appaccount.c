/* SPDX-License-Identifier: MIT */
/*
 * appaccount.c - HPE application accounts (iLO 7) through HPE's vendor library.
 *
 * iLO 7 has no CHIF; a host application authenticates on the host interface with a user's
 * credentials or with an "application account": GenerateAppToken() (with an administrator's
 * credentials) creates the account on the iLO and keeps its token in the host's TPM;
 * GetSessionID() later exchanges that token for a Redfish session; DeleteAppToken() removes
 * it.  The entry points and their calling conventions are those of HPE's
 * python-ilorest-library (src/redfish/hpilo/vnichpilo.py); the library is loaded the way
 * chif-lib.c loads the CHIF entry points (the same library ships both).
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
	static const char *const defaults[] = { HF_CHIF_DEFAULT_LIBRARIES };
	const char *env = secure_getenv(HF_CHIF_LIBRARY_ENV), *e;
	const char *const *names = defaults;
	struct hf_buf tried = { 0 };
	size_t n = HF_ARRAY_SIZE(defaults), i;

	memset(lib, 0, sizeof(*lib));
	if (!path && env && *env)
		path = env;
	if (path) {
		names = &path;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		dlerror();
		/* cppcheck-suppress objectIndex */
		lib->dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (lib->dl)
			break;
		e = dlerror();
		/* cppcheck-suppress objectIndex */
		hf_buf_printf(&tried, " %s (%s);", names[i], e ? e : "unknown error");
	}
	if (!lib->dl) {
		snprintf(why, whylen, "HPE's library for application accounts was not found; "
				      "tried:%s install HPE's iLOrest package or give "
				      "HOSTFISH_CHIF_LIBRARY",
			 tried.data ? tried.data : "");
		hf_buf_free(&tried);
		return -ENOTSUP;
	}
	hf_buf_free(&tried);
	/* cppcheck-suppress objectIndex */
	snprintf(lib->path, sizeof(lib->path), "%s", names[i]);
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
	if (lib->dl)
		dlclose(lib->dl);
	memset(lib, 0, sizeof(*lib));
}

void hf_appacct_query(struct hf_appacct_lib *lib, struct hf_appacct_status *st)
{
	memset(st, 0, sizeof(*st));
	st->ready = lib->sym_ReadyToUse() == 0;
	st->ilo_type = st->security_state = -1;
	st->detect_rc = lib->sym_DetectILO(ID, &st->ilo_type, &st->security_state);
	st->exists_rc = lib->sym_AppIdExistsinTPM(ID, &st->exists);
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
	if (!user || !password) {
		snprintf(why, whylen, "creating an application account needs an iLO user's "
				      "credentials: --user and a password");
		return -EACCES;
	}
	return map_rc(lib->sym_GenerateAppToken(ID, ID, ID, user, password),
		      "creating the application account", why, whylen);
}

int hf_appacct_delete(struct hf_appacct_lib *lib, char *why, size_t whylen)
{
	bool exists = false;

	if (lib->sym_AppIdExistsinTPM(ID, &exists) == 0 && !exists) {
		snprintf(why, whylen, "there is no application account in the TPM");
		return -ENOENT;
	}
	return map_rc(lib->sym_DeleteAppToken(ID, ID, ID), "deleting the application account",
		      why, whylen);
}

int hf_appacct_session(struct hf_appacct_lib *lib, struct hf_creds *c, char *why,
		       size_t whylen)
{
	char *id = NULL, *loc = NULL;
	const char *path;
	bool exists = false;
	int rc, i;

	if (lib->sym_ReadyToUse() != 0) {
		snprintf(why, whylen, "HPE's library says the host interface is not ready "
				      "(ReadyToUse)");
		return -ENOENT;
	}
	rc = lib->sym_AppIdExistsinTPM(ID, &exists);
	if (rc != 0 || !exists) {
		if (rc)
			snprintf(why, whylen, "AppIdExistsinTPM failed (%d)", rc);
		else
			snprintf(why, whylen, "no application account in the TPM ('hostfish "
					      "appaccount create' makes one)");
		return -ENOENT;
	}
	rc = lib->sym_GetSessionID(ID, ID, ID, &id, &loc);
	if (rc == HF_APPACCT_ERR_INACTIVE) {
		snprintf(why, whylen, "the application account's token is inactive or expired");
		return -EACCES;
	}
	if (rc != 0 || !id || !*id || !loc || hf_has_crlf(id, strlen(id))) {
		snprintf(why, whylen, "GetSessionID failed (%d)", rc);
		return -EIO;
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
	c->session_token = strdup(id);
	c->session_uri = strdup(path);
	/* the library's strings: python-ilorest-library never frees them either */
	if (!c->session_token || !c->session_uri) {
		hf_creds_clear(c);
		return -ENOMEM;
	}
	if (hf_path_check(c->session_uri) < 0) {
		snprintf(why, whylen, "GetSessionID returned an unusable session location");
		hf_creds_clear(c);
		return -EIO;
	}
	c->source = "hpe-application-account";
	return 0;
}
