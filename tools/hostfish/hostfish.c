/* SPDX-License-Identifier: MIT */
/*
 * hostfish.c - command-line entry point: options, credentials, logging, session cache.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

static const char usage_head[] =
	"Usage: hostfish [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"Talk Redfish to this server's BMC (HPE iLO, DSP0270 BMCs) or to a BMC given by URL.\n"
	"\n"
	"Commands:\n"
	"  get PATH               GET a resource and print it as JSON\n"
	"  head PATH              HEAD a resource (with -i: print the headers)\n"
	"  delete PATH            DELETE a resource\n"
	"  post PATH BODY         POST; BODY is JSON text, @FILE, or - for stdin\n"
	"  put PATH BODY          PUT\n"
	"  patch PATH BODY        PATCH\n"
	"                         post, put, patch and delete take --wait [--wait-timeout SEC]\n"
	"                         before PATH: a 202 Accepted is followed to the task's end\n"
	"  login                  create a session and keep it for later commands\n"
	"  logout                 delete the kept session on the BMC and locally\n"
	"  sessions               list the BMC's sessions; '*' marks your own\n"
	"  sessions prune [--all] delete sessions this host created and nobody owns any more\n"
	"                         (left by killed processes); --all: every session but your\n"
	"                         own (needs an administrator's credentials)\n"
	"  status                 manager type and firmware, system model, power, health\n"
	"  discover [--json]      SMBIOS Type 42 host interfaces, their NIC, iLO PCI devices,\n"
	"                         CHIF, credential sources, and the transport auto would use\n"
	"  hostif up              bring the host interface's NIC up with the record's host\n"
	"                         address (root)\n"
	"  hostif trust           pin the certificate the BMC presents on the host interface\n"
	"  appaccount create|delete|status\n"
	"                         HPE application account (iLO 7) in the host's TPM, through\n"
	"                         HPE's library; create needs an iLO user's credentials\n"
	"  cert https csr --common-name CN --country CC --state ST --city L --org O\n"
	"         [--org-unit OU] [--include-ip] [--out FILE] [--wait SEC]\n"
	"                         have the BMC make a key and a CSR for its HTTPS certificate;\n"
	"                         waits for it (default 600 s) and prints it or writes FILE\n"
	"  cert https import [--wait] [--wait-timeout SEC] FILE\n"
	"                         import the signed HTTPS certificate (PEM, checked first);\n"
	"                         --wait: across the iLO's reset, then check it is presented\n"
	"  cert https show        subject, issuer, validity, SHA-256 of the BMC's certificate\n"
	"  cert login enable|disable  certificate login (iLO Advanced licence)\n"
	"  cert ca-import FILE    trust a CA for users' client certificates\n"
	"  cert user-map USER FILE  map a client certificate (its SHA-256) to USER\n"
	"  license [show]         the BMC's licence (key shown masked)\n"
	"  license install KEY|-  install a licence key (-: read it from stdin, which keeps it\n"
	"                         out of the process list)\n"
	"  apply [--dry-run] [--detailed-exitcodes] FILE\n"
	"                         bring resources to the state FILE (- for stdin) describes:\n"
	"                         {\"/redfish/v1/PATH\": {properties}}; PATCH only what differs,\n"
	"                         with If-Match; --dry-run: print the differences only;\n"
	"                         --detailed-exitcodes: exit 0 unchanged, 2 changed, 4 failed\n"
	"                         (instead of the codes below; 1 still means invalid input)\n"
	"  apply --results [--detailed-exitcodes] FILE\n"
	"                         after a reboot: which values of FILE are applied, pending,\n"
	"                         refused (by @Redfish.Settings Messages) or not applied;\n"
	"                         exit 2 when any was refused (--detailed-exitcodes: 0 all\n"
	"                         applied, 2 pending, 4 refused)\n"
	"  firmware upload [--compsig FILE] [--target URI]... [--wait] [--wait-timeout SEC]\n"
	"                  FILE   upload a firmware file to the UpdateService, streamed from\n"
	"                         disk (HPE's form, or DMTF multipart push); refused while the\n"
	"                         BMC is busy updating (exit 2); --wait follows the update to\n"
	"                         its end; through hostfishd where it runs (streamed)\n"
	"  firmware flash [--compsig FILE] [--recovery-set] [--tpm-override] [--wait]\n"
	"                 [--wait-timeout SEC] FILE\n"
	"                         flash an HPE .fwpkg as HPE's tools do: types A/B flashed at\n"
	"                         once, C queued for the next server boot, D refused (exit 2);\n"
	"                         a bad package: exit 1, nothing uploaded\n"
	"  firmware list          the firmware inventory (with --json: as JSON)\n"
	"  firmware repo list | repo delete NAME\n"
	"                         the iLO's component repository; a Locked component (held by\n"
	"                         a queue item or an install set) is not deleted (exit 2)\n"
	"  firmware queue list | queue clean | queue add [--tpm-override] ITEM...\n"
	"                         the update task queue; ITEM: a component's FILENAME,\n"
	"                         wait=SECONDS or reboot; clean removes the Complete, Expired\n"
	"                         and Exception items; list says which item blocks the rest\n"
	"  firmware installset list | installset delete NAME\n"
	"  firmware installset create [--description TEXT] NAME ITEM...\n"
	"  firmware installset invoke [--window ID] [--clear-queue] [--tpm-override]\n"
	"                  [--recovery-set] [--start-after TIME] [--expire TIME] NAME\n"
	"                         install sets; invoke puts the set's items in the queue\n"
	"  firmware window list | window delete ID\n"
	"  firmware window create --start-after TIME [--expire TIME] [--description TEXT]\n"
	"                  NAME   maintenance windows; TIME: YYYY-MM-DDTHH:MM:SSZ (UTC)\n"
	"  firmware pull [--compsig-uri URI] [--repository-only] [--wait]\n"
	"                [--wait-timeout SEC] URI\n"
	"                         the BMC fetches the image from URI and applies it\n"
	"                         (SimpleUpdate, else iLO's AddFromUri)\n"
	"  task wait [--wait-timeout SEC] URI\n"
	"                         follow a task (monitor or Task URI) until it ends: exit 0\n"
	"                         when Completed, 3 when it ended otherwise (its Messages are\n"
	"                         printed), 6 after --wait-timeout (default 1800 s); polls as\n"
	"                         Retry-After says (1 s without it)\n"
	"  crawl [--jobs N] [--force] --out DIR [PATH]\n"
	"                         mirror the resources below PATH (default /redfish/v1/) into\n"
	"                         DIR in Redfish Mockup Creator layout, N connections (1-8,\n"
	"                         default 4); --force: DIR may be non-empty\n"
	"  bmc reset [--type TYPE] [--wait] [--wait-timeout SEC]\n"
	"                         reset the BMC (the manager's Manager.Reset, TYPE one of its\n"
	"                         allowed ResetType values, default GracefulRestart); --wait:\n"
	"                         until it is back, logged in again and answering (default\n"
	"                         300 s; 6 after it)\n"
	"  logs services          the BMC's log services (iLO: IML, Event, SL, IEL)\n"
	"  logs list [--service NAME] [--since CURSOR|TIME]\n"
	"                         log entries, oldest first (--json: with each log's cursor)\n"
	"  logs follow [--service NAME] [--interval SEC]\n"
	"                         print new entries as they come (every SEC s, default 10),\n"
	"                         from where the last follow stopped; a cleared or wrapped log\n"
	"                         is said on stderr\n"
	"  logs clear --service NAME   clear a log (#LogService.ClearLog)\n"
	"  logs repair [--service NAME] ID   mark an IML entry repaired\n"
	"  logs note [--service NAME] TEXT   add a maintenance note to the IML\n"
	"  inventory              system, BMC, processors, memory, storage, network adapters,\n"
	"                         power supplies, fans, temperatures, firmware (--json: all)\n"
	"  sensors                temperatures with thresholds, fans, power supplies, power\n"
	"                         consumption\n"
	"  metrics [--textfile DIR]\n"
	"                         the BMC's health and readings as Prometheus metrics, on\n"
	"                         stdout or written atomically to DIR/hostfish.prom (mode\n"
	"                         0644) for node_exporter's textfile collector\n"
	"  account ensure USER [--role ROLE] [--password-file FILE|-] [--enabled|--disabled]\n"
	"                         [--dry-run] [--detailed-exitcodes]\n"
	"                         the BMC's local account USER as given, changing only what\n"
	"                         differs (the password checked with one Basic GET as USER)\n"
	"  account absent USER [--dry-run] [--detailed-exitcodes]\n"
	"                         no account USER (deleted if there is one)\n"
	"  export [--out FILE] PATH...\n"
	"                         the writable, non-volatile properties of the resources as an\n"
	"                         apply FILE (BIOS: the attributes its registry lets be set)\n"
	"  events follow [--interval SEC]\n"
	"                         print the BMC's events as they come: its server-sent event\n"
	"                         stream when it has one (https, hostif), else new log entries\n"
	"                         every SEC s (default 10) as logs follow does\n"
	"\n"
	"Options:\n";

/* after the BMC options of the table (bmc-options.c) */
static const char usage_tail[] =
	"  -H, --header 'N: V'    add a request header (repeatable)\n"
	"  --json                 machine-readable output for status, sessions, login, apply,\n"
	"                         inventory, sensors, account, logs, events follow\n"
	"  -i, --include          print the status line and headers before the body\n"
	"  -v, --verbose          log every request and response to stderr (secrets masked)\n"
	"  --log-file FILE        log every request and response to FILE (mode 0600)\n"
	"  --direct               talk to the BMC directly even when hostfishd (the local agent)\n"
	"                         serves it\n"
	"  --no-progress          no progress line for long operations (it is shown only when\n"
	"                         stderr is a terminal)\n"
	"  --no-session-cache     do not use a session kept by 'login': own session, deleted\n"
	"                         at exit\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n"
	"\n"
	"Environment:\n"
	"  HOSTFISH_URL           default for --url\n"
	"  HOSTFISH_PASSWORD      the password for --user\n"
	"  HOSTFISH_RUNTIME_DIR   sessions, connection slots, session journal, hostfishd's socket\n"
	"                         (default /run/hostfish)\n"
	"  HOSTFISH_CHIF_LIBRARY  HPE's CHIF library (see --chif-library)\n"
	"  HOSTFISH_STATE_DIR     host-interface certificate pins, the BMC's message registries;\n"
	"                         crawls in its crawl/ feed the bash completion of paths\n"
	"                         (default /var/lib/hostfish)\n"
	"\n"
	"Exit codes:\n"
	"  0  success\n"
	"  1  usage or invalid input (nothing was sent)\n"
	"  2  HTTP 4xx other than authentication, or a redirect that was not followed;\n"
	"     firmware flash: a package or BMC state that refuses it (nothing uploaded);\n"
	"     firmware repo/queue/installset/window: a BMC state that refuses it (a Locked\n"
	"     component, a blocked queue, a name in use or missing; nothing sent)\n"
	"  3  HTTP 5xx\n"
	"  4  authentication required, rejected or expired\n"
	"  5  transport unavailable, connection or TLS failure\n"
	"  6  timeout\n"
	"  130, 143  interrupted by SIGINT or SIGTERM (the session was logged out first)\n";

