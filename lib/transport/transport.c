/* SPDX-License-Identifier: MIT */
/*
 * transport.c - backend table, selection and dispatch.
 *
 * Selection is data: hf_transports[] lists the backends in the order "auto" tries them.
 * In-band backends come first (the host interface, then CHIF); "https" needs a URL and is
 * never chosen by "auto" without one.  A name that is known but not built in this version
 * answers with a clear error rather than falling back to another BMC path.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport.h"

const struct hf_transport_ops *const hf_transports[] = {
	&hf_transport_agent,
	&hf_transport_hostif,
	&hf_transport_https,
	&hf_transport_chif,
	NULL,
};

const struct hf_transport_ops *hf_transport_find(const char *name)
{
	size_t i;

	for (i = 0; hf_transports[i]; i++)
		if (strcmp(hf_transports[i]->name, name) == 0)
			return hf_transports[i];
	return NULL;
}

static int init_one(const struct hf_transport_ops *ops, const struct hf_transport_config *cfg,
		    struct hf_transport *t, char *errbuf, size_t errlen)
{
	void *ctx = NULL;
	int r;

	if (ops->abi != HF_TRANSPORT_ABI || !ops->init || !ops->exchange) {
		snprintf(errbuf, errlen, "transport %s: incompatible backend", ops->name);
		return -ENOTSUP;
	}
	r = ops->init(cfg, &ctx, errbuf, errlen);
	if (r < 0)
		return r;
	t->ops = ops;
	t->ctx = ctx;
	return 0;
}

int hf_transport_open(const char *name, const struct hf_transport_config *cfg,
		      struct hf_transport *t, char *errbuf, size_t errlen)
{
	const struct hf_transport_ops *ops;
	size_t i, used = 0;
	char why[512];

	errbuf[0] = '\0';
	if (!name || strcmp(name, "auto") == 0) {
		/* hostfishd first, when it runs here, serves this BMC and lets us in */
		int r = cfg->direct ? -ENOENT : hf_transport_agent.probe(cfg, why, sizeof(why));

		if (r == 0 && init_one(&hf_transport_agent, cfg, t, errbuf, errlen) == 0) {
			hf_log_info(cfg->log, "using hostfishd (--direct bypasses it)");
			return 0;
		}
		if (r == -EPERM) /* a socket that may be a fake: worth saying */
			hf_log_warning(cfg->log, "not using hostfishd: %s", why);
		/* a URL means out of band: only https can serve it */
		if (cfg->url)
			return init_one(&hf_transport_https, cfg, t, errbuf, errlen);
		used = (size_t)snprintf(errbuf, errlen,
					"no transport can reach a BMC from this host; checked:");
		for (i = 0; hf_transports[i]; i++) {
			ops = hf_transports[i];
			if (!(ops->caps & HF_TCAP_INBAND) || !ops->probe)
				continue;
			why[0] = '\0';
			if (ops->probe(cfg, why, sizeof(why)) == 0) {
				hf_log_info(cfg->log, "transport auto: using %s", ops->name);
				return init_one(ops, cfg, t, errbuf, errlen);
			}
			if (used < errlen)
				used += (size_t)snprintf(errbuf + used, errlen - used, " %s: %s;",
							 ops->name, why);
		}
		return -ENOTSUP;
	}
	ops = hf_transport_find(name);
	if (!ops) {
		/* the name is echoed; hf_one_line() neutralises control characters in it */
		snprintf(errbuf, errlen, "unknown transport '%.64s' (known: auto, https, hostif, chif)",
			 name);
		return -EINVAL;
	}
	return init_one(ops, cfg, t, errbuf, errlen);
}

void hf_transport_close(struct hf_transport *t)
{
	if (t->ops && t->ops->fini)
		t->ops->fini(t->ctx);
	t->ops = NULL;
	t->ctx = NULL;
}

int hf_transport_conn_open(struct hf_transport *t, void **conn, char *errbuf, size_t errlen)
{
	if (!t->ops->conn_open) {
		*conn = NULL; /* connection-less backend: exchange gets NULL */
		return 0;
	}
	return t->ops->conn_open(t->ctx, conn, errbuf, errlen);
}

void hf_transport_conn_close(struct hf_transport *t, void *conn)
{
	if (t->ops->conn_close)
		t->ops->conn_close(t->ctx, conn);
}

int hf_transport_exchange(struct hf_transport *t, void *conn,
			  const struct hf_transport_request *req,
			  struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	errbuf[0] = '\0';
	if (req->sink && !(t->ops->caps & HF_TCAP_STREAM_BODY)) {
		snprintf(errbuf, errlen, "the %s transport cannot stream an answer", t->ops->name);
		return -ENOTSUP;
	}
	return t->ops->exchange(t->ctx, conn, req, resp, errbuf, errlen);
}

const char *hf_transport_endpoint(struct hf_transport *t)
{
	if (!t->ops->endpoint)
		return t->ops->name;
	return t->ops->endpoint(t->ctx);
}

int hf_transport_credentials(struct hf_transport *t, long timeout_ms,
			     const struct hf_creds *refused, struct hf_creds *ret, char *why,
			     size_t whylen)
{
	if (!t->ops->credentials) {
		snprintf(why, whylen, "the %s transport has no credentials of its own",
			 t->ops->name);
		return -EOPNOTSUPP;
	}
	return t->ops->credentials(t->ctx, timeout_ms, refused, ret, why, whylen);
}

int hf_transport_peer_cert(struct hf_transport *t, unsigned char **der, size_t *derlen,
			   char *errbuf, size_t errlen)
{
	if (!t->ops->peer_cert) {
		snprintf(errbuf, errlen, "the transport (%s) does not speak TLS with an address",
			 t->ops->name);
		return -EOPNOTSUPP;
	}
	errbuf[0] = '\0';
	return t->ops->peer_cert(t->ctx, der, derlen, errbuf, errlen);
}

int hf_transport_wait_path(struct hf_transport *t, int64_t deadline,
			   const volatile int *interrupts, int interrupts_seen, char *errbuf,
			   size_t errlen)
{
	if (!t->ops->wait_path) {
		snprintf(errbuf, errlen, "the %s transport has no path of its own to wait for",
			 t->ops->name);
		return -EOPNOTSUPP;
	}
	errbuf[0] = '\0';
	return t->ops->wait_path(t->ctx, deadline, interrupts, interrupts_seen, errbuf, errlen);
}

void hf_transport_response_clear(struct hf_transport_response *resp)
{
	free(resp->reason);
	resp->reason = NULL;
	resp->status = 0;
	resp->sends = 0;
	hf_headers_clear(&resp->headers);
	hf_buf_free(&resp->body);
}
