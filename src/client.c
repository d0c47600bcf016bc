/* SPDX-License-Identifier: MIT */
/*
 * client.c - the client object: options, connection pool, the request pipeline (defaults,
 * authentication headers, retries, redirects, re-login) and per-thread error records.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "client-private.h"
#include "transport/creds.h"

/* ---- errors ---- */

static const hf_error no_error = { 0, HF_ERROR_NONE, 0, "", NULL };

static struct hf_err_rec *err_rec(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec)
		return rec;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	if (pthread_setspecific(c->err_key, rec) != 0) {
		free(rec);
		return NULL;
	}
	rec->owner = c;
	pthread_mutex_lock(&c->lock);
	rec->next = c->errs;
	if (c->errs)
		c->errs->prev = rec;
	c->errs = rec;
	pthread_mutex_unlock(&c->lock);
	return rec;
}

static void err_rec_reset(struct hf_err_rec *rec)
{
	free(rec->message);
	hf_rferror_unref(rec->rf);
	rec->message = NULL;
	rec->rf = NULL;
	rec->pub = no_error;
}

void hf_client_clear_error(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	if (rec)
		err_rec_reset(rec);
}

void hf_client_begin(hf_client *c)
{
	struct hf_err_rec *rec = err_rec(c);

	if (!rec)
		return;
	err_rec_reset(rec);
	rec->op_interrupts = __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
}

static int op_interrupts(hf_client *c)
{
	struct hf_err_rec *rec = pthread_getspecific(c->err_key);

	return rec ? rec->op_interrupts : __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
}

void hf_client_set_error(hf_client *c, int code, int kind, int http_status,
			 const hf_redfish_error *rf, const char *fmt, ...)
{
	struct hf_err_rec *rec = err_rec(c);
	struct hf_buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	hf_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	hf_one_line(b.data);
	if (b.data)
		hf_log(&c->log, HF_LOG_INFO, "%s", b.data);
	if (!rec) {
		hf_buf_free(&b);
		return;
	}
	err_rec_reset(rec);
	rec->message = b.data ? b.data : NULL;
	rec->rf = hf_rferror_ref((hf_redfish_error *)rf);
	rec->pub.code = code;
	rec->pub.kind = kind;
	rec->pub.http_status = http_status;
	rec->pub.message = rec->message ? rec->message : "";
	rec->pub.redfish = rec->rf;
}

int hf_errno_kind(int code)
{
	switch (code) {
	case 0:
		return HF_ERROR_NONE;
	case -EINVAL:
		return HF_ERROR_USAGE;
	case -EACCES:
	case -EPERM:
		return HF_ERROR_AUTH;
	case -ETIMEDOUT:
		return HF_ERROR_TIMEOUT;
	case -EPROTO:
	case -EBADMSG:
		return HF_ERROR_PROTOCOL;
	case -ENOMEM:
	case -EFBIG:
		return HF_ERROR_RESOURCE;
	default:
		return HF_ERROR_TRANSPORT;
	}
}

int hf_status_errno(int status)
{
	switch (status) {
	case 400:
		return -EINVAL;
	case 401:
		return -EACCES;
	case 403:
		return -EPERM;
	case 404:
	case 410:
		return -ENOENT;
	case 405:
	case 501:
		return -EOPNOTSUPP;
	case 408:
	case 504:
		return -ETIMEDOUT;
	case 409:
	case 412:
	case 428:
		return -EBUSY;
	case 413:
		return -EFBIG;
	case 429:
	case 503:
		return -EAGAIN;
	default:
		return status >= 500 ? -EIO : -EPROTO;
	}
}

_hf_public_ const hf_error *hf_client_last_error(const hf_client *c)
{
	struct hf_err_rec *rec;

	if (!c)
		return &no_error;
	rec = pthread_getspecific(c->err_key);
	return rec ? &rec->pub : &no_error;
}

_hf_public_ const char *hf_error_kind_name(int kind)
{
	static const char *const names[] = {
		[HF_ERROR_NONE] = "no error",
		[HF_ERROR_USAGE] = "invalid input",
		[HF_ERROR_HTTP_CLIENT] = "request refused by the BMC",
		[HF_ERROR_HTTP_SERVER] = "BMC failure",
		[HF_ERROR_AUTH] = "authentication failure",
		[HF_ERROR_TRANSPORT] = "connection failure",
		[HF_ERROR_TIMEOUT] = "timeout",
		[HF_ERROR_PROTOCOL] = "malformed answer from the BMC",
		[HF_ERROR_RESOURCE] = "resource limit",
	};

	if (kind < 0 || (size_t)kind >= HF_ARRAY_SIZE(names))
		return "unknown error";
	return names[kind];
}

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

