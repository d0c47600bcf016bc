/* SPDX-License-Identifier: MIT */
/*
 * hostif.c - the "hostif" backend: Redfish over the DMTF Redfish Host Interface (DSP0270).
 *
 * SMBIOS Type 42 names the NIC between host and BMC and the BMC's address on it.  This
 * backend finds both and hands the https backend the URL, the NIC to bind every connection
 * to (CURLOPT_INTERFACE "if!NAME": never routed elsewhere) and, unless --cacert or --insecure
 * was given, a leaf-certificate check that implements trust on first use.
 *
 * The BMC's address (hf_hostif_endpoint):
 *  - service IP discovery static (1) or auto-configure (3): the record's service address;
 *  - DHCP (2): the record's host name when it resolves; else the DHCP server of the NIC's
 *    lease (dhclient, systemd-networkd, NetworkManager lease files: best effort, the BMC is
 *    normally the DHCP server of its own vNIC); else, for HPE's vNIC (USB 03f0:2927), HPE's
 *    documented default 16.1.15.1.  Which one was used is logged.
 *  - unknown or host-selected: the service address when the record has one.
 * The port is the record's (0 means 443).
 *
 * Trust on first use: the pin file DIR/hostif-UUID-ADDR-PORT.pin (DIR = $HOSTFISH_STATE_DIR,
 * default /var/lib/hostfish, 0700; files 0600, written atomically) holds the SHA-256
 * fingerprint of the BMC's leaf certificate.  No pin yet: the first certificate is accepted,
 * pinned and the fact logged as a warning.  A pin: exactly that certificate is accepted; any
 * other is refused (-EKEYREJECTED, exit 5) with both fingerprints and the way out,
 * "hostfish hostif trust", which pins the certificate presented now.  The pin replaces the CA
 * and host-name checks (a BMC's self-signed certificate names its host name, not the vNIC's
 * address); the TLS handshake still proves the peer holds the pinned certificate's key.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "hostif.h"
#include "netwatch.h"
#include "transport.h"

/* ---- paths ---- */

const char *hf_state_dir(void)
{
	const char *d = secure_getenv("HOSTFISH_STATE_DIR");

	return d && *d ? d : HF_STATE_DIR_DEFAULT;
}

/* ---- pins ---- */

void hf_hostif_fingerprint_text(const unsigned char md[32], char out[96])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[i * 3] = hex[md[i] >> 4];
		out[i * 3 + 1] = hex[md[i] & 15];
		out[i * 3 + 2] = i == 31 ? '\0' : ':';
	}
}

