/* SPDX-License-Identifier: MIT */
/*
 * client.c - the client object: options, creation and free, and its small accessors.  The
 * pool is in pool.c, the request pipeline in request.c, error records in errors.c.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "client-private.h"
#include "creds.h"

_hf_public_ const char *hf_version(void)
{
	return PACKAGE_VERSION;
}

/* ---- options and life cycle ---- */

_hf_public_ int hf_options_init(hf_options *opts, unsigned int version)
{
	static const hf_options init = HF_OPTIONS_INIT;

	if (!opts || (version != 1 && version != HF_OPTIONS_VERSION))
		return -EINVAL;
	/* a version 1 caller's struct ends before idle_timeout_ms */
	memcpy(opts, &init, version == 1 ? offsetof(hf_options, idle_timeout_ms) : sizeof(init));
	opts->version = version;
	return 0;
}

static int base64(const char *in, char **ret)
{
	size_t len = strlen(in);
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (!out)
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
	*ret = out;
	return 0;
}

static int check_options(const hf_options *o, char *why, size_t len)
{
	if (o->version != 1 && o->version != HF_OPTIONS_VERSION) {
		snprintf(why, len, "hf_options.version %u is not supported", o->version);
		return -EINVAL;
	}
	if (o->version >= 2 && o->idle_timeout_ms < -1) {
		snprintf(why, len, "idle_timeout_ms must be -1 (never), 0 (default) or positive");
		return -EINVAL;
	}
	if (o->auth < HF_AUTH_AUTO || o->auth > HF_AUTH_CERT) {
		snprintf(why, len, "invalid auth mode %d", o->auth);
		return -EINVAL;
	}
	if (o->retries < -1 || o->retries > 10) {
		snprintf(why, len, "retries must be between 0 and 10");
		return -EINVAL;
	}
	if (o->connect_timeout_ms < 0 || o->timeout_ms < 0) {
		snprintf(why, len, "timeouts must not be negative");
		return -EINVAL;
	}
	if (o->slot_wait_ms < 0) {
		snprintf(why, len, "slot_wait_ms must not be negative");
		return -EINVAL;
	}
	if (o->max_connections < 0 || o->max_connections > HF_MAX_CONNECTIONS) {
		snprintf(why, len, "max_connections must be between 1 and %d", HF_MAX_CONNECTIONS);
		return -EINVAL;
	}
	if ((o->username && hf_has_crlf(o->username, strlen(o->username))) ||
	    (o->password && (hf_has_crlf(o->password, strlen(o->password))))) {
		snprintf(why, len, "user name and password must not contain CR or LF");
		return -EINVAL;
	}
	if ((o->session_token == NULL) != (o->session_uri == NULL)) {
		snprintf(why, len, "session_token and session_uri go together");
		return -EINVAL;
	}
	if (o->session_token &&
	    (hf_has_crlf(o->session_token, strlen(o->session_token)) ||
	     hf_path_check(o->session_uri) < 0)) {
		snprintf(why, len, "invalid session token or URI");
		return -EINVAL;
	}
	if (o->auth == HF_AUTH_CERT && !o->client_cert) {
		snprintf(why, len, "certificate authentication needs a client certificate");
		return -EINVAL;
	}
	if (o->auth == HF_AUTH_BASIC && (!o->username || !o->password)) {
		snprintf(why, len, "basic authentication needs a user name and a password");
		return -EINVAL;
	}
	return 0;
}

char *hf_basic_auth_value(const char *user, const char *password)
{
	_cleanup_free_ char *pair = NULL;
	_cleanup_free_ char *enc = NULL;
	char *value;
	int r;

	pair = malloc(strlen(user) + strlen(password) + 2);
	if (!pair)
		return NULL;
	sprintf(pair, "%s:%s", user, password);
	r = base64(pair, &enc);
	hf_wipe(pair, strlen(pair));
	if (r < 0)
		return NULL;
	value = malloc(strlen(enc) + 7);
	if (value)
		sprintf(value, "Basic %s", enc);
	hf_wipe(enc, strlen(enc));
	return value;
}

/* c->basic_auth from c->username and c->password ("Basic base64(user:password)"). */
static int set_basic_auth(hf_client *c)
{
	hf_free_secret(c->basic_auth);
	c->basic_auth = hf_basic_auth_value(c->username, c->password);
	return c->basic_auth ? 0 : -ENOMEM;
}

/*
 * No --user, and a transport with credentials of its own (the host interface: the host's
 * credential sources, lib/host/creds.h): asked for at the first login (session.c), never in
 * hf_client_new(), which contacts nothing.  Kept IPMI bootstrap credentials the BMC refuses
 * are renewed once.
 */