/*
 * A thread that used the client ends: its record goes with it (a daemon that serves each
 * connection on a thread of its own would otherwise keep one per connection until the client
 * is freed).  Not called after hf_client_free(), which deletes the key: the records of the
 * threads still alive then are freed with the client.
 */
static void err_key_destroy(void *p)
{
	struct hf_err_rec *rec = p;
	hf_client *c = rec->owner;

	pthread_mutex_lock(&c->lock);
	if (rec->prev)
		rec->prev->next = rec->next;
	else
		c->errs = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	pthread_mutex_unlock(&c->lock);
	err_rec_reset(rec);
	free(rec);
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

/* No --user on the host interface: the host's own credential sources (transport/creds.h). */
static int use_hostif_credentials(hf_client *c, char *why, size_t whylen)
{
	struct hf_creds cr = { 0 };
	int r;

	r = hf_hostif_credentials(&c->transport, c->timeout_ms, &cr, why, whylen);
	if (r < 0)
		return r == -ENOMEM ? r : -EACCES;
	if (cr.session_token) {
		/* an application account: HPE's library opened the session, and it is ours
		 * to delete; journaled before anything else can fail */
		c->token = cr.session_token;
		c->session_uri = cr.session_uri;
		cr.session_token = cr.session_uri = NULL;
		c->owns_session = true;
		c->session_gen++;
		c->session_proven = false;
		c->auth = HF_AUTH_SESSION;
		c->auth_was_auto = false;
		hf_journal_record(c);
	} else {
		c->username = cr.username;
		c->password = cr.password;
		cr.username = cr.password = NULL;
		c->auth = HF_AUTH_SESSION;
	}
	hf_creds_clear(&cr);
	return 0;
}

static void options_log(const hf_options *o, char *msg)
{
	hf_one_line(msg);
	if (o && o->log_fn)
		o->log_fn(o->log_userdata, HF_LOG_ERROR, msg);
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
	if (pthread_key_create(&c->err_key, err_key_destroy) != 0) {
		free(c);
		return -EAGAIN;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->conn_free, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* hf_now_ms()'s clock */
		pthread_cond_init(&c->reaper_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	for (r = 0; r < HF_MAX_CONNECTIONS; r++)
		c->slot_fd[r] = -1;
	c->journal_lock_fd = -1;
	{
		/* recursive: login and logout send requests that read the token themselves */
		pthread_mutexattr_t attr;

		pthread_mutexattr_init(&attr);
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&c->session_lock, &attr);
		pthread_mutexattr_destroy(&attr);
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
		_cleanup_free_ char *pair = malloc(strlen(c->username) + strlen(c->password) + 2);
		_cleanup_free_ char *enc = NULL;

		if (!pair) {
			r = -ENOMEM;
			goto fail;
		}
		sprintf(pair, "%s:%s", c->username, c->password);
		r = base64(pair, &enc);
		hf_wipe(pair, strlen(pair));
		if (r < 0)
			goto fail;
		c->basic_auth = malloc(strlen(enc) + 7);
		if (!c->basic_auth) {
			hf_wipe(enc, strlen(enc));
			r = -ENOMEM;
			goto fail;
		}
		sprintf(c->basic_auth, "Basic %s", enc);
		hf_wipe(enc, strlen(enc));
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
			goto fail;
	}
	if (strcmp(c->transport.ops->name, "hostif") == 0 && c->auth == HF_AUTH_NONE) {
		/* the BMC answers nothing but the service root without credentials here: after
		 * --user, the UEFI variable, an HPE application account, IPMI bootstrapping */
		r = use_hostif_credentials(c, why, sizeof(why));
		if (r < 0) {
			options_log(o, why);
			goto fail;
		}
	}
	if (o->insecure && (c->transport.ops->caps & HF_TCAP_NETWORK))
		hf_log_warning(&c->log, "warning: --insecure: the BMC's TLS certificate is not "
					"verified; anyone on the path can read the credentials");
	*ret = c;
	return 0;
fail:
	hf_client_free(c);
	return r;
}

static void reaper_stop(hf_client *c);

_hf_public_ void hf_client_free(hf_client *c)
{
	struct hf_err_rec *rec, *next;
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
		reaper_stop(c);
		for (i = 0; i < HF_MAX_CONNECTIONS; i++) {
			if (c->conn_open[i])
				hf_transport_conn_close(&c->transport, c->conns[i]);
			hf_slots_release(c->slot_fd[i]);
		}
		hf_transport_close(&c->transport);
	}
	hf_session_forget(c);
	hf_journal_forget(c); /* a session left behind stays journaled: prune can find it */
	hf_slots_fini(&c->slots);
	free(c->sessions_path);
	hf_free_secret(c->basic_auth);
	free(c->url);
	free(c->origin);
	free(c->username);
	hf_free_secret(c->password);
	for (rec = c->errs; rec; rec = next) {
		next = rec->next;
		err_rec_reset(rec);
		free(rec);
	}
	pthread_key_delete(c->err_key);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->conn_free);
	pthread_cond_destroy(&c->reaper_cond);
	pthread_mutex_destroy(&c->session_lock);
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

/* ---- connection pool ---- */

/*
 * The reaper: a thread of the client's own that closes every connection left idle for
 * c->idle_ms and gives its host-wide slot back, so that a client at rest (a daemon between
 * requests, a program between phases) does not keep the BMC's eight connections from the
 * host's other processes.  It sleeps until the next idle deadline; it is started with the
 * first connection given back and stopped by hf_client_free().
 */
static void *reaper_main(void *p)
{
	hf_client *c = p;

	pthread_mutex_lock(&c->lock);
	while (!c->reaper_stop) {
		void *conns[HF_MAX_CONNECTIONS];
		int fds[HF_MAX_CONNECTIONS], n = 0, i;
		int64_t now = hf_now_ms(), next = -1;

		for (i = 0; i < c->max_conns; i++) {
			int64_t due = c->idle_since[i] + c->idle_ms;

			if (!c->conn_open[i] || c->conn_busy[i])
				continue;
			if (due > now) {
				next = next < 0 || due < next ? due : next;
				continue;
			}
			/* taken out of the pool under the lock: nobody can pick it any more */
			conns[n] = c->conns[i];
			fds[n++] = c->slot_fd[i];
			c->conns[i] = NULL;
			c->conn_open[i] = false;
			c->slot_fd[i] = -1;
		}
		if (n) {
			pthread_mutex_unlock(&c->lock);
			hf_log_debug(&c->log, "closing %d idle connection%s", n, n == 1 ? "" : "s");
			for (i = 0; i < n; i++) {
				hf_transport_conn_close(&c->transport, conns[i]);
				hf_slots_release(fds[i]); /* after the close, as in conn_release */
			}
			pthread_mutex_lock(&c->lock);
			pthread_cond_broadcast(&c->conn_free);
			continue;
		}
		if (next < 0) {
			pthread_cond_wait(&c->reaper_cond, &c->lock);
		} else {
			struct timespec ts = { .tv_sec = (time_t)(next / 1000),
					       .tv_nsec = (long)(next % 1000) * 1000000 };

			pthread_cond_timedwait(&c->reaper_cond, &c->lock, &ts);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* c->lock held.  Signals stay with the caller's threads (a CLI's SIGINT handler). */
static void reaper_wake(hf_client *c)
{
	sigset_t all, old;

	if (c->idle_ms < 0)
		return;
	if (!c->reaper_started) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		c->reaper_started = pthread_create(&c->reaper, NULL, reaper_main, c) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!c->reaper_started)
			hf_log_warning(&c->log, "cannot start the thread that closes idle "
						"connections: they stay open until the client is freed");
	}
	pthread_cond_signal(&c->reaper_cond);
}

static void reaper_stop(hf_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->reaper_stop = true;
	pthread_cond_signal(&c->reaper_cond);
	pthread_mutex_unlock(&c->lock);
	if (c->reaper_started)
		pthread_join(c->reaper, NULL);
	c->reaper_started = false;
}

static int conn_acquire(hf_client *c, int *slot, int interrupts_seen, char *errbuf,
			size_t errlen)
{
	int i, r, fd = -1;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		for (i = 0; i < c->max_conns; i++)
			if (c->conn_open[i] && !c->conn_busy[i])
				goto got;
		for (i = 0; i < c->max_conns; i++)
			if (!c->conn_open[i])
				goto open;
		pthread_cond_wait(&c->conn_free, &c->lock);
	}
open:
	/* reserve the pool entry; take the host-wide slot and open outside the lock */
	c->conn_busy[i] = true;
	c->conn_open[i] = true;
	pthread_mutex_unlock(&c->lock);
	r = hf_slots_acquire(&c->slots, &c->interrupts, interrupts_seen, &fd);
	if (r == -EBUSY)
		snprintf(errbuf, errlen,
			 "all %d connections of this host to the BMC stayed in use for %ld s",
			 HF_MAX_CONNECTIONS, c->slots.wait_ms / 1000);
	else if (r == -EINTR)
		snprintf(errbuf, errlen, "interrupted while waiting for a connection slot");
	else if (r < 0)
		snprintf(errbuf, errlen, "cannot take a connection slot: %s", strerror(-r));
	if (r == 0) {
		r = hf_transport_conn_open(&c->transport, &c->conns[i], errbuf, errlen);
		if (r < 0)
			hf_slots_release(fd);
		else
			c->slot_fd[i] = fd;
	}
	if (r < 0) {
		pthread_mutex_lock(&c->lock);
		c->conn_busy[i] = false;
		c->conn_open[i] = false;
		pthread_cond_signal(&c->conn_free);
		pthread_mutex_unlock(&c->lock);
		return r;
	}
	*slot = i;
	return 0;
got:
	c->conn_busy[i] = true;
	pthread_mutex_unlock(&c->lock);
	*slot = i;
	return 0;
}

