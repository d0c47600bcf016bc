/* SPDX-License-Identifier: MIT */
/*
 * tools.h - helpers shared by the hostfish and hostfishd programs.  Like the programs, they
 * use only the public API (hostfish.h).
 */
#ifndef HOSTFISH_TOOLS_H
#define HOSTFISH_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of both programs, documented in their --help and man pages. */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1, /* usage or invalid input: nothing was sent */
	EXIT_HTTP_4XX = 2,
	EXIT_HTTP_5XX = 3,
	EXIT_AUTH = 4, /* authentication required, rejected or expired */
	EXIT_TRANSPORT = 5, /* transport unavailable, connection or TLS failure */
	EXIT_TIMEOUT = 6,
};

/* The exit code of an enum hf_error_kind. */
int tools_exit_code_of_kind(int kind);

/* A decimal number within [min, max]; false for anything else. */
bool tools_parse_long(const char *s, long min, long max, long *ret);

/* An --auth name ("session", "basic", "cert", "none") as enum hf_auth, or -1. */
int tools_parse_auth(const char *name);

/* Wipe and free a secret; NULL is fine. */
void tools_wipe_free(char *s);

/*
 * The first line of a file, for passwords and passphrases (caller frees with
 * tools_wipe_free()).  NULL on failure, with the reason in err.  *others_can_read (may be
 * NULL) tells whether the file is readable by group or others, for a warning.
 */
char *tools_read_secret_file(const char *path, bool *others_can_read, char *err, size_t errlen);

/*
 * Open a log file for appending (--log-file of both programs): created 0600, an existing one
 * made 0600.  Refused, with the reason in err: a symbolic link, anything but a regular file
 * (a FIFO is refused at once, never waited on), a file owned by another user.  Returns the
 * descriptor (blocking, close-on-exec) or -1.
 */
int tools_open_log_file(const char *path, char *err, size_t errlen);

#endif /* HOSTFISH_TOOLS_H */
