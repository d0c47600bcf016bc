/* SPDX-License-Identifier: MIT */
/*
 * journal.c - a record of every session this host creates, so that none is ever lost.
 *
 * When the BMC hands over a token, before anything else happens with it, the client writes
 *
 *     $HOSTFISH_RUNTIME_DIR/journal/<endpoint hash>/<token hash>.json   (0600, atomic)
 *
 * and holds an flock() on the sibling <token hash>.lock for as long as it owns the session.
 * A process that dies (SIGKILL, crash, power cut of the host excepted) drops the lock, so
 * "the lock can be taken" means "nobody owns this session any more": an orphan.  A session
 * handed to the session cache is marked "kept" and is not an orphan.  Entries go when the
 * session is deleted or found gone.  The token is kept so that an orphan can be deleted with
 * its own credentials; the directory is private (0700) like the session cache.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "journal.h"

#define ENTRY_MAX 65536

int hf_journal_dir(const char *endpoint, char **ret, char *err, size_t errlen)
{
	_cleanup_free_ char *parent = NULL;
	char key[33];
	int r;

	r = hf_endpoint_key(endpoint, key, sizeof(key));
	if (r < 0)
		return r;
	if (asprintf(&parent, "%s/journal", hf_runtime_dir()) < 0)
		return -ENOMEM;
	r = hf_private_dir(hf_runtime_dir(), err, errlen);
	if (r == 0)
		r = hf_private_dir(parent, err, errlen);
	if (r < 0)
		return r;
	if (asprintf(ret, "%s/%s", parent, key) < 0)
		return -ENOMEM;
	r = hf_private_dir(*ret, err, errlen);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}

int hf_journal_write(const char *dir, const char *path, const char *text, size_t len)
{
	/* on tmpfs (/run) an fsync buys nothing: the file lives in memory and dies with the
	 * host, as the sessions it records do (a BMC session does not outlive a power cut of
	 * its journal's host by much either) */
	return hf_write_atomic_flags(path, text, len, hf_on_tmpfs(dir) ? HF_WRITE_NO_FSYNC : 0);
}

static int write_entry(const char *dir, const char *name, struct json_object *obj)
{
	char path[4096];
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.json", dir, name) >= sizeof(path))
		r = -ENAMETOOLONG;
	else
		r = hf_journal_write(dir, path, text, len);
	hf_wipe((char *)text, len);
	return r;
}

static void token_name(const char *token, char *out, size_t outlen)
{
	/* the endpoint-key hash serves for tokens as well: 32 hex characters */
	if (hf_endpoint_key(token, out, outlen) < 0)
		snprintf(out, outlen, "invalid");
}

static struct json_object *entry_object(const struct hf_journal *j,
					const struct hf_journal_session *s, const char *state)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "bmc", json_object_new_string(j->endpoint));
	if (s->user)
		json_object_object_add(o, "user", json_object_new_string(s->user));
	json_object_object_add(o, "token", json_object_new_string(s->token));
	if (s->uri)
		json_object_object_add(o, "uri", json_object_new_string(s->uri));
	if (s->holder)
		json_object_object_add(o, "holder", json_object_new_string(s->holder));
	json_object_object_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	json_object_object_add(o, "created", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "state", json_object_new_string(state));
	return o;
}

void hf_journal_forget(struct hf_journal *j)
{
	if (j->lock_fd >= 0)
		close(j->lock_fd);
	j->lock_fd = -1;
}

int hf_journal_record(struct hf_journal *j, struct hf_journal_session s)
{
	_cleanup_free_ char *dir = NULL;
	struct json_object *o;
	char name[33], path[4096], err[512];
	int fd, r;

	if (!s.token)
		return -EINVAL;
	r = hf_journal_dir(j->endpoint, &dir, err, sizeof(err));
	if (r < 0) {
		hf_log_warning(j->log, "warning: sessions are not journaled (an orphan could not "
				       "be pruned later): %s",
			       err);
		return r;
	}
	token_name(s.token, name, sizeof(name));
	hf_journal_forget(j);
	snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	j->lock_fd = fd;
	o = entry_object(j, &s, "owned");
	r = write_entry(dir, name, o);
	json_object_put(o);
	if (r == 0)
		return 0;
fail:
	hf_log_warning(j->log, "warning: the session is not journaled in %s (if this process "
			       "is killed, sessions prune cannot find it): %s",
		       dir, strerror(-r));
	return r;
}

int hf_journal_update(struct hf_journal *j, struct hf_journal_session s, bool kept)
{
	_cleanup_free_ char *dir = NULL;
	struct json_object *o;
	char name[33], err[512];
	int r;

	if (!s.token)
		return 0;
	r = hf_journal_dir(j->endpoint, &dir, err, sizeof(err));
	if (r < 0)
		return r;
	token_name(s.token, name, sizeof(name));
	o = entry_object(j, &s, kept ? "kept" : "owned");
	r = write_entry(dir, name, o);
	json_object_put(o);
	if (r < 0)
		hf_log_warning(j->log, "warning: the session's journal entry in %s could not be "
				       "updated: %s",
			       dir, strerror(-r));
	/* kept: the session cache answers for it now; the lock says nothing any more */
	if (kept)
		hf_journal_forget(j);
	return r;
}

void hf_journal_remove_files(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
	unlink(path);
}

