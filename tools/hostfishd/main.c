/* SPDX-License-Identifier: MIT */
/*
 * main.c - hostfishd: options, credentials, start-up, signals and the orderly stop.
 *
 * Stop (SIGTERM, SIGINT): the socket is closed and removed at once (new clients find no
 * agent; a new agent may start), idle connections close, requests in flight may finish for
 * --timeout; then they are interrupted (hf_client_interrupt), the session is deleted on the
 * BMC (a failure is logged and sets the exit code, as in the CLI) and the agent exits 0.
 * A second signal skips the wait.  SIGHUP reopens the log file and resolves the groups again.
 * SIGPIPE is ignored (every send() has MSG_NOSIGNAL anyway).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "bmc-options.h"

#define DEFAULT_RUNTIME_DIR "/run/hostfish"
#define SOCKET_NAME "hostfishd.sock"
#define INTERRUPT_GRACE_MS 5000
#define DEFAULT_FORWARD_INTERVAL_MS 30000L

static long forward_interval_ms; /* --forward-interval, applied once the options are read */ /* after hf_client_interrupt(): answers still being written */

static const char usage_head[] =
	"Usage: hostfishd [OPTIONS]\n"
	"\n"
	"The local Redfish agent: one BMC session and at most eight BMC connections, shared by\n"
	"every local client over HTTP/1.1 on a Unix socket, for example\n"
	"  curl --unix-socket /run/hostfish/hostfishd.sock http://localhost/redfish/v1/\n"
	"Only /redfish/ is forwarded; GET /hostfishd/status reports the agent's health, GET\n"
	"/metrics the BMC's and the agent's metrics (Prometheus text format).\n"
	"\n"
	"BMC options (as for hostfish):\n";

/* between the BMC options both programs have and those only the agent has (bmc-options.c) */
static const char usage_middle[] =
	"\n"
	"Agent options:\n"
	"  --socket PATH          listen here (default $HOSTFISH_RUNTIME_DIR/" SOCKET_NAME ")\n";

