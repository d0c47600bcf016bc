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
 * updated under a short lock) and joins the queue with wait-<ticket>-<deadline>, a file it
 * holds a lock on while it waits.  The file is created and locked under a private name and
 * only then renamed into the queue, so no ticket can be judged dead between its creation and
 * its locking.  Only the waiter with the smallest live ticket tries the slots; a ticket whose
 * lock can be taken belongs to a waiter that died and is removed by whoever notices, and one
 * past its deadline (hf_now_ms(): CLOCK_MONOTONIC, one clock for the whole host) is passed
 * over, so a stopped process cannot hold up the queue.  No lock is waited for without a
 * bound: the ticket counter's is polled until the waiter's own deadline.
 *
 * A full runtime filesystem (no block for the counter, no inode for a ticket) costs the
 * fairness, not the cap: the waiter polls the slots without a place in the queue.
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
		 * let the connection proceed (the per-client limit still holds) */
		hf_log_warning(log, "warning: the host-wide cap of %d connections to %s is not "
				    "enforced: %s",
			       cap, endpoint, err);
		free(s->dir);
		s->dir = NULL;
		return 0;
	}
	/* the lock files exist before they are needed: a filesystem that fills up later
	 * costs the queue's fairness, never the cap (see try_slots, hf_slots_acquire) */
	for (r = 0; r <= cap; r++) {
		char name[32];
		int fd;

		if (r < cap)
			snprintf(name, sizeof(name), "slot-%d", r);
		else
			snprintf(name, sizeof(name), "ticket");
		fd = open_lockfile(s->dir, name, O_CREAT);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

void hf_slots_fini(struct hf_slots *s)
{
	free(s->dir);
	s->dir = NULL;
}

static bool full_fs(int r)
{
	return r == -ENOSPC || r == -EDQUOT;
}

/*
 * Try every slot once without waiting.  Returns the locked fd or -EAGAIN.  A slot file that
 * cannot be created on a full filesystem is skipped (the others may exist): -ENOSPC when no
 * slot could even be tried.
 */
static int try_slots(const struct hf_slots *s)
{
	char name[32];
	int i, fd, tried = 0, full = 0;

	for (i = 0; i < s->cap; i++) {
		snprintf(name, sizeof(name), "slot-%d", i);
		fd = open_lockfile(s->dir, name, O_CREAT);
		if (fd < 0) {
			int r = fd == -1 ? -errno : fd;

			if (!full_fs(r))
				return r;
			full = r;
			continue;
		}
		tried++;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	return tried || !full ? -EAGAIN : full;
}

/* Poll a lock until DEADLINE: 0, -EBUSY (deadline), -EINTR, or flock's error. */
static int lock_bounded(int fd, int64_t deadline, const volatile int *interrupts,
			int interrupts_seen)
{
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (interrupts && *interrupts != interrupts_seen)
			return -EINTR;
		if (hf_now_ms() >= deadline)
			return -EBUSY;
		hf_sleep_ms(POLL_MS);
	}
}

/* Draw the next ticket number into *ret: 0, or an errno (a full filesystem among them). */
static int draw_ticket(const struct hf_slots *s, int64_t deadline, const volatile int *interrupts,
		       int interrupts_seen, long *ret)
{
	char buf[32];
	long t = 0;
	ssize_t n;
	int fd, r;

	fd = open_lockfile(s->dir, "ticket", O_CREAT);
	if (fd < 0)
		return fd == -1 ? -errno : fd;
	/* whoever holds it may be stopped: never waited for beyond our own deadline */
	r = lock_bounded(fd, deadline, interrupts, interrupts_seen);
	if (r < 0) {
		close(fd);
		return r;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		t = strtol(buf, NULL, 10);
	}
	t++;
	n = snprintf(buf, sizeof(buf), "%ld\n", t);
	/* written over the old number, never truncated first: a failed write (a full
	 * filesystem) must not reset the count, and the number only grows in length */
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		r = errno ? -errno : -EIO;
	close(fd); /* drops the lock */
	*ret = t;
	return r;
}

/*
 * Join the queue: wait-<t>-<deadline>, created and locked under a private name first, then
 * renamed into the queue (a probe by another waiter can never find it unlocked).  Its name
 * carries the deadline, so that joining needs an inode but no data block.  Returns the held
 * fd, with the queue name in NAME, or an errno.
 */
static int join_queue(const struct hf_slots *s, long t, int64_t deadline, char *name,
		      size_t namelen)
{
	char tmp[64], from[4096], to[4096];
	int attempt, fd, r = -EAGAIN;

	snprintf(name, namelen, "wait-%ld-%lld", t, (long long)deadline);
	for (attempt = 0; attempt < 3; attempt++) {
		snprintf(tmp, sizeof(tmp), "join-%ld-%d-%d", t, (int)getpid(), attempt);
		fd = open_lockfile(s->dir, tmp, O_CREAT | O_EXCL);
		if (fd < 0)
			return fd == -1 ? -errno : fd;
		snprintf(from, sizeof(from), "%s/%s", s->dir, tmp);
		snprintf(to, sizeof(to), "%s/%s", s->dir, name);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && rename(from, to) == 0)
			return fd;
		/* a cleaner took the unlocked file away (see at_head), or it failed: again */
		r = -errno;
		unlink(from);
		close(fd);
	}
	return r;
}