void hf_journal_remove(struct hf_journal *j, const char *token)
{
	_cleanup_free_ char *dir = NULL;
	char name[33], err[512];

	if (!token || hf_journal_dir(j->endpoint, &dir, err, sizeof(err)) < 0)
		return;
	token_name(token, name, sizeof(name));
	hf_journal_remove_files(dir, name);
	hf_journal_forget(j);
}

struct json_object *hf_journal_read(const char *path)
{
	char buf[ENTRY_MAX + 1];
	struct json_object *o;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n = fd >= 0 ? read(fd, buf, ENTRY_MAX) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	o = hf_json_parse(buf, n > 0 ? (size_t)n : 0);
	hf_wipe(buf, sizeof(buf)); /* it held a token */
	return o;
}

static char *entry_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

/*
 * Does the file HOLDER still hold TOKEN (a kept session's cache)?  Only a private regular
 * file of ours counts; one that is gone, replaced or unreadable holds nothing.
 */
static bool still_held(const char *holder, const char *token)
{
	char buf[ENTRY_MAX + 1];
	struct stat st;
	ssize_t n;
	bool held;
	int fd = open(holder, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return errno != ENOENT && errno != ENOTDIR; /* can't tell: assume it is held */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return false;
	}
	n = read(fd, buf, ENTRY_MAX);
	close(fd);
	held = n > 0 && memmem(buf, (size_t)n, token, strlen(token)) != NULL;
	hf_wipe(buf, sizeof(buf)); /* it held a token */
	return held;
}

/*
 * Delete one orphan with its own token.  1 deleted, 0 already gone (404), -EKEYREJECTED: the
 * token was refused (401), which does not prove the session gone; other negative: still
 * there, with *status the BMC's answer (0: none).
 */
static int delete_orphan(const struct hf_journal_deleter *d, const char *token, const char *uri,
			 int *status_out)
{
	int status = d->delete_with(d->ctx, token, uri);

	if (status < 0)
		return status;
	*status_out = status;
	if (status >= 200 && status < 300)
		return 1;
	if (status == 404)
		return 0; /* deleted meanwhile */
	if (status == 401)
		return -EKEYREJECTED; /* expired, or refused by a BMC that still counts it */
	return hf_status_errno(status);
}

int hf_journal_prune(struct hf_journal *j, const struct hf_journal_deleter *d,
		     unsigned *ret_deleted, unsigned *ret_failed, char *err, size_t errlen)
{
	_cleanup_free_ char *dir = NULL;
	unsigned deleted = 0, failed = 0;
	struct dirent *de;
	DIR *dd;
	int r;

	r = hf_journal_dir(j->endpoint, &dir, err, errlen);
	if (r < 0)
		return r;
	dd = opendir(dir);
	if (!dd) {
		r = -errno;
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(-r));
		return r;
	}
	while ((de = readdir(dd))) {
		char name[64], path[4096];
		struct json_object *o;
		char *token = NULL, *uri = NULL, *state = NULL, *holder = NULL;
		size_t len = strlen(de->d_name);
		int lfd, status;

		if (len != 37 || strcmp(de->d_name + 32, ".json") != 0)
			continue;
		snprintf(name, sizeof(name), "%.32s", de->d_name);
		/* our own session is not an orphan, whatever its lock says */
		snprintf(path, sizeof(path), "%s/%s.lock", dir, name);
		lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lfd < 0)
			continue;
		if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
			close(lfd); /* a live owner */
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = hf_journal_read(path);
		token = entry_string(o, "token");
		uri = entry_string(o, "uri");
		state = entry_string(o, "state");
		holder = entry_string(o, "holder");
		json_object_put(o);

		if (state && strcmp(state, "kept") == 0 &&
		    (!holder || !token || still_held(holder, token))) {
			/* the session cache's: "hostfish logout" deletes it.  One whose cache file
			 * no longer holds it (removed, replaced) is an orphan like any other. */
		} else if (!token || (d->own_token && strcmp(token, d->own_token) == 0)) {
			if (!token)
				/* unreadable: its owner died writing it */
				hf_journal_remove_files(dir, name);
		} else {
			if (!uri)
				uri = d->uri_of(d->ctx, token);
			status = 0;
			r = uri ? delete_orphan(d, token, uri, &status) : 0;
			if (r == -EKEYREJECTED && d->confirm_gone && d->confirm_gone(d->ctx, uri) == 1)
				r = 0; /* confirmed gone, or deleted, with the pruner's own session */
			if (r >= 0) {
				hf_log_info(j->log, "orphaned session %s: %s", uri ? uri : "(unknown)",
					    r ? "deleted" : "already gone");
				deleted += r;
				hf_journal_remove_files(dir, name);
			} else if (r == -EKEYREJECTED) {
				hf_log_warning(j->log, "orphaned session %s: the BMC refuses its token "
							"(401), which does not prove it gone; its entry "
							"stays until a prune with credentials confirms it",
					       uri);
				failed++;
			} else {
				if (status)
					hf_log_warning(j->log, "orphaned session %s could not be "
								"deleted: DELETE answered %d",
						       uri, status);
				else
					hf_log_warning(j->log, "orphaned session %s could not be "
								"deleted: %s",
						       uri, strerror(-r));
				failed++;
			}
		}
		if (token)
			hf_free_secret(token);
		free(uri);
		free(state);
		free(holder);
		close(lfd);
	}
	closedir(dd);
	if (ret_deleted)
		*ret_deleted = deleted;
	if (ret_failed)
		*ret_failed = failed;
	return failed ? -EIO : 0;
}