/* broken = the connection's state is unknown: close it rather than reuse it */
static void conn_release(hf_client *c, int slot, bool broken)
{
	void *conn = NULL;
	int fd = -1;

	pthread_mutex_lock(&c->lock);
	if (broken) {
		conn = c->conns[slot];
		c->conns[slot] = NULL;
		c->conn_open[slot] = false;
		fd = c->slot_fd[slot];
		c->slot_fd[slot] = -1;
	}
	c->conn_busy[slot] = false;
	if (!broken) {
		c->idle_since[slot] = hf_now_ms();
		reaper_wake(c);
	}
	pthread_cond_signal(&c->conn_free);
	pthread_mutex_unlock(&c->lock);
	if (conn)
		hf_transport_conn_close(&c->transport, conn);
	hf_slots_release(fd); /* after the close: the slot covers the connection's whole life */
}

/* ---- the request pipeline ---- */

static bool method_is_idempotent(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "PUT") == 0 ||
	       strcmp(m, "DELETE") == 0 || strcmp(m, "OPTIONS") == 0;
}

static bool method_is_known(const char *m)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
					       "OPTIONS" };
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(methods); i++)
		if (strcmp(m, methods[i]) == 0)
			return true;
	return false;
}

static int build_headers(hf_client *c, struct hf_headers *h, const struct hf_headers *extra,
			 bool has_body, int flags, unsigned *gen)
{
	int r = 0;

	r = r ?: hf_headers_set(h, "Accept", "application/json");
	r = r ?: hf_headers_set(h, "Accept-Encoding", "gzip");
	r = r ?: hf_headers_set(h, "OData-Version", "4.0");
	r = r ?: hf_headers_set(h, "User-Agent", "hostfish/" PACKAGE_VERSION);
	if (has_body)
		r = r ?: hf_headers_set(h, "Content-Type", "application/json");
	if (r < 0)
		return r;
	if (flags & HF_SEND_AUTH) {
		if (c->auth == HF_AUTH_BASIC) {
			r = hf_headers_set(h, "Authorization", c->basic_auth);
		} else {
			pthread_mutex_lock(&c->session_lock);
			if (c->token)
				r = hf_headers_set(h, "X-Auth-Token", c->token);
			if (gen)
				*gen = c->session_gen;
			pthread_mutex_unlock(&c->session_lock);
		}
		if (r < 0)
			return r;
	}
	if (extra) {
		size_t i;

		for (i = 0; i < extra->n; i++) {
			r = hf_headers_set(h, extra->v[i].name, extra->v[i].value);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Wait, unless hf_client_interrupt() is called meanwhile: then -EINTR. */
static int client_sleep(hf_client *c, long ms, int interrupts_seen)
{
	while (ms > 0) {
		long step = ms < 50 ? ms : 50;

		if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen)
			return -EINTR;
		hf_sleep_ms(step);
		ms -= step;
	}
	return __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen ? -EINTR : 0;
}

/* What is left of a deadline, in ms; at least 1 (a transport takes 0 as "no bound"). */
static long time_left(int64_t deadline)
{
	int64_t left = deadline - hf_now_ms();

	return left > 1 ? (long)left : 1;
}

static const char *errno_text(int code)
{
	switch (code) {
	case -ECONNREFUSED:
		return "connection refused";
	case -EHOSTUNREACH:
		return "host unreachable";
	case -ECONNRESET:
		return "connection reset";
	case -ETIMEDOUT:
		return "timed out";
	case -EINTR:
		return "interrupted";
	case -EKEYREJECTED:
		return "TLS certificate not verified";
	case -ECONNABORTED:
		return "TLS handshake failed";
	case -EPROTO:
		return "malformed answer";
	case -EFBIG:
		return "answer too large";
	default:
		return strerror(-code);
	}
}

static int client_send(hf_client *c, const char *method, const char *path,
		       const struct hf_headers *extra, const void *body, size_t body_len,
		       const struct hf_body_stream *stream, int flags, unsigned *session_gen,
		       hf_response **ret)
{
	struct hf_transport_response tresp = { 0 };
	struct hf_headers headers = { 0 };
	_cleanup_free_ char *cur_path = strdup(path);
	_cleanup_free_ char *shown = hf_mask_path(path); /* for logs and messages */
	char errbuf[1024];
	int attempt = 0, redirects = 0, slot, r;
	int interrupts_seen = op_interrupts(c);
	bool idempotent = method_is_idempotent(method);
	/* timeout_ms bounds the whole request: every send, the waits between them and the
	 * Retry-After pauses.  A streamed upload is bounded by progress instead (see https.c). */
	int64_t deadline = hf_now_ms() + c->timeout_ms, t0;

	if (!cur_path || !shown)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
		return -ENOMEM;
	if (stream) {
		/* read once and gone: never resent, by us or by the backend */
		body = NULL;
		body_len = stream->length;
		flags |= HF_SEND_NO_RETRY;
	}
	for (;;) {
		struct hf_transport_request req = {
			.method = method,
			.path = cur_path,
			.headers = &headers,
			.body = body,
			.body_len = body_len,
			.stream = stream,
			.connect_timeout_ms = c->connect_timeout_ms,
			.timeout_ms = stream ? c->timeout_ms : time_left(deadline),
			/* compressed answers are bounded by the same limit as decoded ones */
			.max_body = c->max_response,
			/*
			 * A backend may resend on a keep-alive connection that died (and says
			 * so in tresp.sends).  That is allowed only while the retry budget has
			 * room for it: never for POST/PATCH (an action applied twice), never
			 * for the last permitted send.
			 */
			.no_resend = !idempotent || (flags & HF_SEND_NO_RETRY) ||
				     attempt + 2 > c->retries + 1,
			.interrupts = (flags & HF_SEND_ANSWER_NEEDED) ? NULL : &c->interrupts,
			.interrupts_seen = interrupts_seen,
		};
		long wait_ms = -1;

		hf_headers_clear(&headers);
		r = build_headers(c, &headers, extra, body_len > 0 || stream, flags, session_gen);
		if (r < 0)
			goto out;
		if (hf_log_enabled(&c->log, HF_LOG_DEBUG)) {
			struct hf_buf line = { 0 };

			hf_buf_printf(&line, "%s %s HTTP/1.1", method, shown);
			hf_log_message(&c->log, ">", line.data ? line.data : method, &headers, body,
				       stream ? 0 : body_len);
			hf_buf_free(&line);
			/* the stream is neither logged nor buffered: only its size and source */
			if (stream)
				hf_log_debug(&c->log, "> <%zu bytes streamed from %s>", stream->length,
					     stream->label ? stream->label : "the caller");
		}

		if (__atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST) != interrupts_seen) {
			r = -EINTR;
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "%s %s: interrupted",
					    method, shown);
			goto out;
		}
		errbuf[0] = '\0';
		r = conn_acquire(c, &slot, interrupts_seen, errbuf, sizeof(errbuf));
		if (r < 0) {
			hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL,
					    "cannot open a connection to the BMC: %s",
					    errbuf[0] ? errbuf : errno_text(r));
			goto out;
		}
		t0 = hf_now_ms();
		r = hf_transport_exchange(&c->transport, c->conns[slot], &req, &tresp, errbuf,
					  sizeof(errbuf));
		conn_release(c, slot, r < 0);
		attempt += tresp.sends > 1 ? (int)tresp.sends : 1;

		if (r < 0) {
			/* nothing left the host: any method may try again */
			bool unsent = r == -ECONNREFUSED || r == -EHOSTUNREACH;
			bool retryable = r != -EINTR &&
					 (unsent || (idempotent && (r == -ECONNRESET || r == -EPROTO)));

			hf_log_info(&c->log, "%s %s: %s (%s)", method, shown, errno_text(r),
				    errbuf);
			if (retryable && attempt <= c->retries && !(flags & HF_SEND_NO_RETRY)) {
				long pause = 250L << (attempt - 1);

				if (!stream && pause >= time_left(deadline))
					hf_log_info(&c->log, "%s %s: no time left for a retry within "
							     "the timeout (%ld ms)",
						    method, shown, c->timeout_ms);
				else if (client_sleep(c, pause, interrupts_seen) == 0)
					continue;
				else
					r = -EINTR;
			}
			hf_client_set_error(c, r, hf_errno_kind(r), 0, NULL, "%s %s: %s%s%s", method,
					    shown, errno_text(r), errbuf[0] ? ": " : "", errbuf);
			goto out;
		}
		hf_log_info(&c->log, "%s %s -> %d (%lld ms)", method, shown, tresp.status,
			    (long long)(hf_now_ms() - t0));
		if (hf_log_enabled(&c->log, HF_LOG_DEBUG)) {
			struct hf_buf line = { 0 };

			hf_buf_printf(&line, "HTTP/1.1 %d %s", tresp.status,
				      tresp.reason ? tresp.reason : "");
			hf_log_message(&c->log, "<", line.data ? line.data : "", &tresp.headers,
				       hf_headers_get(&tresp.headers, "Content-Encoding")
					       ? NULL
					       : tresp.body.data,
				       hf_headers_get(&tresp.headers, "Content-Encoding")
					       ? 0
					       : tresp.body.len);
			hf_buf_free(&line);
		}

		/* 503 + Retry-After: the BMC asks us to come back */
		if (tresp.status == 503 && idempotent && !(flags & HF_SEND_NO_RETRY) &&
		    attempt <= c->retries)
			wait_ms = hf_retry_after_ms(hf_headers_get(&tresp.headers, "Retry-After"),
						    HF_MAX_RETRY_AFTER_MS);
		if (wait_ms >= 0 && wait_ms >= time_left(deadline)) {
			/* the BMC's own answer is the result: nothing is gained by waiting */
			hf_log_info(&c->log, "%s %s: BMC busy; it asks for %ld ms, beyond the "
					     "timeout (%ld ms): not retrying",
				    method, shown, wait_ms, c->timeout_ms);
			wait_ms = -1;
		}
		if (wait_ms >= 0) {
			hf_log_info(&c->log, "%s %s: BMC busy, retrying in %ld ms", method, shown,
				    wait_ms);
			hf_transport_response_clear(&tresp);
			r = client_sleep(c, wait_ms, interrupts_seen);
			if (r == 0)
				continue;
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL, "%s %s: interrupted",
					    method, shown);
			goto out;
		}

		/* redirects: GET and HEAD only, and only on the same BMC */
		if ((tresp.status == 301 || tresp.status == 302 || tresp.status == 303 ||
		     tresp.status == 307 || tresp.status == 308) &&
		    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
		    hf_headers_get(&tresp.headers, "Location") && redirects < HF_MAX_REDIRECTS) {
			char *next = NULL;

			r = hf_location_to_path(hf_headers_get(&tresp.headers, "Location"), cur_path,
						c->origin, &next);
			if (r == 0) {
				free(cur_path);
				cur_path = next;
				free(shown);
				shown = hf_mask_path(cur_path);
				if (!shown) {
					r = -ENOMEM;
					goto out;
				}
				hf_log_info(&c->log, "redirected to %s", shown);
				redirects++;
				hf_transport_response_clear(&tresp);
				continue;
			}
			hf_log_warning(&c->log, "not following the redirect of %s: its Location "
						"is not on this BMC",
				       shown);
		}
		break;
	}
	if ((flags & HF_SEND_AUTH) && session_gen && tresp.status != 401 && tresp.status < 500) {
		/* the BMC took the session: a later 401 means it expired, not that it never
		 * worked (hf_session_relogin) */
		pthread_mutex_lock(&c->session_lock);
		if (c->session_gen == *session_gen)
			c->session_proven = true;
		pthread_mutex_unlock(&c->session_lock);
	}

	{
		struct hf_buf url = { 0 };

		hf_buf_printf(&url, "%s%s", c->origin ? c->origin : hf_client_endpoint(c),
			      cur_path);
		/* a streamed body is not kept: hf_response_request_body() is NULL for it */
		r = url.data ? hf_response_build(ret, method, url.data, cur_path, body,
						 stream ? 0 : body_len, &tresp, c->max_response)
			     : -ENOMEM;
		hf_buf_free(&url);
	}
	if (r < 0)
		hf_client_set_error(c, r, hf_errno_kind(r), tresp.status, NULL,
				    "%s %s: %s", method, shown,
				    r == -EFBIG ? "the decoded answer exceeds the size limit"
						: r == -EPROTO ? "the answer's content encoding is "
								 "malformed"
							       : strerror(-r));
