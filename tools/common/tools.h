/* SPDX-License-Identifier: MIT */
/*
 * tools.h - helpers shared by the hostfish and hostfishd programs.  Like the programs, they
 * use only the public API (hostfish.h).
 */
#ifndef HOSTFISH_TOOLS_H
#define HOSTFISH_TOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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

/*
 * Text from the BMC, written so that it cannot steer a terminal: C0 control characters, DEL
 * and the C1 controls in their UTF-8 form (C2 80..C2 9F) become \xHH (\xc2\x9b for a C1).
 * Tabs are kept, and newlines when keep_newlines.  n bytes of s (embedded NULs escaped too).
 */
void tools_fput_safe(FILE *f, const char *s, size_t n, bool keep_newlines);
/* The same for a C string; NULL prints nothing. */
void tools_fputs_safe(FILE *f, const char *s);
/* JSON text with DEL and the C1 controls rewritten as \u007f, \u0080..\u009f (json-c writes
 * them raw; the value is the same).  Written to f. */
void tools_fput_json(FILE *f, const char *json);

/*
 * A stream on fd that writes everything through tools_fput_safe() (newlines kept), unbuffered:
 * replace stdout (when a terminal) and stderr with it, and no control character from the BMC
 * reaches the terminal whatever printed it.  A lone C2 byte at the very end of the output may
 * be held back (it could start a C1).  NULL when it cannot be made.
 */
FILE *tools_safe_stream(int fd);

#endif /* HOSTFISH_TOOLS_H */