int hf_client_hostif_creds(hf_client *c, bool refused)
{
	struct hf_creds cr = { 0 }, old = { 0 };
	char why[1024] = "";
	int r;

	if (!c->hostif_creds)
		return refused ? -EACCES : 0;
	if (!refused && c->username && c->password)
		return 0;
	if (refused) {
		if (!c->hostif_kept || hf_client_last_error(c)->http_status != 401)
			return -EACCES;
		old.username = c->username;
		old.password = c->password;
	}
	r = hf_transport_credentials(&c->transport, c->timeout_ms, refused ? &old : NULL, &cr, why,
				     sizeof(why));
	if (r < 0) {
		r = r == -ENOMEM ? r : -EACCES;
		hf_client_set_error(c, r, HF_ERROR_AUTH, 0, NULL, "%s", why);
		return r;
	}
	if (cr.session_token) {
		/* an application account: HPE's library opened the session, and it is ours
		 * to delete; journaled before anything else can fail */
		hf_session_set(c, cr.session_token, cr.session_uri, true);
		cr.session_token = cr.session_uri = NULL;
		hf_journal_record(&c->journal, hf_journal_session_of(c));
		hf_creds_clear(&cr);
		return 1;
	}
	free(c->username);
	hf_free_secret(c->password);
	c->username = cr.username;
	c->password = cr.password;
	c->hostif_kept = cr.kept;
	cr.username = cr.password = NULL;
	hf_creds_clear(&cr);
	r = set_basic_auth(c);
	if (r < 0)
		hf_client_set_error(c, r, HF_ERROR_RESOURCE, 0, NULL, "out of memory");
	return r;
}

static void options_log(const hf_options *o, char *msg)
{
	hf_one_line(msg);
	if (o && o->log_fn)
		o->log_fn(o->log_userdata, HF_LOG_ERROR, msg);
}

/* What the transport chosen means for the client: the origin, who authenticates, the host's
 * slots, the transport's own credentials, warnings. */
static int transport_policy(hf_client *c, const hf_options *o)
{
	int r;

	if (o->url) {
		struct hf_url u = { 0 };

		if (hf_url_parse(o->url, &u) == 0) {
			c->origin = hf_url_origin(&u);
			if (strcmp(u.scheme, "http") == 0)
				hf_log_warning(&c->log,
					       "warning: %s is plain HTTP: credentials and tokens "
					       "cross the network unencrypted",
					       c->origin);
		}
		hf_url_clear(&u);
	}
	c->journal.endpoint = hf_client_endpoint(c);
	if (c->transport.ops->caps & HF_TCAP_AGENT) {
		/* hostfishd logs in and holds the BMC's connections for everyone */
		if (c->auth != HF_AUTH_NONE)
			hf_log_info(&c->log, "hostfishd authenticates the requests: the credentials "
					     "given are not used (--direct bypasses the agent)");
		c->auth = HF_AUTH_NONE;
		c->auth_was_auto = false;
		c->slots.dir = NULL;
	} else {
		r = hf_slots_init(&c->slots, hf_client_endpoint(c), HF_MAX_CONNECTIONS,
				  o->slot_wait_ms ? o->slot_wait_ms : HF_DEFAULT_SLOT_WAIT_MS,
				  &c->log);
		if (r < 0)
			return r;
	}
	if (c->transport.ops->credentials && c->auth == HF_AUTH_NONE) {
		/* no --user: the transport's own credentials (over the host interface the UEFI
		 * variable, an HPE application account, IPMI bootstrapping), all looked for at the
		 * first login (hf_client_hostif_creds()), not now */
		c->auth = HF_AUTH_SESSION;
		c->auth_was_auto = false;
		c->hostif_creds = true;
	}
	if (o->insecure && (c->transport.ops->caps & HF_TCAP_NETWORK))
		hf_log_warning(&c->log, "warning: --insecure: the BMC's TLS certificate is not "
					"verified; anyone on the path can read the credentials");
	return 0;
}

