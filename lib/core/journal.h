/* SPDX-License-Identifier: MIT */
/*
 * journal.h - the record of every session this host creates (journal.c).  The journal knows
 * an endpoint, the sessions it is told about, and, for pruning, whoever can delete one: not
 * the client.
 */
#ifndef HF_JOURNAL_H
#define HF_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "hostfish-private.h"

struct json_object;

/* One endpoint's journal, as one owner of sessions sees it. */
struct hf_journal {
	const char *endpoint; /* the BMC (the directory's key); the owner keeps it alive */
	const struct hf_logger *log;
	int lock_fd; /* the lock of the entry of the session we own, or -1 */
};

/* A session as the journal records it (user and uri may be NULL). */
struct hf_journal_session {
	const char *token;
	const char *uri;
	const char *user;
	/* a kept session: the file that holds it (a session cache); once that file no longer
	 * holds the token, the session is an orphan.  NULL: kept until logged out. */
	const char *holder;
};

/* Who deletes sessions for hf_journal_prune(). */
struct hf_journal_deleter {
	void *ctx;
	/* DELETE uri authenticated with token: the BMC's status, or a negative errno */
	int (*delete_with)(void *ctx, const char *token, const char *uri);
	/* the URI of token's session, or NULL (a string to free) */
	char *(*uri_of)(void *ctx, const char *token);
	/* a session whose own token is refused: gone, or deleted now (1), or not known (0);
	 * NULL: such an orphan is kept */
	int (*confirm_gone)(void *ctx, const char *uri);
	/* the deleter's own session's token, never an orphan (NULL: none) */
	const char *own_token;
};

/* The token just arrived: record it as ours, and take its lock. */
int hf_journal_record(struct hf_journal *j, struct hf_journal_session s);
/* The URI was learnt (kept false), or the session was handed to a cache (kept true: the lock
 * goes, the cache answers for it). */
int hf_journal_update(struct hf_journal *j, struct hf_journal_session s, bool kept);
/* The session is gone: its entry too. */
void hf_journal_remove(struct hf_journal *j, const char *token);
/* Drop our lock: the entry stays, an orphan for prune. */
void hf_journal_forget(struct hf_journal *j);
/* Delete the orphans (entries nobody holds) with their own tokens; one whose token is
 * refused is asked about with d->confirm_gone.  Counts what was deleted and what failed;
 * -EIO when something failed, another errno (and ERR) when the journal cannot be read. */
int hf_journal_prune(struct hf_journal *j, const struct hf_journal_deleter *d,
		     unsigned *deleted, unsigned *failed, char *err, size_t errlen);

/* Replace path (a file in the journal directory dir) with text: atomically, fsynced unless
 * dir is on tmpfs. */
int hf_journal_write(const char *dir, const char *path, const char *text, size_t len);
/* The journal directory of an endpoint (created private); a journal file, parsed (NULL when
 * unreadable); removing NAME.json, then NAME.lock, in dir. */
int hf_journal_dir(const char *endpoint, char **ret, char *err, size_t errlen);
struct json_object *hf_journal_read(const char *path);
void hf_journal_remove_files(const char *dir, const char *name);

#endif
