/* SPDX-License-Identifier: MIT */
/*
 * creds-store.c - IPMI bootstrap credentials kept between runs, one file per BMC.
 *
 * DSP0270's "Get Bootstrap Account Credentials" creates a new BMC account on every call, and
 * BMCs allow only a few, which live until the host resets.  So the credentials it gives are
 * kept in STATE_DIR/hostif-UUID-ADDR-PORT.bootstrap (the pin file's name, another suffix):
 * "user NAME\npassword PASSWORD\n", 0600 in a 0700 directory, written atomically.  A file
 * that is not a private regular file of our uid is ignored (and never overwritten in place:
 * hf_write_atomic() renames over it).  STATE_DIR/...bootstrap.lock serialises "load, else ask
 * IPMI and save" between processes, so that two commands started together create one account.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-write.h"
#include "creds.h"

#define STORE_MAX 512

/* A user name or password as the IPMI answer allows it: 1-16 bytes of printable ASCII. */
static bool word_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > HF_IPMI_BOOTSTRAP_FIELD)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The value of the line "KEY VALUE" in text, or NULL. */
static char *line_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			if (!word_ok(p + klen + 1, len - klen - 1))
				return NULL;
			return hf_strndup(p + klen + 1, len - klen - 1);
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

int hf_creds_store_load(const char *path, struct hf_creds *c, char *why, size_t whylen)
{
	char text[STORE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	memset(c, 0, sizeof(*c));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(why, whylen, "ignoring %s: not a private regular file of uid %u", path,
			 (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	n = read(fd, text, STORE_MAX + 1);
	close(fd);
	if (n < 0 || n > STORE_MAX) {
		snprintf(why, whylen, "ignoring %s: %s", path,
			 n < 0 ? strerror(errno) : "too large");
		r = n < 0 ? -errno : -EBADMSG;
		goto out;
	}
	text[n] = '\0';
	c->username = line_value(text, "user");
	c->password = line_value(text, "password");
	if (!c->username || !c->password) {
		hf_creds_clear(c);
		snprintf(why, whylen, "ignoring %s: no valid user and password lines", path);
		r = -EBADMSG;
		goto out;
	}
	c->source = "ipmi-bootstrap";
	c->kept = true;
	r = 1;
out:
	hf_wipe(text, sizeof(text));
	return r;
}

int hf_creds_store_save(const char *dir, const char *path, const struct hf_creds *c,
			const char *what, char *why, size_t whylen)
{
	struct hf_buf text = { 0 };
	int r;

	r = hf_private_dir(dir, why, whylen);
	if (r < 0)
		return r;
	if (hf_buf_printf(&text,
			  "# IPMI bootstrap credentials of the %s (DSP0270): hostfish reuses "
			  "them until the BMC refuses them\nuser %s\npassword %s\n",
			  what ? what : "BMC", c->username, c->password) < 0)
		return -ENOMEM;
	r = hf_write_atomic(path, text.data, text.len);
	if (r < 0)
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(-r));
	hf_wipe(text.data, text.len);
	hf_buf_free(&text);
	return r;
}

int hf_creds_store_lock(const char *dir, const char *path, char *why, size_t whylen)
{
	char lock[4096];
	int fd, r;

	r = hf_private_dir(dir, why, whylen);
	if (r < 0)
		return r;
	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >= sizeof(lock))
		return -ENAMETOOLONG;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot open %s: %s", lock, strerror(errno));
		return r;
	}
	/* held at most as long as one IPMI exchange (bounded by its timeout) */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			snprintf(why, whylen, "cannot lock %s: %s", lock, strerror(errno));
			close(fd);
			return r;
		}
	}
	return fd;
}