_hf_public_ int hf_client_new(hf_client **ret, const hf_options *o)
{
	struct hf_transport_config cfg = { 0 };
	char why[1024] = "";
	hf_client *c;
	int r;

	if (!ret || !o)
		return -EINVAL;
	r = check_options(o, why, sizeof(why));
	if (r < 0) {
		options_log(o, why);
		return r;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (pthread_key_create(&c->err_key, hf_err_key_destroy) != 0) {
		free(c);
		return -EAGAIN;
	}
	pthread_mutex_init(&c->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* hf_now_ms()'s clock */
		pthread_cond_init(&c->conn_free, &ca);
		pthread_cond_init(&c->reaper_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	for (r = 0; r < HF_MAX_CONNECTIONS; r++)
		c->slot_fd[r] = -1;
	c->journal.lock_fd = -1;
	c->journal.log = &c->log;
	pthread_mutex_init(&c->session_lock, NULL);
	hf_root_cache_init(&c->root);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* hf_now_ms()'s clock */
		pthread_cond_init(&c->session_cond, &ca);
		pthread_condattr_destroy(&ca);
	}

	c->log.fn = o->log_fn;
	c->log.userdata = o->log_userdata;
	c->log.level = o->log_level;
	c->url = hf_strdup(o->url);
	c->username = hf_strdup(o->username);
	c->password = hf_strdup(o->password);
	c->auth = o->auth;
	c->auth_was_auto = o->auth == HF_AUTH_AUTO;
	if (c->auth == HF_AUTH_AUTO)
		c->auth = (o->username || o->session_token) ? HF_AUTH_SESSION
			  : o->client_cert		    ? HF_AUTH_CERT
							    : HF_AUTH_NONE;
	c->retries = o->retries < 0 ? HF_DEFAULT_RETRIES : o->retries;
	c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms
						      : HF_DEFAULT_CONNECT_TIMEOUT_MS;
	c->timeout_ms = o->timeout_ms ? o->timeout_ms : HF_DEFAULT_TIMEOUT_MS;
	c->max_response = o->max_response_size ? o->max_response_size : HF_DEFAULT_MAX_RESPONSE;
	c->max_conns = o->max_connections ? o->max_connections : HF_MAX_CONNECTIONS;
	c->idle_ms = o->version >= 2 && o->idle_timeout_ms ? o->idle_timeout_ms
							   : HF_DEFAULT_IDLE_TIMEOUT_MS;
	if ((o->url && !c->url) || (o->username && !c->username) ||
	    (o->password && !c->password)) {
		r = -ENOMEM;
		goto fail;
	}
	if (c->username && c->password) {
		/* Basic authentication, or the way to confirm that a refused session is gone */
		r = set_basic_auth(c);
		if (r < 0)
			goto fail;
	}
	if (o->session_token) {
		c->token = strdup(o->session_token);
		c->session_uri = strdup(o->session_uri);
		c->owns_session = false;
		c->session_gen = 1;
		if (!c->token || !c->session_uri) {
			r = -ENOMEM;
			goto fail;
		}
	}

	cfg.url = o->url;
	cfg.ca_file = o->ca_file;
	cfg.insecure = o->insecure != 0;
	cfg.client_cert = o->client_cert;
	cfg.client_key = o->client_key;
	cfg.client_key_passphrase = o->client_key_passphrase;
	cfg.proxy = o->proxy;
	cfg.direct = o->direct != 0;
	cfg.agent_socket = o->agent_socket;
	cfg.username = o->username;
	cfg.password = o->password;
	cfg.chif_library = o->chif_library;
	cfg.smbios_file = o->smbios_file;
	cfg.log = &c->log;
	r = hf_transport_open(o->transport, &cfg, &c->transport, why, sizeof(why));
	if (r < 0) {
		options_log(o, why);
		goto fail;
	}
	r = transport_policy(c, o);
	if (r < 0)
		goto fail;
	*ret = c;
	return 0;
fail:
	hf_client_free(c);
	return r;
}

_hf_public_ void hf_client_free(hf_client *c)
{
	int i;

	if (!c)
		return;
	if (c->transport.ops) {
		if (c->token && c->owns_session) {
			int r = hf_client_logout(c);

			if (r < 0)
				hf_log_error(&c->log, "error: the session %s may still exist on the "
						      "BMC: %s",
					     c->session_uri ? c->session_uri : "(unknown URI)",
					     hf_client_last_error(c)->message);
		}
		hf_pool_stop_reaper(c);
		for (i = 0; i < HF_MAX_CONNECTIONS; i++) {
			if (c->conn_open[i])
				hf_transport_conn_close(&c->transport, c->conns[i]);
			hf_slots_release(c->slot_fd[i]);
		}
		hf_transport_close(&c->transport);
	}
	hf_session_forget(c);
	hf_journal_forget(&c->journal); /* a session left behind stays journaled: prune can find it */
	hf_slots_fini(&c->slots);
	free(c->sessions_path);
	hf_free_secret(c->basic_auth);
	free(c->url);
	free(c->origin);
	free(c->username);
	hf_free_secret(c->password);
	hf_errors_free(c);
	pthread_key_delete(c->err_key);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->conn_free);
	pthread_cond_destroy(&c->reaper_cond);
	pthread_mutex_destroy(&c->session_lock);
	pthread_cond_destroy(&c->session_cond);
	hf_root_cache_fini(&c->root);
	free(c);
}

_hf_public_ void hf_client_interrupt(hf_client *c)
{
	/* only an atomic add: safe in a signal handler */
	if (c)
		__atomic_add_fetch(&c->interrupts, 1, __ATOMIC_SEQ_CST);
}

_hf_public_ const char *hf_client_transport(const hf_client *c)
{
	return c->transport.ops->name;
}

_hf_public_ const char *hf_client_endpoint(const hf_client *c)
{
	return hf_transport_endpoint((struct hf_transport *)&c->transport);
}