out:
	hf_headers_clear(&headers);
	hf_transport_response_clear(&tresp);
	return r;
}

int hf_client_send(hf_client *c, const char *method, const char *path,
		   const struct hf_headers *extra, const void *body, size_t body_len, int flags,
		   unsigned *session_gen, hf_response **ret)
{
	return client_send(c, method, path, extra, body, body_len, NULL, flags, session_gen, ret);
}

static int validate_request(hf_client *c, const char *method, const char *path,
			    const char *const *headers, const void *body, size_t body_len,
			    struct hf_headers *extra, char **ret_path)
{
	size_t i;
	int r;

	if (!method || !method_is_known(method)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "unsupported method %s",
				    method ? method : "(null)");
		return -EINVAL;
	}
	if (!path) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "no path given");
		return -EINVAL;
	}
	if (path[0] != '/') {
		/* a full URL: accepted when it names this BMC */
		r = hf_location_to_path(path, "/", c->origin, ret_path);
		if (r < 0 || !hf_url_has_scheme(path)) {
			if (r == 0) {
				free(*ret_path);
				*ret_path = NULL;
			}
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid path: expected /redfish/v1/... or a URL of "
					    "this BMC");
			return -EINVAL;
		}
	} else {
		if (hf_path_check(path) < 0) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid path: it must start with '/' and contain no "
					    "spaces, control characters (CR, LF) or fragment");
			return -EINVAL;
		}
		*ret_path = strdup(path);
		if (!*ret_path)
			return -ENOMEM;
	}
	for (i = 0; headers && headers[i]; i++) {
		r = hf_headers_add_line(extra, headers[i]);
		if (r < 0) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "invalid header (expected 'Name: value' without CR or "
					    "LF): %.64s",
					    headers[i]);
			goto fail;
		}
	}
	if (body_len > HF_MAX_INPUT_SIZE) {
		hf_client_set_error(c, -EFBIG, HF_ERROR_USAGE, 0, NULL,
				    "request body of %zu bytes is over the limit", body_len);
		r = -EFBIG;
		goto fail;
	}
	if (body_len && !hf_headers_get(extra, "Content-Type")) {
		/* declared as JSON, so it must be JSON (checked in place: bodies carry
		 * passwords, and copies of them are best not made) */
		if (!hf_json_valid(body, body_len)) {
			hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
					    "the request body is not valid JSON (give a "
					    "Content-Type header for other data)");
			r = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	free(*ret_path);
	*ret_path = NULL;
	return r;
}

