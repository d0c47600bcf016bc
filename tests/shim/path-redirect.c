/* SPDX-License-Identifier: MIT */
/*
 * path-redirect.c - an LD_PRELOAD shim that shows a test's fixture tree to the library in place
 * of the machine's /sys, /dev/hpilo, /dev/ipmi0 and /proc/bus/pci, the way kmod's
 * testsuite/path.c shows its rootfs: an absolute path under one of the redirected prefixes is
 * rewritten to the same path below $HOSTFISH_TEST_ROOT before libc sees it.  The production
 * code reads the real paths only; the fixture is reached through this shim alone.
 *
 *   HOSTFISH_TEST_ROOT      the fixture root; unset or empty: nothing is redirected
 *   HOSTFISH_TEST_REDIRECT  ':'-separated absolute prefixes to redirect (default
 *                           /sys:/dev/hpilo:/dev/ipmi0:/proc/bus/pci); a prefix matches
 *                           itself and what lies below it ("/sys" is not "/system")
 *
 * Wrapped: every libc entry point by which libhostfish, libpci and libudev name a file (see
 * "nm -D --undefined-only"), with their 64-bit, fortified (__*_chk, __open_2) and pre-2.33
 * (__xstat) variants.  Relative paths, and paths relative to a directory descriptor, are left
 * alone: the descriptor was opened through the shim already.  realpath() answers in the
 * redirected namespace ("/sys/..."), so that what the caller opens next is redirected too.
 * Both variables are read once, when the shim is loaded.  A test artefact: built by
 * "make check" into tests/shim/.libs/libpath-redirect.so, never installed, never built with
 * the sanitizers (it is preloaded into every program of a test, python included).
 */

/* Each of stat() and stat64(), open() and open64() is defined here under its own name: the
 * headers must not turn one into the other, nor put their fortified inline versions in the
 * way of the definitions. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_PREFIXES 16
#define DEFAULT_REDIRECT "/sys:/dev/hpilo:/dev/ipmi0:/proc/bus/pci"

static char root[PATH_MAX];
static size_t root_len;
static char prefixes[MAX_PREFIXES][PATH_MAX];
static size_t n_prefixes;

__attribute__((constructor)) static void shim_init(void)
{
	const char *r = getenv("HOSTFISH_TEST_ROOT");
	const char *list = getenv("HOSTFISH_TEST_REDIRECT");
	const char *p;

	if (!r || !*r || strlen(r) >= sizeof(root))
		return;
	snprintf(root, sizeof(root), "%s", r);
	root_len = strlen(root);
	while (root_len > 1 && root[root_len - 1] == '/')
		root[--root_len] = '\0';
	if (!list || !*list)
		list = DEFAULT_REDIRECT;
	for (p = list; *p && n_prefixes < MAX_PREFIXES;) {
		size_t n = strcspn(p, ":");

		/* absolute prefixes only, without their trailing '/' */
		while (n > 1 && p[n - 1] == '/')
			n--;
		if (p[0] == '/' && n > 1 && n < PATH_MAX) {
			memcpy(prefixes[n_prefixes], p, n);
			prefixes[n_prefixes++][n] = '\0';
		}
		p += strcspn(p, ":");
		if (*p == ':')
			p++;
	}
}

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool redirected(const char *path)
{
	size_t i;

	for (i = 0; i < n_prefixes; i++)
		if (under(path, prefixes[i]))
			return true;
	return false;
}

/* The path libc is given: path itself, or buf holding the root and path; NULL (errno set)
 * when that does not fit, or when there is no path. */