int hf_hostif_pin_path(const char *dir, const char *uuid, const char *addr, unsigned port,
		       char *out, size_t outlen)
{
	char a[HF_SMBIOS_ADDRSTRLEN];
	size_t i;

	/* ':' of IPv6 addresses is fine in a file name; anything else odd is not */
	snprintf(a, sizeof(a), "%s", addr);
	for (i = 0; a[i]; i++)
		if (!strchr("0123456789abcdefABCDEF.:", a[i]))
			a[i] = '_';
	if ((size_t)snprintf(out, outlen, "%s/hostif-%s-%s-%u.pin", dir,
			     uuid && *uuid ? uuid : "no-uuid", a, port) >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

static bool fingerprint_valid(const char *fp)
{
	int i;

	if (strlen(fp) != 95)
		return false;
	for (i = 0; i < 95; i++)
		if (i % 3 == 2 ? fp[i] != ':' : !strchr("0123456789ABCDEF", fp[i]))
			return false;
	return true;
}

int hf_hostif_pin_load(const char *path, char fp[96], char *why, size_t whylen)
{
	char buf[512], *p;
	struct stat st = { 0 };
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		int r = -errno;

		if (r == -ENOENT)
			return 0;
		snprintf(why, whylen, "cannot read the pin file %s: %s", path, strerror(-r));
		return r;
	}
	/* the pin decides which BMC gets the password: only one root (or we) wrote counts */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, whylen,
			 "the pin file %s is not trusted: it must be a regular file of root's that "
			 "only root may write (uid %u, mode %04o); remove it or run 'hostfish hostif "
			 "trust'",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(why, whylen, "cannot read the pin file %s: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	close(fd);
	buf[n] = '\0';
	/* "sha256 AB:CD:...", then a comment line naming the BMC */
	p = buf;
	if (strncmp(p, "sha256 ", 7) == 0)
		p += 7;
	p[strcspn(p, "\n")] = '\0';
	if (!fingerprint_valid(p)) {
		snprintf(why, whylen, "the pin file %s is malformed (expected 'sha256 AB:CD:...'); "
				      "remove it or run 'hostfish hostif trust'",
			 path);
		return -EBADMSG;
	}
	strcpy(fp, p);
	return 1;
}

int hf_hostif_pin_store(const char *dir, const char *path, const char *fp, const char *what,
			char *why, size_t whylen)
{
	struct hf_buf text = { 0 };
	int r;

	r = hf_private_dir(dir, why, whylen);
	if (r < 0)
		return r;
	if (hf_buf_printf(&text, "sha256 %s\n# %s\n", fp, what ? what : "") < 0)
		return -ENOMEM;
	r = hf_write_atomic(path, text.data, text.len);
	if (r < 0)
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(-r));
	hf_buf_free(&text);
	return r;
}

/* ---- the backend ---- */

struct hostif_ctx {
	void *https;
	char *endpoint; /* "https://addr:port" */
	char *what; /* "BMC UUID at addr:port" for messages */
	const struct hf_logger *log;
	pthread_mutex_t lock;
	bool pinning; /* TOFU active (no --cacert, no --insecure) */
	bool trust_now; /* accept the certificate presented now and re-pin it */
	bool have_pin;
	bool pin_unsaved; /* have_pin came from this process's first connection */
	char pin[96];
	char rejected[96]; /* the last certificate refused */
	char *pin_path;
	char *state_dir;
	/* the NIC, to wait for after a reset (wait_path): the record that names it (smbios owns
	 * dev) and the name the https backend binds to */
	struct hf_smbios *smbios;
	const struct hf_smbios_device *dev;
	char ifname[IF_NAMESIZE];
	/* credentials: the record advertises IPMI bootstrapping; HPE's library to use */
	bool ipmi_advertised;
	char *library;
};

static int leaf_check(void *p, const unsigned char md[32])
{
	struct hostif_ctx *ctx = p;
	char fp[96];
	int r = 0;

	hf_hostif_fingerprint_text(md, fp);
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->have_pin || (ctx->trust_now && !ctx->pin_unsaved)) {
		strcpy(ctx->pin, fp);
		ctx->have_pin = true;
		ctx->pin_unsaved = true;
	} else if (strcmp(ctx->pin, fp) != 0) {
		strcpy(ctx->rejected, fp);
		r = -1;
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

/* After a successful exchange: write a pin learnt on this connection. */
static int save_pin(struct hostif_ctx *ctx, char *why, size_t whylen)
{
	char fp[96];
	bool save;
	int r = 0;

	pthread_mutex_lock(&ctx->lock);
	save = ctx->pin_unsaved;
	strcpy(fp, ctx->pin);
	ctx->pin_unsaved = false;
	pthread_mutex_unlock(&ctx->lock);
	if (!save)
		return 0;
	r = hf_hostif_pin_store(ctx->state_dir, ctx->pin_path, fp, ctx->what, why, whylen);
	if (r < 0)
		return r;
	if (!ctx->trust_now)
		hf_log_warning(ctx->log,
			       "warning: trust on first use: pinned the certificate of the %s, "
			       "SHA256 %s, in %s",
			       ctx->what, fp, ctx->pin_path);
	return 0;
}

static void hostif_fini(void *p)
{
	struct hostif_ctx *ctx = p;

	if (!ctx)
		return;
	if (ctx->https)
		hf_transport_https.fini(ctx->https);
	free(ctx->endpoint);
	free(ctx->what);
	free(ctx->pin_path);
	free(ctx->state_dir);
	free(ctx->library);
	hf_smbios_free(ctx->smbios);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

static int load_target(const char *root, const char *smbios_file, struct hf_smbios **s,
		       struct hf_hostif_target *t, char *why, size_t whylen)
{
	char err[512];
	int r;

	r = hf_smbios_load_at(root, smbios_file, s, err, sizeof(err));
	if (r < 0) {
		snprintf(why, whylen, "cannot read SMBIOS%s%s: %s", smbios_file ? " from " : "",
			 smbios_file ? smbios_file : "", err);
		return r;
	}
	r = hf_hostif_locate(root, *s, t, why, whylen);
	if (r < 0) {
		hf_smbios_free(*s);
		*s = NULL;
	}
	return r;
}

static int hostif_probe(const struct hf_transport_config *cfg, char *why, size_t whylen)
{
	struct hf_hostif_target t;
	struct hf_smbios *s = NULL;
	int r;

	r = load_target(NULL, cfg->smbios_file, &s, &t, why, whylen);
	if (r < 0)
		return r;
	hf_hostif_target_clear(&t);
	hf_smbios_free(s);
	return 0;
}

static int hostif_open(const char *root, const struct hf_transport_config *cfg, bool trust_now,
		       void **ret, char *errbuf, size_t errlen)
{
	struct hf_transport_config c = *cfg;
	struct hf_hostif_endpoint ep;
	struct hf_hostif_target t;
	struct hf_smbios *s = NULL;
	struct hostif_ctx *ctx;
	char ifname[IF_NAMESIZE + 4], path[PATH_MAX], why[512];
	int r;

	r = load_target(root, cfg->smbios_file, &s, &t, errbuf, errlen);
	if (r < 0)
		return r == -ENOENT ? -ENOTSUP : r;
	/* a reset nobody waited for (or a wait interrupted) took the address "hostif up" gave
	 * the NIC: put it back first (nothing when the system's own set-up configures it) */
	if (hf_hostif_reapply(&t.nic, cfg->log, why, sizeof(why)) < 0)
		hf_log_warning(cfg->log, "host interface: %s", why);
	r = hf_hostif_endpoint(root, &t, NULL, &ep, errbuf, errlen);
	if (r < 0) {
		r = -ENOTSUP;
		goto out;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		r = -ENOMEM;
		goto out;
	}
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->log = cfg->log;
	ctx->trust_now = trust_now;
	ctx->ipmi_advertised = t.hostif->device.has_characteristics &&
			       (t.hostif->device.characteristics & 1);
	ctx->library = hf_strdup(cfg->chif_library);
	ctx->endpoint = strdup(ep.url);
	if (asprintf(&ctx->what, "BMC %s at %s port %u (host interface %s)", t.rfip->uuid,
		     ep.addr, ep.port, t.nic.name) < 0)
		ctx->what = NULL;
	ctx->state_dir = strdup(hf_state_dir());
	if (!ctx->endpoint || !ctx->what || !ctx->state_dir ||
	    hf_hostif_pin_path(ctx->state_dir, t.rfip->uuid, ep.addr, ep.port, path,
			       sizeof(path)) < 0 ||
	    !(ctx->pin_path = strdup(path))) {
		hostif_fini(ctx);
		r = -ENOMEM;
		goto out;
	}
	hf_log_info(cfg->log, "host interface: %s (%s, matched by %s), BMC %s from %s",
		    t.nic.name, t.nic.driver[0] ? t.nic.driver : "no driver", t.nic.matched_by,
		    ep.url, ep.detail);
	if (strcmp(ep.source, "record") != 0)
		hf_log_warning(cfg->log, "host interface: using %s for the BMC's address (%s)",
			       ep.addr, ep.detail);

	ctx->pinning = trust_now || (!cfg->ca_file && !cfg->insecure);
	if (ctx->pinning && !trust_now) {
		r = hf_hostif_pin_load(ctx->pin_path, ctx->pin, why, sizeof(why));
		if (r < 0) {
			snprintf(errbuf, errlen, "%s", why);
			hostif_fini(ctx);
			/* an untrusted pin is refused like a changed certificate */
			r = r == -EPERM ? -EKEYREJECTED : -EINVAL;
			goto out;
		}
		ctx->have_pin = r == 1;
		if (!ctx->have_pin)
			hf_log_info(cfg->log, "no pinned certificate for the %s yet (%s): the first "
					      "one is trusted and pinned",
				    ctx->what, ctx->pin_path);
	}
	snprintf(ifname, sizeof(ifname), "if!%s", t.nic.name);
	c.url = ep.url;
	c.interface = ifname;
	c.proxy = NULL; /* the host interface is never proxied */
	if (ctx->pinning) {
		c.tls_leaf_check = leaf_check;
		c.tls_leaf_userdata = ctx;
		c.insecure = false;
		c.ca_file = NULL;
	}
	r = hf_transport_https.init(&c, &ctx->https, errbuf, errlen);
	if (r < 0) {
		ctx->https = NULL;
		hostif_fini(ctx);
		goto out;
	}
	ctx->smbios = s; /* t.hostif points into it */
	s = NULL;
	ctx->dev = &t.hostif->device;
	snprintf(ctx->ifname, sizeof(ctx->ifname), "%s", t.nic.name);
	*ret = ctx;
	r = 0;
out:
	hf_hostif_target_clear(&t);
	hf_smbios_free(s);
	return r;
}

static int hostif_init(const struct hf_transport_config *cfg, void **ret, char *errbuf,
		       size_t errlen)
{
	return hostif_open(NULL, cfg, false, ret, errbuf, errlen);
}

static const char *hostif_endpoint(void *p)
{
	return ((struct hostif_ctx *)p)->endpoint;
}

static int hostif_conn_open(void *p, void **conn, char *errbuf, size_t errlen)
{
	return hf_transport_https.conn_open(((struct hostif_ctx *)p)->https, conn, errbuf, errlen);
}

static void hostif_conn_close(void *p, void *conn)
{
	hf_transport_https.conn_close(((struct hostif_ctx *)p)->https, conn);
}

/*
 * After a reset the vNIC goes away and comes back (iLO's cdc_eem): wait for it with the udev
 * monitor (netwatch.c), matched by the record's device identity, and give it back the address
 * "hostif up" configured (it is known by its MAC).  Connections are bound to the NIC's name:
 * one that comes back under another name (a udev rule, a new USB path) is followed, new
 * connections bound to that name.
 */
static int hostif_wait_path(void *p, int64_t deadline, const volatile int *interrupts,
			    int interrupts_seen, char *errbuf, size_t errlen)
{
	struct hostif_ctx *ctx = p;
	struct hf_netif nic;
	char why[512];
	int r;

	r = hf_netwatch_wait(ctx->dev, deadline, interrupts, interrupts_seen, ctx->log, &nic,
			     errbuf, errlen);
	if (r < 0)
		return r;
	pthread_mutex_lock(&ctx->lock);
	if (strcmp(nic.name, ctx->ifname) != 0) {
		char bind[IF_NAMESIZE + 4];

		snprintf(bind, sizeof(bind), "if!%s", nic.name);
		r = hf_https_rebind(ctx->https, bind);
		if (r == 0) {
			hf_log_info(ctx->log, "host interface: the NIC came back as %s (was %s): "
					      "following it",
				    nic.name, ctx->ifname);
			snprintf(ctx->ifname, sizeof(ctx->ifname), "%s", nic.name);
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	if (r < 0) {
		snprintf(errbuf, errlen, "out of memory");
		hf_netif_clear(&nic);
		return r;
	}
	r = hf_hostif_reapply(&nic, ctx->log, why, sizeof(why));
	if (r < 0)
		hf_log_warning(ctx->log, "host interface: %s", why);
	hf_netif_clear(&nic);
	return 0;
}

static int hostif_exchange(void *p, void *conn, const struct hf_transport_request *req,
			   struct hf_transport_response *resp, char *errbuf, size_t errlen)
{
	struct hostif_ctx *ctx = p;
	char rejected[96] = "", pin[96] = "", why[512];
	int r;

	r = hf_transport_https.exchange(ctx->https, conn, req, resp, errbuf, errlen);
	if (!ctx->pinning)
		return r;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->rejected[0]) {
		strcpy(rejected, ctx->rejected);
		strcpy(pin, ctx->pin);
		ctx->rejected[0] = '\0';
	}
	pthread_mutex_unlock(&ctx->lock);
	if (r < 0 && rejected[0]) {
		snprintf(errbuf, errlen,
			 "the certificate of the %s is not the one pinned: pinned SHA256 %s (%s), "
			 "presented SHA256 %s; if the BMC's certificate was replaced on purpose, "
			 "accept the new one with 'hostfish hostif trust'",
			 ctx->what, pin, ctx->pin_path, rejected);
		return -EKEYREJECTED;
	}
	if (r == 0 && save_pin(ctx, why, sizeof(why)) < 0)
		/* the answer is good; the next run will trust on first use again */
		hf_log_warning(ctx->log, "warning: cannot record the BMC's certificate: %s", why);
	return r;
}

int hf_hostif_trust_at(const char *root, const char *smbios_file, const struct hf_logger *log,
		       long timeout_ms, char **ret_fp, char **ret_path, char *why, size_t whylen)
{
	struct hf_transport_config cfg = { .smbios_file = smbios_file, .log = log };
	struct hf_transport_response resp = { 0 };
	struct hf_headers headers = { 0 };
	struct hf_transport_request req = {
		.method = "GET",
		.path = "/redfish/v1/",
		.headers = &headers,
		.connect_timeout_ms = timeout_ms,
		.timeout_ms = timeout_ms,
		.max_body = 1 << 20,
		.no_resend = true,
	};
	struct hostif_ctx *ctx = NULL;
	void *conn = NULL;
	char *fp = NULL, *path = NULL;
	int r;

	r = hostif_open(root, &cfg, true, (void **)&ctx, why, whylen);
	if (r < 0)
		return r;
	r = hostif_conn_open(ctx, &conn, why, whylen);
	if (r < 0)
		goto out;
	/* the handshake is what matters; any HTTP answer proves it completed */
	r = hf_transport_https.exchange(ctx->https, conn, &req, &resp, why, whylen);
	hostif_conn_close(ctx, conn);
	if (r < 0)
		goto out;
	r = save_pin(ctx, why, whylen);
	if (r < 0)
		goto out;
	fp = strdup(ctx->pin);
	path = strdup(ctx->pin_path);
	if (!fp || !path) {
		free(fp);
		free(path);
		r = -ENOMEM;
		goto out;
	}
	*ret_fp = fp;
	*ret_path = path;
out:
	hf_transport_response_clear(&resp);
	hostif_fini(ctx);
	return r;
}

/*
 * ops->credentials, for the client at its first login when no --user was given:
 * hf_creds_find() (refused NULL) or hf_creds_renew() with what the backend knows (the record's
 * characteristics, --chif-library, the state directory and the BMC's identity for the kept
 * bootstrap credentials).
 */
static int hostif_credentials(void *p, long timeout_ms, const struct hf_creds *refused,
			      struct hf_creds *c, char *why, size_t whylen)
{
	struct hostif_ctx *ctx = p;
	struct hf_creds_context cc = { 0 };
	_cleanup_free_ char *store = NULL;
	size_t n;

	cc.library = ctx->library;
	cc.ipmi_advertised = ctx->ipmi_advertised;
	cc.timeout_ms = timeout_ms;
	cc.log = ctx->log;
	/* IPMI bootstrap credentials are kept beside the pin: hostif-UUID-ADDR-PORT.bootstrap */
	n = strlen(ctx->pin_path);
	if (n > 4 && strcmp(ctx->pin_path + n - 4, ".pin") == 0) {
		char *path;

		if (asprintf(&path, "%.*s.bootstrap", (int)(n - 4), ctx->pin_path) < 0)
			return -ENOMEM;
		store = path;
	}
	cc.store_path = store;
	cc.store_dir = ctx->state_dir;
	cc.what = ctx->what;
	if (refused)
		return hf_creds_renew(&cc, refused, c, why, whylen);
	return hf_creds_find(&cc, c, why, whylen);
}

/* ops->peer_cert: the https backend's, the connections being its own */
static int hostif_peer_cert(void *p, unsigned char **der, size_t *derlen, char *errbuf,
			    size_t errlen)
{
	return hf_transport_https.peer_cert(((struct hostif_ctx *)p)->https, der, derlen, errbuf,
					    errlen);
}

const struct hf_transport_ops hf_transport_hostif = {
	.abi = HF_TRANSPORT_ABI,
	.name = "hostif",
	.caps = HF_TCAP_NETWORK | HF_TCAP_INBAND | HF_TCAP_AUTH_ALWAYS |
		HF_TCAP_STREAM_BODY,
	.description = "Redfish Host Interface (SMBIOS Type 42 -> NIC -> HTTPS bound to it)",
	.probe = hostif_probe,
	.init = hostif_init,
	.fini = hostif_fini,
	.endpoint = hostif_endpoint,
	.conn_open = hostif_conn_open,
	.conn_close = hostif_conn_close,
	.exchange = hostif_exchange,
	.wait_path = hostif_wait_path,
	.credentials = hostif_credentials,
	.peer_cert = hostif_peer_cert,
};
