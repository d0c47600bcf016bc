/* SPDX-License-Identifier: MIT */
/*
 * appaccount.c - hf_appaccount(): HPE application accounts (iLO 7) for the public API, over
 * transport/appaccount.c.  The account's token stays in HPE's library and the host's TPM;
 * nothing here sees it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "hostfish-private.h"
#include "creds.h"

static int add(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v || json_object_object_add(o, k, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

_hf_public_ int hf_appaccount(const hf_options *opts, const char *action,
			      struct json_object **ret)
{
	struct hf_appacct_lib lib;
	struct hf_appacct_status st;
	struct json_object *rep = NULL;
	char why[1024] = "";
	const char *done = NULL;
	int r;

	if (!opts || !action || !ret || opts->version != HF_OPTIONS_VERSION)
		return -EINVAL;
	if (strcmp(action, "status") != 0 && strcmp(action, "create") != 0 &&
	    strcmp(action, "delete") != 0) {
		snprintf(why, sizeof(why), "appaccount: unknown action '%s' (create, delete, "
					   "status)",
			 action);
		r = -EINVAL;
		goto out;
	}
	r = hf_appacct_open(opts->chif_library, &lib, why, sizeof(why));
	if (r < 0)
		goto out;
	if (strcmp(action, "create") == 0) {
		r = hf_appacct_create(&lib, opts->username, opts->password, why, sizeof(why));
		done = "created";
	} else if (strcmp(action, "delete") == 0) {
		r = hf_appacct_delete(&lib, why, sizeof(why));
		done = "deleted";
	}
	if (r == 0) {
		hf_appacct_query(&lib, &st);
		rep = json_object_new_object();
		r = rep ? 0 : -ENOMEM;
		r = r ?: add(rep, "library", json_object_new_string(lib.path));
		r = r ?: add(rep, "app_id", json_object_new_string(HF_APPACCT_DEFAULT_ID));
		r = r ?: add(rep, "ready", json_object_new_boolean(st.ready));
		if (st.detect_rc == 0) {
			r = r ?: add(rep, "ilo_type", json_object_new_int(st.ilo_type));
			r = r ?: add(rep, "security_state", json_object_new_int(st.security_state));
		}
		r = r ?: add(rep, "exists", json_object_new_boolean(st.exists));
		if (done)
			r = r ?: add(rep, "action", json_object_new_string(done));
	}
	hf_appacct_close(&lib);
out:
	if (r < 0) {
		json_object_put(rep);
		if (why[0] && opts && opts->log_fn) {
			hf_one_line(why);
			opts->log_fn(opts->log_userdata, HF_LOG_ERROR, why);
		}
		return r;
	}
	*ret = rep;
	return 0;
}