static bool is_service_root(const char *path)
{
	return strcmp(path, "/redfish/v1/") == 0 || strcmp(path, "/redfish/v1") == 0 ||
	       strcmp(path, "/redfish") == 0 || strcmp(path, "/redfish/") == 0;
}

_hf_public_ int hf_request(hf_client *c, const char *method, const char *path,
			   const char *const *headers, const void *body, size_t body_len,
			   hf_response **ret)
{
	struct hf_headers extra = { 0 };
	_cleanup_free_ char *p = NULL;
	hf_response *resp = NULL;
	unsigned gen = 0;
	bool uses_session, needs_auth;
	int r;

	if (!c || !ret)
		return -EINVAL;
	hf_client_begin(c);
	r = validate_request(c, method, path, headers, body, body_len, &extra, &p);
	if (r < 0)
		goto out;

	/* only the service root is readable without credentials (not over the host interface,
	 * where a BMC may demand them for every request) */
	needs_auth = !((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
		       is_service_root(p)) ||
		     c->transport.ops == &hf_transport_hostif;
	uses_session = hf_session_auth_uses_session(c);
	if (needs_auth && uses_session) {
		pthread_mutex_lock(&c->session_lock);
		r = hf_session_login_locked(c);
		pthread_mutex_unlock(&c->session_lock);
		if (r < 0)
			goto out;
	}

	r = hf_client_send(c, method, p, &extra, body, body_len,
			   c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, &gen, &resp);
	if (r < 0)
		goto out;

	/*
	 * A 401 on a session that was valid: it expired, was deleted, or the BMC was reset.
	 * Log in again (once, shared by every thread that saw the same expiry) and send the
	 * request again.  Every method is replayed, not just idempotent ones: a 401 means the
	 * BMC refused the request before acting on it, so sending it again cannot apply it twice.
	 */
	if (hf_response_status(resp) == 401 && uses_session && needs_auth && gen != 0) {
		r = hf_session_relogin(c, gen);
		if (r == 0) {
			hf_response_free(resp);
			resp = NULL;
			r = hf_client_send(c, method, p, &extra, body, body_len, HF_SEND_AUTH, &gen,
					   &resp);
			if (r < 0)
				goto out;
		} else if ((r == -EACCES && !c->password) || r == -EAGAIN) {
			/* no way to log in again, or not so soon: give the caller the BMC's 401 */
			hf_client_clear_error(c);
		} else {
			hf_response_free(resp);
			resp = NULL;
			goto out;
		}
	}
	*ret = resp;
	resp = NULL;
	r = 0;
out:
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): _cleanup_free_, not modelled */
	hf_response_free(resp);
	hf_headers_clear(&extra);
	return r;
}