/* after them */
static const char usage_tail[] =
	"  --max-queue N          requests waiting for a BMC connection (default 64); more\n"
	"                         are answered 503 with Retry-After: 1\n"
	"  --max-clients N        open client connections (default 128); more are answered 503\n"
	"  --max-body BYTES       largest request body (default 16777216); larger: 413\n"
	"  --max-body-total BYTES request body bytes held at once, all clients together\n"
	"                         (default 8 x --max-body); each user but root gets a quarter,\n"
	"                         users without full access half together; over that: 503\n"
	"  --client-timeout SEC   idle or slow clients are dropped after SEC (default 30)\n"
	"  --cache-ttl SEC        answer repeated GETs from a cache for SEC seconds (default 0:\n"
	"                         off); never sessions, tasks, Cache-Control: no-store\n"
	"  --forward-logs         send every new entry of the BMC's logs (iLO: IML, Event, SL,\n"
	"                         IEL) to the system journal, one journal entry each, from\n"
	"                         where the last run stopped (cursors in $HOSTFISH_STATE_DIR)\n"
	"  --forward-interval SEC how often the logs are read (default 30)\n"
	"  --group NAME           full access for this group (default hostfish)\n"
	"  --ro-group NAME        GET and HEAD for this group (default hostfish-ro)\n"
	"  --log-file FILE        log every request to FILE (mode 0600, reopened on SIGHUP)\n"
	"  --metrics-interval SEC read the BMC for /metrics at most once per SEC (default 30)\n"
	"  --metrics-listen ADDRESS:PORT\n"
	"                         serve GET /metrics (only) on this TCP address too; anyone who\n"
	"                         can connect may read it, so a loopback address only\n"
	"                         (127.0.0.1:PORT, [::1]:PORT) unless --metrics-allow-remote\n"
	"  --metrics-allow-remote allow a --metrics-listen address that is not loopback\n"
	"  --subscribe            for a BMC that pushes events: subscribe (EventService), receive\n"
	"                         them over HTTPS (a certificate made at start), send each to the\n"
	"                         journal and $HOSTFISH_RUNTIME_DIR/events.jsonl; the subscription\n"
	"                         is deleted at stop (or, after a crash, at the next start)\n"
	"  --subscribe-listen ADDRESS[:PORT]\n"
	"                         where the BMC delivers (default: this host's address towards\n"
	"                         the BMC, any port)\n"
	"  --subscribe-events LIST  comma-separated EventTypes (iLO 5) or RegistryPrefixes (iLO\n"
	"                         6, 7) (default: all the BMC offers)\n"
	"  -v, --verbose          more log on stderr (-vv: every BMC exchange, secrets masked)\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"Access (by the peer's credentials): root, the agent's own user and members of --group:\n"
	"everything; members of --ro-group: GET and HEAD; anyone else: 403.  The socket is mode\n"
	"0660, group --group, with an ACL entry for --ro-group.  Client credentials\n"
	"(Authorization, X-Auth-Token, Cookie) are removed: the agent's session is used.\n"
	"Request bodies need Content-Length (chunked requests are answered 411).  Limits: request\n"
	"line 8 KiB (414), header section 32 KiB and 100 fields (431).\n"
	"\n"
	"Socket activation: started by systemd with a listening socket (hostfishd.socket;\n"
	"LISTEN_PID and LISTEN_FDS set), the agent serves that socket instead of --socket and\n"
	"leaves its owner, mode and file to systemd.\n"
	"\n"
	"Environment:\n"
	"  HOSTFISH_URL           default for --url\n"
	"  HOSTFISH_PASSWORD      the password for --user\n"
	"  HOSTFISH_RUNTIME_DIR   runtime directory (default " DEFAULT_RUNTIME_DIR ")\n"
	"  LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES  socket activation (sd_listen_fds(3))\n"
	"\n"
	"Exit codes:\n"
	"  0  stopped by SIGTERM or SIGINT, session logged out\n"
	"  1  usage or invalid option\n"
	"  3  the BMC refused the logout at stop (5xx)\n"
	"  4  credentials missing for the authentication mode, or the logout was refused\n"
	"  5  transport unavailable, the socket cannot be created or the one systemd passed\n"
	"     is not a listening Unix stream socket, or the logout failed\n"
	"  6  the logout timed out\n";

enum {
	OPT_SOCKET = 256,
	OPT_MAX_QUEUE,
	OPT_MAX_CLIENTS,
	OPT_MAX_BODY,
	OPT_MAX_BODY_TOTAL,
	OPT_CLIENT_TIMEOUT,
	OPT_GROUP,
	OPT_RO_GROUP,
	OPT_LOG_FILE,
	OPT_CACHE_TTL,
	OPT_FORWARD_LOGS,
	OPT_FORWARD_INTERVAL,
	OPT_METRICS_INTERVAL,
	OPT_METRICS_LISTEN,
	OPT_METRICS_ALLOW_REMOTE,
	OPT_SUBSCRIBE,
	OPT_SUBSCRIBE_LISTEN,
	OPT_SUBSCRIBE_EVENTS,
};

/* the agent's own options; the BMC options come from the shared table */
static const struct option own_options[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "max-queue", required_argument, NULL, OPT_MAX_QUEUE },
	{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-body-total", required_argument, NULL, OPT_MAX_BODY_TOTAL },
	{ "client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "ro-group", required_argument, NULL, OPT_RO_GROUP },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "cache-ttl", required_argument, NULL, OPT_CACHE_TTL },
	{ "forward-logs", no_argument, NULL, OPT_FORWARD_LOGS },
	{ "forward-interval", required_argument, NULL, OPT_FORWARD_INTERVAL },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "metrics-allow-remote", no_argument, NULL, OPT_METRICS_ALLOW_REMOTE },
	{ "subscribe", no_argument, NULL, OPT_SUBSCRIBE },
	{ "subscribe-listen", required_argument, NULL, OPT_SUBSCRIBE_LISTEN },
	{ "subscribe-events", required_argument, NULL, OPT_SUBSCRIBE_EVENTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
#define N_OWN_OPTIONS (sizeof(own_options) / sizeof(own_options[0]))

/* An error of a BMC option, or a warning (a secret file others can read), in the log. */
static void report_option(void *userdata, bool warning, const char *message)
{
	(void)userdata;
	agent_log(warning ? ALOG_WARN : ALOG_ERR, "%s", message);
}

static void print_usage(void)
{
	fputs(usage_head, stdout);
	tools_bmc_help(stdout, TOOLS_HOSTFISHD, TOOLS_BMC_HELP_SHARED);
	fputs(usage_middle, stdout);
	tools_bmc_help(stdout, TOOLS_HOSTFISHD, TOOLS_BMC_HELP_OWN);
	fputs(usage_tail, stdout);
}

/* One of the agent's own options; -1 for a usage error (reported). */
static int parse_own_option(struct agent_config *cfg, int c, const char *arg)
{
	long v;

	switch (c) {
	case OPT_SOCKET:
		cfg->socket_path = arg;
		return 0;
	case OPT_MAX_QUEUE:
		if (!tools_parse_long(arg, 0, 4096, &v)) {
			agent_log(ALOG_ERR, "--max-queue: expected 0 to 4096");
			return -1;
		}
		cfg->max_queue = (int)v;
		return 0;
	case OPT_MAX_CLIENTS:
		if (!tools_parse_long(arg, 1, 4096, &v)) {
			agent_log(ALOG_ERR, "--max-clients: expected 1 to 4096");
			return -1;
		}
		cfg->max_clients = (int)v;
		return 0;
	case OPT_MAX_BODY:
		if (!tools_parse_long(arg, 0, 256L << 20, &v)) {
			agent_log(ALOG_ERR, "--max-body: expected 0 to %ld bytes", 256L << 20);
			return -1;
		}
		cfg->max_body = (size_t)v;
		return 0;
	case OPT_MAX_BODY_TOTAL:
		if (!tools_parse_long(arg, 0, 64L << 30, &v)) {
			agent_log(ALOG_ERR, "--max-body-total: expected 0 to %ld bytes", 64L << 30);
			return -1;
		}
		cfg->max_body_total = (size_t)v;
		return 0;
	case OPT_CLIENT_TIMEOUT:
		if (!tools_parse_long(arg, 1, 3600, &v)) {
			agent_log(ALOG_ERR, "--client-timeout: expected seconds between 1 and 3600");
			return -1;
		}
		cfg->client_timeout_ms = v * 1000;
		return 0;
	case OPT_CACHE_TTL:
		if (!tools_parse_long(arg, 0, 3600, &v)) {
			agent_log(ALOG_ERR, "--cache-ttl: expected seconds between 0 and 3600");
			return -1;
		}
		cfg->cache_ttl_ms = v * 1000;
		return 0;
	case OPT_FORWARD_LOGS:
		if (!cfg->forward_interval_ms)
			cfg->forward_interval_ms = DEFAULT_FORWARD_INTERVAL_MS;
		return 0;
	case OPT_FORWARD_INTERVAL:
		if (!tools_parse_long(arg, 1, 86400, &v)) {
			agent_log(ALOG_ERR, "--forward-interval: expected seconds between 1 and 86400");
			return -1;
		}
		forward_interval_ms = v * 1000;
		return 0;
	case OPT_GROUP:
		cfg->group = arg;
		return 0;
	case OPT_RO_GROUP:
		cfg->ro_group = arg;
		return 0;
	case OPT_LOG_FILE:
		cfg->log_file = arg;
		return 0;
	case OPT_METRICS_INTERVAL:
		if (!tools_parse_long(arg, 1, 86400, &v)) {
			agent_log(ALOG_ERR, "--metrics-interval: expected seconds between 1 and 86400");
			return -1;
		}
		cfg->metrics_interval_ms = v * 1000;
		return 0;
	case OPT_METRICS_LISTEN:
		cfg->metrics_listen = arg;
		return 0;
	case OPT_METRICS_ALLOW_REMOTE:
		cfg->metrics_allow_remote = true;
		return 0;
	case OPT_SUBSCRIBE:
		cfg->subscribe = true;
		return 0;
	case OPT_SUBSCRIBE_LISTEN:
		cfg->subscribe_listen = arg;
		return 0;
	case OPT_SUBSCRIBE_EVENTS:
		cfg->subscribe_events = arg;
		return 0;
	case 'v':
		cfg->verbose++;
		return 0;
	case 'h':
		print_usage();
		exit(EXIT_OK);
	case 'V':
		printf("hostfishd %s (libhostfish %s)\n", PACKAGE_VERSION, hf_version());
		exit(EXIT_OK);
	default:
		fputs("Try 'hostfishd --help'.\n", stderr);
		return -1;
	}
}

/*
 * The options into cfg (the agent's) and bo (the BMC's).  The BMC options that shape the
 * agent too are copied into cfg: --timeout, --max-connections, --idle-timeout.
 */
static int parse_options(struct agent_config *cfg, struct tools_bmc *bo, int argc, char **argv)
{
	struct option long_options[TOOLS_BMC_N_OPTIONS + N_OWN_OPTIONS];
	int c;

	if (tools_bmc_long_options(TOOLS_HOSTFISHD, own_options, long_options,
				   TOOLS_BMC_N_OPTIONS + N_OWN_OPTIONS) < 0)
		abort(); /* the array is made to fit */
	while ((c = getopt_long(argc, argv, "vhV", long_options, NULL)) != -1) {
		if (tools_bmc_is_option(c) ? tools_bmc_set(bo, c, optarg, report_option, NULL) < 0
					   : parse_own_option(cfg, c, optarg) < 0)
			return -1;
	}
	if (forward_interval_ms && !cfg->forward_interval_ms) {
		agent_log(ALOG_ERR, "--forward-interval needs --forward-logs");
		return -1;
	}
	if (forward_interval_ms)
		cfg->forward_interval_ms = forward_interval_ms;
	if ((cfg->subscribe_listen || cfg->subscribe_events) && !cfg->subscribe) {
		agent_log(ALOG_ERR, "--subscribe-listen and --subscribe-events need --subscribe");
		return -1;
	}
	if (optind < argc) {
		agent_log(ALOG_ERR, "unexpected argument '%s'", argv[optind]);
		fputs("Try 'hostfishd --help'.\n", stderr);
		return -1;
	}
	if (bo->opts.timeout_ms)
		cfg->timeout_ms = bo->opts.timeout_ms;
	if (bo->opts.max_connections)
		cfg->max_connections = bo->opts.max_connections;
	cfg->idle_timeout_ms = bo->opts.idle_timeout_ms;
	return 0;
}

/* Exit 4 when the authentication mode needs credentials that are not there. */
static int check_credentials(const struct tools_bmc *bo)
{
	const hf_options *o = &bo->opts;
	bool need_password = o->auth == HF_AUTH_BASIC || o->auth == HF_AUTH_SESSION ||
			     (o->auth == HF_AUTH_AUTO && o->username);

	if (need_password && (!o->username || !bo->password)) {
		agent_log(ALOG_ERR, "%s authentication needs --user and a password "
				    "(HOSTFISH_PASSWORD or --password-file): not starting",
			  o->auth == HF_AUTH_BASIC ? "basic" : "session");
		return EXIT_AUTH;
	}
	if (o->auth == HF_AUTH_CERT && (!o->client_cert || !o->client_key)) {
		agent_log(ALOG_ERR, "certificate authentication needs --cert and --key: not "
				    "starting");
		return EXIT_AUTH;
	}
	return EXIT_OK;
}

static int create_client(struct agent *a, const struct tools_bmc *bo)
{
	hf_options o = bo->opts; /* what the options and the environment said */
	int r;

	o.timeout_ms = a->cfg.timeout_ms;
	o.log_fn = agent_log_library;
	o.log_level = agent_log_library_level();
	o.max_connections = a->cfg.max_connections;
	o.idle_timeout_ms = a->cfg.idle_timeout_ms;
	o.direct = 1; /* the agent talks to the BMC itself, never through an agent */

	r = hf_client_new(&a->client, &o);
	if (r == -EINVAL)
		return EXIT_USAGE; /* the reason went through the log callback */
	if (r < 0) {
		agent_log(ALOG_ERR, "cannot create the BMC client: %s", strerror(-r));
		return EXIT_TRANSPORT;
	}
	return EXIT_OK;
}

/*
 * The socket's directory: the default one is created (0755: group members must reach the
 * socket inside; the library keeps its own files in 0700 subdirectories).  Others are only
 * checked.
 */
static void prepare_socket_dir(const char *path, bool create)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (!dir[0])
		return;
	if (create && mkdir(dir, 0755) == 0)
		agent_log(ALOG_NOTICE, "created %s (mode 0755)", dir);
	if (stat(dir, &st) == 0 && !(st.st_mode & S_IXOTH))
		agent_log(ALOG_WARN,
			  "%s is mode %03o: members of the groups cannot reach the socket "
			  "in it unless it is searchable by others (0755)",
			  dir, (unsigned)(st.st_mode & 07777));
}

static int probe_done; /* atomic: the start-up probe has finished */
static char default_socket[4096]; /* $HOSTFISH_RUNTIME_DIR/hostfishd.sock */

/* Start-up check of the BMC, in the background: the agent serves at once, the BMC may come
 * later.  Logs the service root's answer, then logs in (the session is shared from then). */
static void *probe_thread(void *arg)
{
	struct agent *a = arg;
	hf_response *resp = NULL;
	int r;

	if (gate_acquire_now(&a->gate, now_ms() + a->cfg.timeout_ms) < 0) {
		__atomic_store_n(&probe_done, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	r = hf_get(a->client, "/redfish/v1/", &resp);
	if (r < 0) {
		agent_log(ALOG_WARN, "the BMC at %s cannot be reached yet: %s",
			  hf_client_endpoint(a->client), hf_client_last_error(a->client)->message);
		goto out;
	}
	ride_answered(a);
	agent_log(ALOG_NOTICE, "the BMC at %s (%s) answers: %d %s", hf_client_endpoint(a->client),
		  hf_client_transport(a->client), hf_response_status(resp),
		  hf_response_reason(resp));
	if (__atomic_load_n(&a->stopping, __ATOMIC_RELAXED))
		goto out;
	r = hf_client_login(a->client);
	if (r < 0)
		agent_log(ALOG_WARN, "cannot log in to the BMC yet: %s",
			  hf_client_last_error(a->client)->message);
out:
	hf_response_free(resp);
	gate_release(&a->gate, a->client);
	__atomic_store_n(&probe_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool busy(struct agent *a, int *clients)
{
	*clients = server_wait_clients(a, now_ms());
	return *clients > 0 || !__atomic_load_n(&probe_done, __ATOMIC_ACQUIRE);
}

/*
 * Wait for the connection threads and the start-up probe (interrupting a login could leave a
 * session on the BMC that nobody knows of); a second stop signal ends the wait.  Returns
 * whether everything finished; *clients is how many connection threads remain.
 */
static bool drain(struct agent *a, int sig_fd, int64_t deadline, int *clients)
{
	while (busy(a, clients) && now_ms() < deadline) {
		struct pollfd p = { .fd = sig_fd, .events = POLLIN };
		struct signalfd_siginfo si;
		int64_t step = deadline - now_ms();

		if (poll(&p, 1, step > 100 ? 100 : (int)step) > 0) {
			while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					agent_log_reopen();
				} else {
					agent_log(ALOG_NOTICE,
						  "second signal: not waiting any longer");
					return !busy(a, clients);
				}
			}
		}
	}
	return !busy(a, clients);
}

/* The orderly stop; returns the exit code. */
static int stop(struct agent *a, int sig_fd, int sig, pthread_t probe, bool have_probe)
{
	const char *away; /* the BMC is gone (riding through its reset): its state's name */
	uint64_t one = 1;
	int remaining, rc = EXIT_OK, r;

	agent_log(ALOG_NOTICE, "%s: stopping (requests in flight may finish within %ld s)",
		  strsignal(sig), a->cfg.timeout_ms / 1000);
	__atomic_store_n(&a->stopping, 1, __ATOMIC_RELAXED);
	(void)!write(a->stop_fd, &one, sizeof(one));
	close(a->listen_fd);
	a->listen_fd = -1;
	if (a->metrics_fd >= 0)
		close(a->metrics_fd);
	a->metrics_fd = -1;
	server_unlink(a);

	if (!drain(a, sig_fd, now_ms() + a->cfg.timeout_ms, &remaining)) {
		agent_log(ALOG_WARN, "interrupting the requests still in flight (%d client "
				     "connections)",
			  remaining);
		gate_abort(&a->gate);
		hf_client_interrupt(a->client);
		remaining = server_wait_clients(a, now_ms() + INTERRUPT_GRACE_MS);
	}
	if (have_probe)
		pthread_join(probe, NULL);
	logfwd_join(a);
	/* the rider sees a->stopping after its probe; a probe that blocks (the host interface's
	 * NIC awaited by a udev monitor, a connection that hangs) is interrupted */
	if (__atomic_load_n(&a->bmc_state, __ATOMIC_ACQUIRE) != BMC_OK)
		hf_client_interrupt(a->client);
	ride_stop(a);
	away = __atomic_load_n(&a->bmc_state, __ATOMIC_ACQUIRE) == BMC_OK ? NULL
									  : ride_state_name(a);
	rc = subscribe_stop(a); /* before the logout: it needs the session */

	/* the session goes, even if a connection thread is still stuck writing to a client */
	r = gate_acquire_now(&a->gate, now_ms() + 1000);
	if (hf_client_session(a->client, NULL, NULL) == 0) {
		int lr = hf_client_logout(a->client);

		if (lr < 0) {
			const hf_error *e = hf_client_last_error(a->client);

			if (away)
				agent_log(ALOG_WARN, "the BMC is still away (%s): the session could "
						     "not be logged out (%s); its journal entry "
						     "stays for 'hostfish sessions prune' (a reset "
						     "ends the session on the BMC anyway)",
					  away, e->message);
			else
				agent_log(ALOG_ERR, "logout failed, the session may remain on the "
						    "BMC: %s",
					  e->message);
			rc = tools_exit_code_of_kind(e->kind);
		} else {
			agent_log(ALOG_NOTICE, "logged out");
		}
	}
	if (r == 0)
		gate_release(&a->gate, NULL);
	if (remaining > 0) {
		/* threads still use the client: leave it to the exit */
		agent_log(ALOG_WARN, "%d client connections did not finish in time", remaining);
		return rc;
	}
	hf_client_free(a->client);
	a->client = NULL;
	return rc;
}

static int agent_init(struct agent *a)
{
	pthread_condattr_t attr;

	a->listen_fd = -1;
	a->metrics_fd = -1;
	a->self_uid = geteuid();
	a->start_ms = now_ms();
	a->start_wall = (int64_t)time(NULL);
	pthread_mutex_init(&a->clients_lock, NULL);
	pthread_mutex_init(&a->groups_lock, NULL);
	pthread_mutex_init(&a->ride_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->clients_cond, &attr);
	pthread_condattr_destroy(&attr);
	gate_init(&a->gate, a->cfg.max_connections, a->cfg.max_queue);
	a->per_uid = calloc((size_t)a->cfg.max_clients, sizeof(*a->per_uid));
	if (!a->per_uid)
		return -ENOMEM;
	if (bodies_init(a) < 0 || flight_init(a) < 0 || metrics_init(a) < 0)
		return -ENOMEM;
	a->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return a->stop_fd < 0 ? -errno : 0;
}

/* Defaults, options, environment, credentials, socket path, log file: 0 or the exit code. */
static int configure(struct agent *a, struct tools_bmc *bo, int argc, char **argv)
{
	const char *runtime_dir;
	int rc;

	a->cfg = (struct agent_config){
		.max_connections = 6, /* of the host's 8: room for direct logins and uploads */
		.max_queue = 64,
		.max_clients = 128,
		.max_body = (size_t)16 << 20,
		.max_body_total = SIZE_MAX, /* not given: 8 x max_body */
		.client_timeout_ms = 30000,
		.timeout_ms = 30000,
		.group = "hostfish",
		.ro_group = "hostfish-ro",
		.metrics_interval_ms = 30000,
	};
	if (parse_options(&a->cfg, bo, argc, argv) < 0)
		return EXIT_USAGE;
	if (metrics_check_listen(&a->cfg) < 0)
		return EXIT_USAGE;
	if (a->cfg.max_body_total == SIZE_MAX)
		a->cfg.max_body_total = 8 * a->cfg.max_body;
	agent_log_init(a->cfg.verbose);
	if (tools_bmc_from_env(bo) < 0) {
		agent_log(ALOG_ERR, "out of memory");
		return EXIT_USAGE;
	}
	rc = check_credentials(bo);
	if (rc)
		return rc;
	runtime_dir = secure_getenv("HOSTFISH_RUNTIME_DIR");
	if (!runtime_dir || !*runtime_dir)
		runtime_dir = DEFAULT_RUNTIME_DIR;
	a->cfg.runtime_dir = runtime_dir;
	if (!a->cfg.socket_path) {
		if ((size_t)snprintf(default_socket, sizeof(default_socket), "%s/%s", runtime_dir,
				     SOCKET_NAME) >= sizeof(default_socket)) {
			agent_log(ALOG_ERR, "HOSTFISH_RUNTIME_DIR is too long");
			return EXIT_USAGE;
		}
		a->cfg.socket_path = default_socket;
	}
	if (a->cfg.log_file && agent_log_open(a->cfg.log_file) < 0)
		return EXIT_USAGE;
	return EXIT_OK;
}

/* The socket (ours, or systemd's made accessible to --ro-group) and --metrics-listen's: 0 or
 * the exit code. */
static int listen_sockets(struct agent *a)
{
	if (a->activated)
		authz_grant_ro_group(a, a->cfg.socket_path);
	else if (server_listen(a) < 0)
		return EXIT_TRANSPORT;
	return metrics_listen(a) < 0 ? EXIT_TRANSPORT : EXIT_OK;
}

int main(int argc, char **argv)
{
	static struct agent agent;
	struct agent *a = &agent;
	struct tools_bmc bo;
	static char activated_socket[4096];
	pthread_t probe;
	bool have_probe = false, stopped = false;
	sigset_t mask;
	int sig_fd = -1, act_fd = -1, rc, sig, r;

	/* it holds the BMC password and session token: no core dump, no ptrace or /proc/PID/mem
	 * by other processes of its user (the kernel makes /proc/PID/ root's) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		fprintf(stderr, "hostfishd: cannot make itself non-dumpable: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	tools_bmc_init(&bo);
	a->listen_fd = -1;
	a->metrics_fd = -1;
	rc = configure(a, &bo, argc, argv);
	if (rc)
		goto out;
	/* started by hostfishd.socket: serve the socket systemd listens on */
	r = activation_listen_fd(&act_fd, activated_socket, sizeof(activated_socket));
	if (r < 0) {
		rc = EXIT_TRANSPORT;
		goto out;
	}
	if (r > 0) {
		if (a->cfg.socket_path != default_socket &&
		    strcmp(a->cfg.socket_path, activated_socket) != 0)
			agent_log(ALOG_WARN, "socket-activated on %s: --socket %s is not used",
				  activated_socket, a->cfg.socket_path);
		a->cfg.socket_path = activated_socket;
	}

	/* bounded memory: big buffers (bodies) always come from mmap and go back at free */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 4);

	/* signals: collected by the main thread only, through a signalfd */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0 || agent_init(a) < 0) {
		agent_log(ALOG_ERR, "cannot set up: %s", strerror(errno));
		rc = EXIT_TRANSPORT;
		goto out;
	}

	if (act_fd >= 0) {
		a->listen_fd = act_fd;
		a->activated = true;
		act_fd = -1;
	} else {
		/* before the library makes the runtime directory 0700 */
		prepare_socket_dir(a->cfg.socket_path, a->cfg.socket_path == default_socket);
	}
	rc = create_client(a, &bo);
	tools_bmc_clear(&bo); /* the client has its own copies */
	if (rc)
		goto out;
	authz_resolve_groups(a);
	rc = listen_sockets(a);
	if (rc)
		goto out;
	agent_log(ALOG_NOTICE,
		  "listening on %s%s for %s (%s); %d BMC connections, queue %d, %d clients, "
		  "cache %s",
		  a->cfg.socket_path, a->activated ? " (socket-activated)" : "",
		  hf_client_endpoint(a->client), hf_client_transport(a->client),
		  a->cfg.max_connections, a->cfg.max_queue, a->cfg.max_clients,
		  a->cfg.cache_ttl_ms ? "on" : "off");
	if (subscribe_start(a) < 0) {
		rc = EXIT_TRANSPORT;
		goto out;
	}
	have_probe = pthread_create(&probe, NULL, probe_thread, a) == 0;
	if (!have_probe)
		probe_done = 1;
	logfwd_start(a);

	sig = server_run(a, sig_fd);
	rc = stop(a, sig_fd, sig, probe, have_probe);
	stopped = true;
	agent_log(ALOG_NOTICE, "stopped");
	if (a->client) {
		/* connection threads still run: no exit handlers under their feet */
		agent_log_close();
		_exit(rc);
	}
	gate_destroy(&a->gate);
	free(a->per_uid);
	bodies_destroy(a);
	flight_destroy(a);
	metrics_destroy(a);
out:
	if (!stopped && a->client) {
		hf_client_free(a->client);
		a->client = NULL;
	}
	tools_bmc_clear(&bo);
	if (sig_fd >= 0)
		close(sig_fd);
	if (a->stop_fd > 0)
		close(a->stop_fd);
	if (act_fd >= 0)
		close(act_fd);
	if (a->listen_fd >= 0)
		close(a->listen_fd);
	if (a->metrics_fd >= 0)
		close(a->metrics_fd);
	agent_log_close();
	return rc;
}
