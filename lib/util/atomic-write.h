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

#endif /* HOSTFISH_ATOMIC_WRITE_H */