static const char *trap(const char *path, char buf[PATH_MAX])
{
	if (!path) {
		errno = EFAULT;
		return NULL;
	}
	if (!root_len || path[0] != '/' || !redirected(path))
		return path;
	if (root_len + strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(buf, root, root_len);
	strcpy(buf + root_len, path);
	return buf;
}

/* A resolved name back in the caller's namespace: "$root/sys/x" is "/sys/x" again. */
static void untrap(char *resolved)
{
	if (resolved && root_len > 1 && strncmp(resolved, root, root_len) == 0 &&
	    resolved[root_len] == '/' && redirected(resolved + root_len))
		memmove(resolved, resolved + root_len, strlen(resolved + root_len) + 1);
}

/* The next definition of name_ (libc's, or a sanitizer's interceptor preloaded before this
 * shim), looked up once; NULL with errno ENOSYS when there is none. */
#define REAL(name_)                                                                            \
	__extension__({                                                                        \
		static __typeof__(name_) *next_;                                               \
		__typeof__(name_) *f_ = __atomic_load_n(&next_, __ATOMIC_ACQUIRE);             \
                                                                                               \
		if (!f_) {                                                                     \
			f_ = (__typeof__(name_) *)dlsym(RTLD_NEXT, #name_);                    \
			__atomic_store_n(&next_, f_, __ATOMIC_RELEASE);                        \
		}                                                                              \
		if (!f_)                                                                       \
			errno = ENOSYS;                                                        \
		f_;                                                                            \
	})

/* The body of a wrapper whose path argument is path: call the next name_ with the redirected
 * path p in its place (the arguments name p); fail_ when the redirected path is too long. */
#define FORWARD(name_, fail_, ...)                                                             \
	do {                                                                                   \
		char buf_[PATH_MAX];                                                           \
		const char *p = trap(path, buf_);                                              \
		__typeof__(name_) *real_ = REAL(name_);                                        \
                                                                                               \
		return p && real_ ? real_(__VA_ARGS__) : (fail_);                              \
	} while (0)

/* the same for a call that resolves a name: the answer is put back in the caller's namespace */
#define RESOLVE(name_, ...)                                                                    \
	do {                                                                                   \
		char buf_[PATH_MAX];                                                           \
		const char *p = trap(path, buf_);                                              \
		__typeof__(name_) *real_ = REAL(name_);                                        \
		char *r_ = p && real_ ? real_(__VA_ARGS__) : NULL;                             \
                                                                                               \
		untrap(r_);                                                                    \
		return r_;                                                                     \
	} while (0)

/* open() and its twins: the mode is only there with O_CREAT or O_TMPFILE */
static mode_t mode_of(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	FORWARD(open, -1, p, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	FORWARD(open64, -1, p, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	FORWARD(openat, -1, dirfd, p, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	FORWARD(openat64, -1, dirfd, p, flags, mode);
}

/* the fortified open()s of -D_FORTIFY_SOURCE callers (libpci calls __open_2), and the
 * stat()s of programs built before glibc 2.33: no header declares them any more */
EXPORT int __open_2(const char *path, int flags);
EXPORT int __open64_2(const char *path, int flags);
EXPORT int __openat_2(int dirfd, const char *path, int flags);
EXPORT int __openat64_2(int dirfd, const char *path, int flags);
EXPORT int __xstat(int ver, const char *path, struct stat *st);
EXPORT int __xstat64(int ver, const char *path, struct stat64 *st);
EXPORT int __lxstat(int ver, const char *path, struct stat *st);
EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st);
EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
EXPORT ssize_t __readlink_chk(const char *path, char *out, size_t len, size_t outlen);
EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *out, size_t len,
				size_t outlen);
EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);

EXPORT int __open_2(const char *path, int flags)
{
	FORWARD(__open_2, -1, p, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	FORWARD(__open64_2, -1, p, flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	FORWARD(__openat_2, -1, dirfd, p, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	FORWARD(__openat64_2, -1, dirfd, p, flags);
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
	FORWARD(fopen, NULL, p, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	FORWARD(fopen64, NULL, p, mode);
}

EXPORT DIR *opendir(const char *path)
{
	FORWARD(opendir, NULL, p);
}

EXPORT int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **))
{
	FORWARD(scandir, -1, p, list, filter, compar);
}

EXPORT int scandir64(const char *path, struct dirent64 ***list,
		     int (*filter)(const struct dirent64 *),
		     int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	FORWARD(scandir64, -1, p, list, filter, compar);
}

EXPORT int stat(const char *path, struct stat *st)
{
	FORWARD(stat, -1, p, st);
}

EXPORT int stat64(const char *path, struct stat64 *st)
{
	FORWARD(stat64, -1, p, st);
}

EXPORT int lstat(const char *path, struct stat *st)
{
	FORWARD(lstat, -1, p, st);
}

EXPORT int lstat64(const char *path, struct stat64 *st)
{
	FORWARD(lstat64, -1, p, st);
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	FORWARD(fstatat, -1, dirfd, p, st, flags);
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	FORWARD(fstatat64, -1, dirfd, p, st, flags);
}

EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	FORWARD(__xstat, -1, ver, p, st);
}

EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	FORWARD(__xstat64, -1, ver, p, st);
}

EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	FORWARD(__lxstat, -1, ver, p, st);
}

EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	FORWARD(__lxstat64, -1, ver, p, st);
}

EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	FORWARD(__fxstatat, -1, ver, dirfd, p, st, flags);
}

EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	FORWARD(__fxstatat64, -1, ver, dirfd, p, st, flags);
}

EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	FORWARD(statx, -1, dirfd, p, flags, mask, stx);
}

EXPORT int access(const char *path, int mode)
{
	FORWARD(access, -1, p, mode);
}

EXPORT int euidaccess(const char *path, int mode)
{
	FORWARD(euidaccess, -1, p, mode);
}

EXPORT int eaccess(const char *path, int mode)
{
	FORWARD(eaccess, -1, p, mode);
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	FORWARD(faccessat, -1, dirfd, p, mode, flags);
}

/* a link's target is the fixture's own, relative or not: it is returned as it is */
EXPORT ssize_t readlink(const char *path, char *out, size_t len)
{
	FORWARD(readlink, -1, p, out, len);
}

EXPORT ssize_t __readlink_chk(const char *path, char *out, size_t len, size_t outlen)
{
	FORWARD(__readlink_chk, -1, p, out, len, outlen);
}

EXPORT ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	FORWARD(readlinkat, -1, dirfd, p, out, len);
}

EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *out, size_t len,
				size_t outlen)
{
	FORWARD(__readlinkat_chk, -1, dirfd, p, out, len, outlen);
}

EXPORT char *realpath(const char *path, char *resolved)
{
	RESOLVE(realpath, p, resolved);
}

EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	RESOLVE(__realpath_chk, p, resolved, resolvedlen);
}

EXPORT char *canonicalize_file_name(const char *path)
{
	RESOLVE(canonicalize_file_name, p);
}
