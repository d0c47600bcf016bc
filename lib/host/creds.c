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

#include "creds.h"

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
		r = hf_ipmi_bootstrap_get(ctx->ipmi_device, ctx->timeout_ms, c, err, sizeof(err));
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
