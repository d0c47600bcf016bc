/* SPDX-License-Identifier: MIT */
/*
 * cli.h - the hostfish command-line client.  It uses only the public API (hostfish.h).
 */
#ifndef HOSTFISH_CLI_H
#define HOSTFISH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <hostfish.h>

#include "bmc-options.h"
#include "tools.h" /* exit codes, shared helpers */

#define MAX_HEADERS 64

struct cli {
	/* options */
	struct tools_bmc bmc; /* how to reach the BMC: --url, --user... (bmc-options.h) */
	const char *headers[MAX_HEADERS + 1];
	size_t n_headers;
	bool json;
	bool include;
	int verbose;
	const char *log_file;
	bool no_session_cache;
	bool no_progress; /* --no-progress */

	/* state */
	hf_client *client;
	int log_fd;
	bool session_from_cache; /* the client resumed a cached session */
	char *cached_token; /* what the cache held, to notice a re-login */
};

/* hostfish.c: the signal (SIGINT, SIGTERM) that interrupted the command, or 0 */
int cli_interrupted(void);

/* output.c */
void cli_print_json(struct json_object *obj);
void cli_print_response(const struct cli *cli, const hf_response *resp);
/* Print the BMC's error for a response, and return the exit code of its status.  Messages
 * sent as a MessageId only are completed first from the BMC's registries
 * (hf_client_resolve_messages() with the client given to cli_output_set_client()). */
int cli_report_response(hf_response *resp);
void cli_output_set_client(hf_client *client);
/* The response's path to print: secret query values masked.  free() it; NULL: no memory. */
char *cli_shown_path(const hf_response *resp);
/* Print the client's last error, and return its exit code. */
int cli_report_error(const struct cli *cli, int code, const char *what);
int cli_exit_code_of_status(int status);
/*
 * stdout (when a terminal) and stderr go through tools_safe_stream(): nothing hostfish prints
 * can put a control character from the BMC on the terminal.  cli_raw_stderr is the stream
 * before that, for the progress line's own \r and erase sequence.
 */
void cli_output_init(void);
extern FILE *cli_raw_stderr;
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * progress.c: a progress line on stderr for long operations, only on a terminal and without
 * --no-progress (cli_progress_new() then returns NULL, and the other calls accept NULL).
 * unit "B" scales bytes; any other unit is printed after the count ("resources").
 */
struct cli_progress;
bool cli_progress_wanted(const struct cli *cli);
struct cli_progress *cli_progress_new(const struct cli *cli, const char *label, const char *unit);
void cli_progress_update(struct cli_progress *p, double done, double total);
void cli_progress_end(struct cli_progress *p);
/* An hf_progress_fn over a struct cli_progress (userdata, may be NULL); cancels the
 * operation once SIGINT/SIGTERM arrived. */
int cli_progress_cb(void *userdata, const char *phase, double done, double total);

/* cache.c: sessions kept across commands ("hostfish login") */
struct cli_cached_session {
	char *token;
	char *uri;
	char *bmc;
	char *user;
};
/* 1 found, 0 none, negative errno (message printed). */
int cli_cache_load(const char *bmc, const char *user, struct cli_cached_session *ret);
int cli_cache_store(const char *bmc, const char *user, const char *token, const char *uri);
int cli_cache_remove(const char *bmc, const char *user);
int cli_cache_lock(const char *bmc, const char *user, long wait_ms);
/* Resume the session "hostfish login" kept for this BMC and user, if there is one. */
void cli_resume_cached_session(struct cli *cli);
/* How long the CLI waits for a shared resource (--slot-wait, else a minute). */
#define HF_CLI_DEFAULT_WAIT_MS 60000L
long cli_wait_ms(const struct cli *cli);
void cli_cached_session_clear(struct cli_cached_session *s);
/* The cache file's path for (bmc, user); caller frees. */
char *cli_cache_path(const char *bmc, const char *user);
/* Leave the client's session on the BMC, held by the cache file just stored (once that file
 * no longer holds it, sessions prune deletes it). */
void cli_cache_keep(hf_client *client, const char *bmc, const char *user);

/* commands.c */
int cmd_request(struct cli *cli, const char *method, int argc, char **argv);
int cmd_login(struct cli *cli, int argc, char **argv);
int cmd_logout(struct cli *cli, int argc, char **argv);
int cmd_sessions(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);

/* task.c: following tasks (202 Accepted) */
#define CLI_DEFAULT_WAIT_S 1800L /* --wait-timeout: bound on a whole wait */
bool cli_parse_wait_timeout(const char *arg, long *ret);
/* Follow the task a 202 started; exit code: 0 Completed, 3 ended otherwise (2, 4 when the
 * monitor answered 4xx), 6 timeout. */
int cli_wait_task(struct cli *cli, const hf_response *accepted, long timeout_s);
/* The exit code of a final task answer, with its Messages printed when it failed. */
int cli_task_outcome(const struct cli *cli, hf_response *final);
int cmd_task(struct cli *cli, int argc, char **argv);
/* firmware.c */
int cmd_firmware(struct cli *cli, int argc, char **argv);
/* flash.c: "firmware flash" (argv[0] is "flash") */
int cli_firmware_flash(struct cli *cli, int argc, char **argv);
/* fwmgmt.c: "firmware repo|queue|installset|window|pull" (argv[0] is the word) */
int cli_firmware_manage(struct cli *cli, int argc, char **argv);

/* discover.c, hostif.c: commands that need no client (they run before one is created) */
int cmd_discover(struct cli *cli, int argc, char **argv);
int cmd_hostif(struct cli *cli, int argc, char **argv);
/* appaccount.c */
int cmd_appaccount(struct cli *cli, int argc, char **argv);
/* cert.c: cert https csr|import|show, cert login, cert ca-import, cert user-map; license */
int cmd_cert(struct cli *cli, int argc, char **argv);
int cmd_license(struct cli *cli, int argc, char **argv);
/* apply.c */
int cmd_apply(struct cli *cli, int argc, char **argv);
/* bmc.c: bmc reset */
int cmd_bmc(struct cli *cli, int argc, char **argv);
/* watch.c: inventory, sensors, metrics [--textfile DIR] */
int cmd_inventory(struct cli *cli, int argc, char **argv);
int cmd_sensors(struct cli *cli, int argc, char **argv);
int cmd_metrics(struct cli *cli, int argc, char **argv);
/* account.c */
int cmd_account(struct cli *cli, int argc, char **argv);
/* export.c */
int cmd_export(struct cli *cli, int argc, char **argv);
/* crawl.c */
int cmd_crawl(struct cli *cli, int argc, char **argv);
/* logs.c: logs services|list|follow|clear|repair|note; one line (or, with --json, one
 * JSON object) per log entry or event, the format events follow shares */
int cmd_logs(struct cli *cli, int argc, char **argv);
void cli_print_log_entry(const struct cli *cli, struct json_object *entry);
/* logs follow: every SEC seconds, what is new in the log services (service NULL: all) since
 * the kept cursors; until interrupted.  An exit code. */
int cli_logs_follow(struct cli *cli, const char *service, long interval_s);
/* events.c: events follow */
int cmd_events(struct cli *cli, int argc, char **argv);

#endif /* HOSTFISH_CLI_H */