int hf_client_request_stream(hf_client *c, const char *method, const char *path,
			     const char *const *headers, const struct hf_body_stream *stream,
			     hf_response **ret)
{
	struct hf_headers extra = { 0 };
	_cleanup_free_ char *p = NULL;
	hf_response *resp = NULL;
	unsigned gen = 0;
	int r;

	if (!stream || !stream->read) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "no body stream given");
		return -EINVAL;
	}
	r = validate_request(c, method, path, headers, NULL, 0, &extra, &p);
	if (r < 0)
		goto out;
	if (hf_session_auth_uses_session(c)) {
		pthread_mutex_lock(&c->session_lock);
		r = hf_session_login_locked(c);
		pthread_mutex_unlock(&c->session_lock);
		if (r < 0)
			goto out;
	}
	/*
	 * No re-login and replay on a 401 here, unlike hf_request(): the stream is consumed and
	 * cannot be rewound, and a body may carry the session's token (HPE's upload form does).
	 * The 401 goes back to the caller, which can log in again and start over.
	 */
	r = client_send(c, method, p, &extra, NULL, 0, stream,
			c->auth == HF_AUTH_NONE ? 0 : HF_SEND_AUTH, &gen, &resp);
	if (r < 0)
		goto out;
	*ret = resp;
	resp = NULL;
out:
	hf_response_free(resp);
	hf_headers_clear(&extra);
	return r;
}

_hf_public_ int hf_get(hf_client *c, const char *path, hf_response **ret)
{
	return hf_request(c, "GET", path, NULL, NULL, 0, ret);
}

_hf_public_ int hf_request_json(hf_client *c, const char *method, const char *path,
				const char *const *headers, struct json_object *body,
				hf_response **ret)
{
	const char *text = NULL;
	size_t len = 0;

	if (body) {
		text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (!text)
			return -ENOMEM;
		len = strlen(text);
	}
	return hf_request(c, method, path, headers, text, len, ret);
}
