/* SPDX-License-Identifier: MIT */
/*
 * atomic-write.h - the one way hostfish replaces a file (journal entries, registry cache,
 * host-interface pins, the CLI's session cache).  Built into the library and into the
 * programs' helpers alike.
 */
#ifndef HOSTFISH_ATOMIC_WRITE_H
#define HOSTFISH_ATOMIC_WRITE_H

#include <stddef.h>

/*
 * Replace path with len bytes of data, atomically: a 0600 temporary file ".NAME.XXXXXX"
 * beside it (created exclusively), written whole, fsynced, then renamed over path.  On
 * failure path is untouched, the temporary file removed, and the errno returned is the one of
 * the call that failed (a short write on a full disk is -ENOSPC), never a stale one.
 */
int hf_write_atomic(const char *path, const void *data, size_t len);
/* The same, without the fsync when flags has HF_WRITE_NO_FSYNC (a file on tmpfs, where it
 * buys nothing). */
#define HF_WRITE_NO_FSYNC 1u
int hf_write_atomic_flags(const char *path, const void *data, size_t len, unsigned flags);
/* Does path live on a tmpfs (statfs TMPFS_MAGIC)?  false when it cannot be told. */
int hf_on_tmpfs(const char *path);

/*
 * Read a state file written by hf_write_atomic(): a regular file (not followed if a
 * symbolic link), owned by the effective user, writable by nobody else, of at most max bytes.
 * 0 with *ret (NUL-terminated, caller frees) and *len, -ENOENT, -EPERM (not ours alone),
 * -EFBIG, -ENOMEM, or the read's errno.
 */
int hf_read_private(const char *path, size_t max, char **ret, size_t *len);

#endif /* HOSTFISH_ATOMIC_WRITE_H */
