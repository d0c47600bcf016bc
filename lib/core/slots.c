/* SPDX-License-Identifier: MIT */
/*
 * slots.c - the host-wide cap on concurrent connections to one BMC.
 *
 * HPE documents at most eight concurrent in-band connections; every process on the host that
 * uses libhostfish shares them.  A connection holds one of eight lock files
 *
 *     $HOSTFISH_RUNTIME_DIR/slots/<hash of the endpoint>/slot-N      (N = 0..7)
 *
 * with flock() for as long as it is open, so a process killed with SIGKILL gives its slots
 * back at once (the kernel drops the locks with the file descriptors).
 *
 * Waiting is fair: a process that finds every slot taken draws a ticket (a counter file
 * updated under a short lock), creates wait-<ticket> and holds a lock on it while it waits.
 * Only the waiter with the smallest live ticket tries the slots; a ticket whose lock can be
 * taken belongs to a waiter that died and is removed by whoever notices.  So waiters are
 * served in the order they came, and none waits on the dead.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hostfish-private.h"

#define POLL_MS 10

/* The runtime directory: HOSTFISH_RUNTIME_DIR, else /run/hostfish. */
const char *hf_runtime_dir(void)
{
	const char *d = secure_getenv("HOSTFISH_RUNTIME_DIR");

	return d && *d ? d : "/run/hostfish";
}

int hf_private_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
		return -e;
	}
	if (lstat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot inspect %s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022)) {
		snprintf(err, errlen,
			 "refusing %s: it must be a directory of uid %u writable by nobody else",
			 path, (unsigned)geteuid());
		return -EPERM;
	}
	return 0;
}

int hf_endpoint_key(const char *endpoint, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (outlen < 33 || !EVP_Digest(endpoint, strlen(endpoint), md, &mdlen, EVP_sha256(), NULL))
		return -EINVAL;
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * (size_t)i, 3, "%02x", md[i]);
	return 0;
}

static int open_lockfile(const char *dir, const char *name, int flags)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	return open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
}

int hf_slots_init(struct hf_slots *s, const char *endpoint, int cap, long wait_ms,
		  const struct hf_logger *log)
{
	char key[33], err[512];
	int r;

	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->wait_ms = wait_ms;
	s->log = log;
	r = hf_endpoint_key(endpoint, key, sizeof(key));
	if (r < 0)
		return r;
	if (asprintf(&s->dir, "%s/slots/%s", hf_runtime_dir(), key) < 0) {
		s->dir = NULL;
		return -ENOMEM;
	}
	{
		_cleanup_free_ char *parent = NULL;

		if (asprintf(&parent, "%s/slots", hf_runtime_dir()) < 0)
			return -ENOMEM;
		r = hf_private_dir(hf_runtime_dir(), err, sizeof(err));
		if (r == 0)
			r = hf_private_dir(parent, err, sizeof(err));
		if (r == 0)
			r = hf_private_dir(s->dir, err, sizeof(err));
	}
	if (r < 0) {
		/* without a private directory the cap cannot be shared safely: say so, and
		 * let the connection proceed (the per-client limit still holds).  Root is
		 * expected to have one; an ordinary user talking out of band often has not. */
		hf_log(log, geteuid() == 0 ? HF_LOG_WARNING : HF_LOG_INFO,
		       "warning: the host-wide cap of %d connections to %s is not enforced: %s",
		       cap, endpoint, err);
		free(s->dir);
		s->dir = NULL;
	}
	return 0;
}

void hf_slots_fini(struct hf_slots *s)
{
	free(s->dir);
	s->dir = NULL;
}

/* Try every slot once without waiting.  Returns the locked fd or -EAGAIN. */
static int try_slots(const struct hf_slots *s)
{
	char name[32];
	int i, fd;

	for (i = 0; i < s->cap; i++) {
		snprintf(name, sizeof(name), "slot-%d", i);
		fd = open_lockfile(s->dir, name, O_CREAT);
		if (fd < 0)
			return fd == -1 ? -errno : fd;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

/* Draw the next ticket number. */
static long draw_ticket(const struct hf_slots *s)
{
	char buf[32];
	long t = 0;
	ssize_t n;
	int fd;

	fd = open_lockfile(s->dir, "ticket", O_CREAT);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		t = strtol(buf, NULL, 10);
	}
	t++;
	n = snprintf(buf, sizeof(buf), "%ld\n", t);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		t = -1;
	close(fd); /* drops the lock */
	return t;
}

/* Is ticket t the smallest live one?  Removes dead tickets on the way. */
static bool at_head(const struct hf_slots *s, long t)
{
	struct dirent *de;
	bool head = true;
	DIR *d = opendir(s->dir);

	if (!d)
		return true;
	while ((de = readdir(d))) {
		long other;
		char *end;
		int fd;

		if (strncmp(de->d_name, "wait-", 5) != 0)
			continue;
		other = strtol(de->d_name + 5, &end, 10);
		if (*end || other >= t)
			continue;
		fd = open_lockfile(s->dir, de->d_name, 0);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* its waiter died (or just left): not in the queue any more */
			unlinkat(dirfd(d), de->d_name, 0);
		} else {
			head = false;
		}
		close(fd);
		if (!head)
			break;
	}
	closedir(d);
	return head;
}

int hf_slots_acquire(struct hf_slots *s, const volatile int *interrupts, int interrupts_seen,
		     int *ret_fd)
{
	char name[48];
	int64_t deadline;
	long ticket;
	int fd, wfd, r;

	if (!s->dir) {
		*ret_fd = -1; /* not enforced (see hf_slots_init) */
		return 0;
	}
	fd = try_slots(s);
	if (fd != -EAGAIN) {
		if (fd < 0)
			return fd;
		*ret_fd = fd;
		return 0;
	}

	ticket = draw_ticket(s);
	if (ticket < 0)
		return -EIO;
	snprintf(name, sizeof(name), "wait-%ld", ticket);
	wfd = open_lockfile(s->dir, name, O_CREAT | O_EXCL);
	if (wfd < 0)
		return -errno;
	if (flock(wfd, LOCK_EX) < 0) {
		r = -errno;
		goto out;
	}
	hf_log_info(s->log, "all %d connections to the BMC are in use on this host; waiting "
			    "(ticket %ld)",
		    s->cap, ticket);
	deadline = hf_now_ms() + s->wait_ms;
	for (;;) {
		if (interrupts && *interrupts != interrupts_seen) {
			r = -EINTR;
			break;
		}
		if (at_head(s, ticket)) {
			fd = try_slots(s);
			if (fd >= 0) {
				*ret_fd = fd;
				r = 0;
				break;
			}
			if (fd != -EAGAIN) {
				r = fd;
				break;
			}
		}
		if (hf_now_ms() >= deadline) {
			r = -EBUSY;
			break;
		}
		hf_sleep_ms(POLL_MS);
	}
out:
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", s->dir, name);
		unlink(path);
	}
	close(wfd);
	return r;
}

void hf_slots_release(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}