/* A queue file's ticket and deadline; false for other files. */
static bool parse_wait(const char *fname, long *t, int64_t *deadline)
{
	char *end;
	long long dl;

	if (strncmp(fname, "wait-", 5) != 0)
		return false;
	*t = strtol(fname + 5, &end, 10);
	if (*end != '-')
		return false;
	dl = strtoll(end + 1, &end, 10);
	*deadline = dl;
	return *end == '\0';
}

/*
 * Is ticket t the smallest live one?  Removes dead tickets (and joins a killed process left
 * behind) on the way; passes over waiters beyond their deadline.
 */
static bool at_head(const struct hf_slots *s, long t)
{
	int64_t now = hf_now_ms();
	struct dirent *de;
	bool head = true;
	DIR *d = opendir(s->dir);

	if (!d)
		return true;
	while ((de = readdir(d))) {
		bool join = strncmp(de->d_name, "join-", 5) == 0;
		int64_t deadline = 0;
		long other = 0;
		int fd;

		if (!join && (!parse_wait(de->d_name, &other, &deadline) || other >= t))
			continue;
		fd = open_lockfile(s->dir, de->d_name, 0);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* its waiter died (or just left): not in the queue any more */
			unlinkat(dirfd(d), de->d_name, 0);
		} else if (!join && now <= deadline + (int64_t)POLL_MS * 10) {
			head = false;
		}
		close(fd);
		if (!head)
			break;
	}
	closedir(d);
	return head;
}

/* Poll the slots until DEADLINE, without a place in the queue (a full filesystem). */
static int poll_slots(struct hf_slots *s, int64_t deadline, const volatile int *interrupts,
		      int interrupts_seen, int *ret_fd)
{
	for (;;) {
		int fd = try_slots(s);

		if (fd >= 0) {
			*ret_fd = fd;
			return 0;
		}
		if (fd != -EAGAIN && !full_fs(fd))
			return fd;
		if (interrupts && *interrupts != interrupts_seen)
			return -EINTR;
		if (hf_now_ms() >= deadline)
			return fd == -EAGAIN ? -EBUSY : fd;
		hf_sleep_ms(POLL_MS);
	}
}

int hf_slots_acquire(struct hf_slots *s, const volatile int *interrupts, int interrupts_seen,
		     int *ret_fd)
{
	char name[64];
	int64_t deadline;
	long ticket = 0;
	int fd, wfd, r;

	if (!s->dir) {
		*ret_fd = -1; /* not enforced (see hf_slots_init) */
		return 0;
	}
	fd = try_slots(s);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (fd != -EAGAIN && !full_fs(fd))
		return fd;

	deadline = hf_now_ms() + s->wait_ms;
	r = draw_ticket(s, deadline, interrupts, interrupts_seen, &ticket);
	wfd = r == 0 ? join_queue(s, ticket, deadline, name, sizeof(name)) : r;
	if (wfd < 0) {
		if (!full_fs(wfd))
			return wfd;
		hf_log_warning(s->log, "all %d connections to the BMC are in use on this host, "
				       "and %s is full (%s): waiting without a place in the queue",
			       s->cap, s->dir, strerror(-wfd));
		return poll_slots(s, deadline, interrupts, interrupts_seen, ret_fd);
	}
	hf_log_info(s->log, "all %d connections to the BMC are in use on this host; waiting "
			    "(ticket %ld)",
		    s->cap, ticket);
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
			if (fd != -EAGAIN && !full_fs(fd)) {
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
