/* SPDX-License-Identifier: MIT */
/*
 * creds.c - which credential the host interface uses, in DSP0270's and HPE's order (see
 * creds.h): after an explicit --user (decided by the client), the UEFI variable, then an
 * HPE application account, then IPMI credential bootstrapping.  When none yields
 * credentials the message names every source checked, with the names "hostfish discover"
 * reports.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"

static bool same_creds(const struct hf_creds *a, const struct hf_creds *b)
{
	return a->username && b->username && a->password && b->password &&
	       strcmp(a->username, b->username) == 0 && strcmp(a->password, b->password) == 0;
}

/*
 * Source 4, with the kept credentials first: under the store's lock, the kept file unless it
 * holds the refused credentials, else IPMI (one new BMC account), whose answer is kept.
 */
static int ipmi_source(const struct hf_creds_context *ctx, const struct hf_creds *refused,
		       struct hf_creds *c, char *err, size_t errlen)
{
	char why[512];
	int lock, r;

	if (!ctx->store_path)
		return hf_ipmi_bootstrap_get(ctx->ipmi_device, ctx->timeout_ms, c, err, errlen);
	lock = hf_creds_store_lock(ctx->store_dir, ctx->store_path, why, sizeof(why));
	if (lock < 0)
		hf_log_warning(ctx->log, "warning: host interface credentials: %s", why);
	r = hf_creds_store_load(ctx->store_path, c, why, sizeof(why));
	if (r < 0)
		hf_log_warning(ctx->log, "warning: host interface credentials: %s", why);
	if (r == 1 && !(refused && same_creds(c, refused))) {
		hf_log_info(ctx->log, "host interface: IPMI bootstrap credentials kept in %s",
			    ctx->store_path);
		r = 0;
		goto out;
	}
	hf_creds_clear(c);
	hf_log_info(ctx->log, "host interface: asking the BMC for IPMI bootstrap credentials "
			      "(this creates a BMC account)");
	r = hf_ipmi_bootstrap_get(ctx->ipmi_device, ctx->timeout_ms, c, err, errlen);
	if (r < 0)
		goto out;
	if (hf_creds_store_save(ctx->store_dir, ctx->store_path, c, ctx->what, why,
				sizeof(why)) < 0)
		hf_log_warning(ctx->log, "warning: the IPMI bootstrap credentials are not kept (%s): "
					 "the next run creates another BMC account",
			       why);
out:
	if (lock >= 0)
		close(lock);
	return r;
}

int hf_creds_renew(const struct hf_creds_context *ctx, const struct hf_creds *refused,
		   struct hf_creds *c, char *why, size_t whylen)
{
	char err[512];
	int r;

	memset(c, 0, sizeof(*c));
	hf_log_info(ctx->log, "host interface: the BMC refused the kept IPMI bootstrap "
			      "credentials (user %s)",
		    refused->username ? refused->username : "?");
	r = ipmi_source(ctx, refused, c, err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen,
			 "the BMC refused the kept IPMI bootstrap credentials and no new ones "
			 "came: ipmi-bootstrap: %s",
			 err);
		return r == -ENOMEM ? r : -EACCES;
	}
	hf_log_info(ctx->log, "host interface: credentials from %s, user %s", c->source,
		    c->username);
	return 0;
}

int hf_creds_find(const struct hf_creds_context *ctx, struct hf_creds *c, char *why,
		  size_t whylen)
{
	struct hf_appacct_lib lib;
	struct hf_buf tried = { 0 };
	char err[512];
	int r;

	memset(c, 0, sizeof(*c));
	hf_buf_printf(&tried, "user: no --user was given");

	/* 2. DSP0270 1.0: the UEFI variable */
	r = hf_uefi_creds_load(ctx->efivars, c, err, sizeof(err));
	if (r == 0)
		goto found;
	if (r == -EBADMSG)
		hf_log_warning(ctx->log, "warning: host interface credentials: %s", err);
	hf_buf_printf(&tried, "; uefi-redfish-os-credentials: %s", err);

	/* 3. HPE application account */
	r = hf_appacct_open(ctx->library, &lib, err, sizeof(err));
	if (r == 0) {
		r = hf_appacct_session(&lib, c, err, sizeof(err));
		hf_appacct_close(&lib);
		if (r == 0)
			goto found;
	}
	hf_buf_printf(&tried, "; hpe-application-account: %s", err);

	/* 4. DSP0270 1.3: IPMI credential bootstrapping */
	if (!ctx->ipmi_advertised) {
		hf_buf_printf(&tried, "; ipmi-bootstrap: the record does not advertise IPMI "
				      "credential bootstrapping");
	} else {
		r = ipmi_source(ctx, NULL, c, err, sizeof(err));
		if (r == 0)
			goto found;
		hf_buf_printf(&tried, "; ipmi-bootstrap: %s", err);
	}
	snprintf(why, whylen,
		 "authentication is always required over the host interface and no credential "
		 "source has any: %s",
		 tried.data ? tried.data : "?");
	hf_buf_free(&tried);
	return -EACCES;
found:
	hf_buf_free(&tried);
	hf_log_info(ctx->log, "host interface: credentials from %s%s%s", c->source,
		    c->username ? ", user " : " (a session)", c->username ? c->username : "");
	return 0;
}