#define FOLLOW_IDLE_MS 100L /* idle connections of follow closed after this */

enum {
	OPT_JSON = 256,
	OPT_LOG_FILE,
	OPT_NO_SESSION_CACHE,
	OPT_DIRECT,
	OPT_NO_PROGRESS,
};

/* hostfish's own options; the BMC options come from the shared table */
static const struct option own_options[] = {
	{ "header", required_argument, NULL, 'H' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "include", no_argument, NULL, 'i' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "no-session-cache", no_argument, NULL, OPT_NO_SESSION_CACHE },
	{ "direct", no_argument, NULL, OPT_DIRECT },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
#define N_OWN_OPTIONS (sizeof(own_options) / sizeof(own_options[0]))

static const struct {
	const char *name;
	const char *method; /* for raw verbs */
	int (*fn)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{ "get", "GET", NULL },		{ "head", "HEAD", NULL },
	{ "delete", "DELETE", NULL },	{ "post", "POST", NULL },
	{ "put", "PUT", NULL },		{ "patch", "PATCH", NULL },
	{ "login", NULL, cmd_login },	{ "logout", NULL, cmd_logout },
	{ "sessions", NULL, cmd_sessions }, { "status", NULL, cmd_status },
	{ "discover", NULL, cmd_discover }, { "hostif", NULL, cmd_hostif },
	{ "appaccount", NULL, cmd_appaccount },
	{ "cert", NULL, cmd_cert },	{ "license", NULL, cmd_license },
	{ "apply", NULL, cmd_apply },
	{ "firmware", NULL, cmd_firmware }, { "task", NULL, cmd_task },
	{ "crawl", NULL, cmd_crawl },	{ "bmc", NULL, cmd_bmc },
	{ "logs", NULL, cmd_logs },
	{ "inventory", NULL, cmd_inventory }, { "sensors", NULL, cmd_sensors },
	{ "metrics", NULL, cmd_metrics },
	{ "account", NULL, cmd_account }, { "export", NULL, cmd_export },
	{ "events", NULL, cmd_events },
};

/*
 * SIGINT/SIGTERM: abort the request in flight (hf_client_interrupt is async-signal-safe),
 * then main() logs out as usual and exits 128+signal.  A second signal interrupts the
 * logout too; the session is then reported as possibly left on the BMC.
 */
static hf_client *volatile signal_client;
static volatile sig_atomic_t got_signal;

static void on_signal(int signo)
{
	got_signal = signo;
	hf_client_interrupt(signal_client);
}

int cli_interrupted(void)
{
	return got_signal;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* An error of a BMC option, or a warning (a secret file others can read), on stderr. */
static void report_option(void *userdata, bool warning, const char *message)
{
	(void)userdata;
	(void)warning;
	cli_error("%s", message);
}

static void log_cb(void *userdata, int level, const char *message)
{
	struct cli *cli = userdata;

	if (level <= HF_LOG_WARNING || cli->verbose)
		fprintf(stderr, "%s\n", message);
	if (cli->log_fd >= 0) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
		dprintf(cli->log_fd, "%s %s\n", stamp, message);
	}
}

static int open_log_file(const char *path)
{
	char err[512];
	int fd = tools_open_log_file(path, err, sizeof(err));

	if (fd < 0)
		cli_error("%s", err);
	return fd;
}

static int parse_options(struct cli *cli, int argc, char **argv)
{
	struct option long_options[TOOLS_BMC_N_OPTIONS + N_OWN_OPTIONS];
	int c;

	if (tools_bmc_long_options(TOOLS_HOSTFISH, own_options, long_options,
				   TOOLS_BMC_N_OPTIONS + N_OWN_OPTIONS) < 0)
		abort(); /* the array is made to fit */
	while ((c = getopt_long(argc, argv, "+H:ivhV", long_options, NULL)) != -1) {
		if (tools_bmc_is_option(c)) {
			if (tools_bmc_set(&cli->bmc, c, optarg, report_option, cli) < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'H':
			if (cli->n_headers == MAX_HEADERS) {
				cli_error("too many headers (at most %d)", MAX_HEADERS);
				return -1;
			}
			if (strpbrk(optarg, "\r\n") || !strchr(optarg, ':')) {
				cli_error("invalid header '%s': expected 'Name: value' without CR or LF",
					  optarg);
				return -1;
			}
			cli->headers[cli->n_headers++] = optarg;
			break;
		case OPT_JSON:
			cli->json = true;
			break;
		case 'i':
			cli->include = true;
			break;
		case 'v':
			cli->verbose++;
			break;
		case OPT_LOG_FILE:
			cli->log_file = optarg;
			break;
		case OPT_NO_SESSION_CACHE:
			cli->no_session_cache = true;
			break;
		case OPT_DIRECT:
			cli->bmc.opts.direct = 1;
			break;
		case OPT_NO_PROGRESS:
			cli->no_progress = true;
			break;
		case 'h':
			fputs(usage_head, stdout);
			tools_bmc_help(stdout, TOOLS_HOSTFISH, TOOLS_BMC_HELP_ALL);
			fputs(usage_tail, stdout);
			exit(EXIT_OK);
		case 'V':
			printf("hostfish %s\n", hf_version());
			exit(EXIT_OK);
		default:
			fputs("Try 'hostfish --help'.\n", stderr);
			return -1;
		}
	}
	return 0;
}

static int create_client(struct cli *cli)
{
	hf_options o = cli->bmc.opts; /* what the options and the environment said */
	int r;

	o.log_fn = log_cb;
	o.log_userdata = cli;
	o.log_level = (cli->verbose || cli->log_fd >= 0) ? HF_LOG_DEBUG : HF_LOG_WARNING;

	r = hf_client_new(&cli->client, &o);
	if (r == -EINVAL)
		return EXIT_USAGE; /* the reason went through log_cb */
	if (r == -ENOTSUP)
		return EXIT_TRANSPORT;
	if (r == -EACCES)
		return EXIT_AUTH; /* the reason went through log_cb */
	if (r < 0) {
		cli_error("cannot create the client: %s", strerror(-r));
		return EXIT_TRANSPORT;
	}
	return EXIT_OK;
}

/* Resume the session "hostfish login" kept for this BMC and user, if there is one. */
void cli_resume_cached_session(struct cli *cli)
{
	struct cli_cached_session s = { 0 };

	if (cli->no_session_cache || !cli->bmc.opts.username ||
	    (cli->bmc.opts.auth != HF_AUTH_SESSION && cli->bmc.opts.auth != HF_AUTH_AUTO))
		return;
	if (cli_cache_load(hf_client_endpoint(cli->client), cli->bmc.opts.username, &s) <= 0)
		return;
	if (hf_client_resume_session(cli->client, s.token, s.uri) == 0) {
		cli->session_from_cache = true;
		cli->cached_token = strdup(s.token);
	}
	cli_cached_session_clear(&s);
}

long cli_wait_ms(const struct cli *cli)
{
	return cli->bmc.opts.slot_wait_ms > 0 ? cli->bmc.opts.slot_wait_ms : HF_CLI_DEFAULT_WAIT_MS;
}

/*
 * The cached session expired and this command logged in again: its session takes the old
 * one's place in the cache, unless a concurrent command got there first (the cache no longer
 * holds the token this command started with): then this one is logged out, not kept twice.
 */
static bool replace_cached(struct cli *cli, const char *token, const char *uri)
{
	struct cli_cached_session now = { 0 };
	bool stored = false;
	const char *user = cli->bmc.opts.username;
	int lock = cli_cache_lock(hf_client_endpoint(cli->client), user, cli_wait_ms(cli));

	if (lock < 0)
		return false;
	if (cli_cache_load(hf_client_endpoint(cli->client), user, &now) > 0 &&
	    strcmp(now.token, cli->cached_token) != 0)
		stored = false; /* replaced meanwhile: ours goes */
	else
		stored = cli_cache_store(hf_client_endpoint(cli->client), user, token, uri) == 0;
	cli_cached_session_clear(&now);
	close(lock);
	return stored;
}

/*
 * End of a command, for whatever session the client holds:
 *  - the cached session it resumed stays on the BMC for the next command;
 *  - a session that replaced an expired cached one takes its place in the cache;
 *  - the session "login" just stored stays too (cmd_login marked it kept);
 *  - any other session is deleted now, so that a failed DELETE is reported and changes the
 *    exit code instead of vanishing into hf_client_free().
 */
static int finish_session(struct cli *cli, bool logged_in, int rc)
{
	const char *token, *uri;
	int r;

	if (hf_client_session(cli->client, &token, &uri) < 0)
		return rc;
	if (logged_in)
		return rc;
	if (cli->session_from_cache) {
		if (strcmp(cli->cached_token, token) == 0)
			return rc;
		if (uri && replace_cached(cli, token, uri)) {
			cli_cache_keep(cli->client, hf_client_endpoint(cli->client),
				       cli->bmc.opts.username);
			return rc;
		}
	}
	r = hf_client_logout(cli->client);
	if (r < 0) {
		int lrc = cli_report_error(cli, r, "logout");

		if (rc == EXIT_OK)
			rc = lrc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = { .log_fd = -1 };
	size_t i;
	int rc;

	tools_bmc_init(&cli.bmc);
	cli_output_init();
	if (parse_options(&cli, argc, argv) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (optind >= argc) {
		cli_error("no command given");
		fputs("Try 'hostfish --help'.\n", stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		cli_error("unknown command '%s'", argv[optind]);
		fputs("Try 'hostfish --help'.\n", stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (tools_bmc_from_env(&cli.bmc) < 0) {
		cli_error("out of memory");
		rc = EXIT_USAGE;
		goto out;
	}
	if (cli.log_file) {
		cli.log_fd = open_log_file(cli.log_file);
		if (cli.log_fd < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (cli.bmc.opts.auth == HF_AUTH_BASIC && (!cli.bmc.opts.username || !cli.bmc.password)) {
		cli_error("basic authentication needs --user and a password (HOSTFISH_PASSWORD or "
			  "--password-file); nothing was sent");
		rc = EXIT_AUTH;
		goto out;
	}
	/* this process's own sessions: never the agent's */
	if (commands[i].fn == cmd_login || commands[i].fn == cmd_logout ||
	    (commands[i].fn == cmd_sessions && argc - optind > 1 &&
	     strcmp(argv[optind + 1], "prune") == 0))
		cli.bmc.opts.direct = 1;
	/* follow polls: no connection (nor its host-wide slot) is kept between polls */
	if ((commands[i].fn == cmd_logs || commands[i].fn == cmd_events) && argc - optind > 1 &&
	    strcmp(argv[optind + 1], "follow") == 0)
		cli.bmc.opts.idle_timeout_ms = FOLLOW_IDLE_MS;
	/* commands that need no client: they describe or prepare the host */
	if (commands[i].fn == cmd_discover || commands[i].fn == cmd_hostif ||
	    commands[i].fn == cmd_appaccount) {
		rc = commands[i].fn(&cli, argc - optind - 1, argv + optind + 1);
		goto out;
	}
	install_signal_handlers();
	rc = create_client(&cli);
	if (rc)
		goto out;
	signal_client = cli.client;
	if (got_signal) /* it came before the handler knew the client */
		hf_client_interrupt(cli.client);
	cli_output_set_client(cli.client);
	cli_resume_cached_session(&cli);

	if (commands[i].method)
		rc = cmd_request(&cli, commands[i].method, argc - optind - 1, argv + optind + 1);
	else
		rc = commands[i].fn(&cli, argc - optind - 1, argv + optind + 1);

	if (got_signal)
		cli_error("interrupted by signal %d: cleaning up", (int)got_signal);
	rc = finish_session(&cli, commands[i].fn == cmd_login && rc == EXIT_OK, rc);
	if (got_signal)
		rc = 128 + got_signal;
out:
	signal_client = NULL;
	hf_client_free(cli.client);
	tools_bmc_clear(&cli.bmc);
	tools_wipe_free(cli.cached_token);
	if (cli.log_fd >= 0)
		close(cli.log_fd);
	fflush(stdout);
	return rc;
}
