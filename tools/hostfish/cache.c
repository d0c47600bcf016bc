/* SPDX-License-Identifier: MIT */
/*
 * cache.c - sessions kept across commands.
 *
 * "hostfish login" stores the session token and URI (never the password) in
 * $HOSTFISH_RUNTIME_DIR/sessions/<hash of BMC and user>.json; later commands for the same
 * BMC and user reuse it.  Directories are 0700 and files 0600, owned by the caller; anything
 * else (a symlink, another owner, loose permissions) is refused, not "fixed".  Files are
 * written to a temporary name and renamed, so a reader never sees half a file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "cli.h"
#include "atomic-write.h"

#define CACHE_FILE_MAX 65536

static const char *runtime_dir(void)
{
	const char *d = secure_getenv("HOSTFISH_RUNTIME_DIR");

	if (d && *d)
		return d;
	return "/run/hostfish";
}

/*
 * Create (0700) or check a directory of ours.  strict: nobody else may even read it (the
 * sessions directory); otherwise nobody else may write it (the runtime directory, which
 * systemd may create 0755 so that group members reach hostfishd's socket).
 */
static int private_dir(const char *path, bool strict)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		cli_error("cannot create %s: %s", path, strerror(e));
		return -e;
	}
	if (lstat(path, &st) < 0) {
		int e = errno;

		cli_error("cannot inspect %s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (strict ? 0077 : 0022))) {
		cli_error("refusing to use %s: it must be a directory owned by uid %u with mode "
			  "%s (it is %s, uid %u, mode %04o)",
			  path, (unsigned)geteuid(), strict ? "0700" : "0700 or 0755",
			  S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
			  (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

static char *key_of(const char *bmc, const char *user)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *hex;
	unsigned i;

	if (!ctx)
		return NULL;
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, bmc, strlen(bmc)) || !EVP_DigestUpdate(ctx, "\n", 1) ||
	    !EVP_DigestUpdate(ctx, user, strlen(user)) || !EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	EVP_MD_CTX_free(ctx);
	hex = malloc(2 * 16 + 1);
	if (!hex)
		return NULL;
	for (i = 0; i < 16 && i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return hex;
}

char *cli_cache_path(const char *bmc, const char *user)
{
	char *key = key_of(bmc, user), *path = NULL;

	if (!key)
		return NULL;
	if (asprintf(&path, "%s/sessions/%s.json", runtime_dir(), key) < 0)
		path = NULL;
	free(key);
	return path;
}

static int ensure_dirs(void)
{
	char *sub = NULL;
	int r;

	r = private_dir(runtime_dir(), false);
	if (r < 0)
		return r;
	if (asprintf(&sub, "%s/sessions", runtime_dir()) < 0)
		return -ENOMEM;
	r = private_dir(sub, true);
	free(sub);
	return r;
}

void cli_cached_session_clear(struct cli_cached_session *s)
{
	if (s->token) {
		explicit_bzero(s->token, strlen(s->token));
		free(s->token);
	}
	free(s->uri);
	free(s->bmc);
	free(s->user);
	memset(s, 0, sizeof(*s));
}

static char *dup_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

int cli_cache_load(const char *bmc, const char *user, struct cli_cached_session *ret)
{
	struct cli_cached_session s = { 0 };
	struct json_object *obj = NULL;
	char buf[CACHE_FILE_MAX + 1];
	char *path;
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	path = cli_cache_path(bmc, user);
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : -errno;
		if (r < 0)
			cli_error("cannot read the session cache %s: %s", path, strerror(-r));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0077)) {
		cli_error("ignoring the session cache %s: not a private file of uid %u", path,
			  (unsigned)geteuid());
		r = 0;
		goto out;
	}
	n = read(fd, buf, CACHE_FILE_MAX);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	buf[n] = '\0';
	obj = json_tokener_parse(buf);
	explicit_bzero(buf, (size_t)n);
	s.token = dup_member(obj, "token");
	s.uri = dup_member(obj, "uri");
	s.bmc = dup_member(obj, "bmc");
	s.user = dup_member(obj, "user");
	/* the hash names the file; the content must agree, or it is not ours */
	if (!s.token || !s.uri || !s.bmc || !s.user || strcmp(s.bmc, bmc) != 0 ||
	    strcmp(s.user, user) != 0) {
		cli_error("ignoring the unreadable session cache %s", path);
		cli_cached_session_clear(&s);
		r = 0;
		goto out;
	}
	*ret = s;
	r = 1;
out:
	json_object_put(obj);
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

int cli_cache_store(const char *bmc, const char *user, const char *token, const char *uri)
{
	struct json_object *obj;
	char *path = NULL;
	const char *text;
	size_t len;
	int r;

	r = ensure_dirs();
	if (r < 0)
		return r;
	path = cli_cache_path(bmc, user);
	if (!path)
		return -ENOMEM;
	obj = json_object_new_object();
	json_object_object_add(obj, "bmc", json_object_new_string(bmc));
	json_object_object_add(obj, "user", json_object_new_string(user));
	json_object_object_add(obj, "uri", json_object_new_string(uri));
	json_object_object_add(obj, "token", json_object_new_string(token));
	json_object_object_add(obj, "created", json_object_new_int64((int64_t)time(NULL)));
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	len = text ? strlen(text) : 0;
	r = text ? hf_write_atomic(path, text, len) : -ENOMEM;
	if (r < 0)
		cli_error("cannot write the session cache %s: %s", path, strerror(-r));
	if (text)
		explicit_bzero((char *)text, len);
	json_object_put(obj);
	free(path);
	return r;
}

/*
 * One "hostfish login" at a time per BMC and user (sessions/locks/KEY.lock, flock): the second
 * one finds the first one's session in the cache instead of creating another.  Waits at
 * most wait_ms.  Returns the lock's descriptor (close it to release) or a negative errno.
 */
int cli_cache_lock(const char *bmc, const char *user, long wait_ms)
{
	char *key = key_of(bmc, user), *dir = NULL, *lock = NULL;
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	long waited = 0;
	int fd, r;

	/* in sessions/locks/: never removed (a waiter may hold an unlinked one), never
	 * mistaken for a session file */
	r = key ? ensure_dirs() : -ENOMEM;
	if (r == 0 && asprintf(&dir, "%s/sessions/locks", runtime_dir()) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = private_dir(dir, true);
	if (r == 0 && asprintf(&lock, "%s/%s.lock", dir, key) < 0)
		r = -ENOMEM;
	free(key);
	free(dir);
	if (r < 0)
		return r;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0) {
		r = -errno;
		cli_error("cannot open %s: %s", lock, strerror(-r));
		free(lock);
		return r;
	}
	/* polled, not blocking: a stopped holder must not hold us beyond wait_ms */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (r != -EWOULDBLOCK || waited >= wait_ms) {
			cli_error("%s: %s", lock,
				  r == -EWOULDBLOCK ? "another login for this BMC and user did not "
						      "finish in time"
						    : strerror(-r));
			close(fd);
			free(lock);
			return r == -EWOULDBLOCK ? -ETIMEDOUT : r;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	free(lock);
	return fd;
}

void cli_cache_keep(hf_client *client, const char *bmc, const char *user)
{
	char *path = cli_cache_path(bmc, user);

	if (!path || hf_client_keep_session_in(client, path) < 0)
		hf_client_keep_session(client, 1);
	free(path);
}

int cli_cache_remove(const char *bmc, const char *user)
{
	char *path = cli_cache_path(bmc, user);
	int r = 0;

	if (!path)
		return -ENOMEM;
	if (unlink(path) < 0 && errno != ENOENT) {
		r = -errno;
		cli_error("cannot remove %s: %s", path, strerror(-r));
	}
	free(path);
	return r;
}
