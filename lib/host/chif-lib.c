/* SPDX-License-Identifier: MIT */
/*
 * chif-lib.c - HPE's CHIF channel library, loaded once per process.
 *
 * It is loaded the kmod/systemd way: the symbols are listed once (HF_CHIF_SYMBOLS), resolved
 * all at once with RTLD_NOW, and a missing library or symbol is "backend unavailable" with
 * dlerror()'s words kept, never a crash.
 *
 * HPE's library is process-wide state, not an object: its packet builders fill one static
 * buffer and return it; ChifInitialize, initiate_credentials, ChifVerifyCredentials,
 * ChifDisableSecurity and updaterandval change what every later call does.  So the process
 * owns it once:
 *   - one dlopen(), reference counted: every user (each CHIF transport context, each
 *     application-account handle, a probe) holds a reference; the last release unloads it;
 *   - one lock, taken around every call into the library by every user, so that two clients
 *     or threads never interleave calls (a packet is copied out before the lock is dropped).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostfish-private.h"
#include "chif.h"

#define HOW_TO_GET                                                                        \
	"install HPE's iLOrest package (ilorest, which ships ilorest_chif.so) or give the " \
	"library with --chif-library FILE"

/* How often a waiter for the lock looks at its stop condition (interrupts). */
#define LOCK_SLICE_MS 50

/* The library of this process: its handle, the name it was loaded by, its users. */
static struct {
	pthread_mutex_t lock; /* guards this struct only, never held during a call */
	void *dl;
	char path[512];
	unsigned refs;
} loaded = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The lock around every call into the library. */
static pthread_mutex_t calls = PTHREAD_MUTEX_INITIALIZER;

void hf_chif_lock(void)
{
	pthread_mutex_lock(&calls);
}

void hf_chif_unlock(void)
{
	pthread_mutex_unlock(&calls);
}

int hf_chif_lock_wait(int64_t deadline, bool (*stop)(const void *arg), const void *arg)
{
	struct timespec ts;
	int64_t now, until;
	int r;

	for (;;) {
		if (stop && stop(arg))
			return -EINTR;
		now = hf_now_ms();
		if (deadline && now >= deadline)
			return -ETIMEDOUT;
		until = now + LOCK_SLICE_MS;
		if (deadline && deadline < until)
			until = deadline;
		/* hf_now_ms() counts CLOCK_MONOTONIC milliseconds */
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000L;
		r = pthread_mutex_clocklock(&calls, CLOCK_MONOTONIC, &ts);
		if (r == 0)
			return 0;
		if (r != ETIMEDOUT)
			return -r;
	}
}

/* Append "a (b);" or " a" (b NULL) to the message. */
static size_t add(char *err, size_t errlen, size_t used, const char *a, const char *b)
{
	int n;

	if (used >= errlen)
		return used;
	n = b ? snprintf(err + used, errlen - used, " %s (%s);", a, b)
	      : snprintf(err + used, errlen - used, "%s", a);
	return n < 0 ? used : used + (size_t)n;
}

/* The library is loaded already (loaded.lock held): may this request use it?  The default
 * search takes what is there; a file named explicitly must be that very library. */
static int reuse(const char *path, char *err, size_t errlen)
{
	void *same;

	if (!path)
		return 0;
	same = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (same)
		dlclose(same); /* RTLD_NOLOAD took a reference of its own */
	if (same == loaded.dl)
		return 0;
	snprintf(err, errlen,
		 "CHIF library %s cannot be loaded: this process uses HPE's library from %s "
		 "already, and a process has one (its packet builders share one buffer)",
		 path, loaded.path);
	return -EBUSY;
}

/* Load it (loaded.lock held, nothing loaded): the first of names[0..n) that dlopen() takes. */
static int load(const char *const *names, size_t n, char *err, size_t errlen)
{
	size_t i, used;

	used = add(err, errlen, 0, "CHIF vendor library not found; tried:", NULL);
	for (i = 0; i < n; i++) {
		const char *e;

		dlerror();
		loaded.dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (loaded.dl) {
			snprintf(loaded.path, sizeof(loaded.path), "%s", names[i]);
			err[0] = '\0';
			return 0;
		}
		e = dlerror();
		used = add(err, errlen, used, names[i], e ? e : "unknown error");
	}
	add(err, errlen, used, " " HOW_TO_GET, NULL);
	return -ENOTSUP;
}

int hf_chif_dl_acquire(const char *path, void **dl, char *name, size_t namelen, char *err,
		       size_t errlen)
{
	static const char *const defaults[] = { HF_CHIF_DEFAULT_LIBRARIES };
	const char *env = secure_getenv(HF_CHIF_LIBRARY_ENV);
	int r;

	if (!path && env && *env)
		path = env;
	pthread_mutex_lock(&loaded.lock);
	if (loaded.refs > 0)
		r = reuse(path, err, errlen);
	else if (path)
		r = load(&path, 1, err, errlen);
	else
		r = load(defaults, HF_ARRAY_SIZE(defaults), err, errlen);
	if (r == 0) {
		loaded.refs++;
		*dl = loaded.dl;
		snprintf(name, namelen, "%s", loaded.path);
	}
	pthread_mutex_unlock(&loaded.lock);
	return r;
}

void hf_chif_dl_release(void *dl)
{
	if (!dl)
		return;
	pthread_mutex_lock(&loaded.lock);
	if (loaded.refs > 0 && dl == loaded.dl && --loaded.refs == 0) {
		/* no call is running: a caller holds its reference while it calls */
		dlclose(loaded.dl);
		loaded.dl = NULL;
		loaded.path[0] = '\0';
	}
	pthread_mutex_unlock(&loaded.lock);
}

static int resolve(struct hf_chif_lib *lib, char *err, size_t errlen)
{
	const char *e;

#define HF_CHIF_SYM_RESOLVE(ret, name, args)                                                 \
	dlerror();                                                                           \
	*(void **)&lib->sym_##name = dlsym(lib->dl, #name);                                  \
	if (!lib->sym_##name) {                                                              \
		e = dlerror();                                                               \
		snprintf(err, errlen,                                                        \
			 "CHIF library %s lacks the entry point %s (%s): it is not HPE's "  \
			 "ilorest_chif library or too old; " HOW_TO_GET,                     \
			 lib->path, #name, e ? e : "symbol is NULL");                        \
		return -ENOTSUP;                                                             \
	}
	HF_CHIF_SYMBOLS(HF_CHIF_SYM_RESOLVE)
#undef HF_CHIF_SYM_RESOLVE
	return 0;
}

int hf_chif_lib_open(const char *path, struct hf_chif_lib *lib, char *err, size_t errlen)
{
	int r;

	memset(lib, 0, sizeof(*lib));
	r = hf_chif_dl_acquire(path, &lib->dl, lib->path, sizeof(lib->path), err, errlen);
	if (r < 0)
		return r;
	r = resolve(lib, err, errlen);
	if (r < 0)
		hf_chif_lib_close(lib);
	return r;
}

void hf_chif_lib_close(struct hf_chif_lib *lib)
{
	hf_chif_dl_release(lib->dl);
	memset(lib, 0, sizeof(*lib));
}
