/* SPDX-License-Identifier: MIT */
/*
 * crawl-private.h - the parts of hf_crawl() that face untrusted input: which links are
 * followed (crawl-link.c) and how the output tree is written (crawl-fs.c); and its report
 * (crawl-report.c).  Internal; the unit tests and the fuzz target reach them through
 * libhostfish-internal.la.
 */
#ifndef HOSTFISH_CRAWL_PRIVATE_H
#define HOSTFISH_CRAWL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define HF_CRAWL_MAX_DEPTH 32 /* segments of a path */
#define HF_CRAWL_MAX_PATH 1024 /* bytes of a path */
#define HF_CRAWL_MAX_SEGMENT 255 /* bytes of a segment (NAME_MAX) */

/* ---- crawl-link.c ---- */

enum hf_crawl_verdict {
	HF_CRAWL_FOLLOW = 0, /* a path below the root, safe as a file name */
	HF_CRAWL_IGNORE = 1, /* elsewhere on this BMC: not followed, not an anomaly */
	HF_CRAWL_REFUSE = 2, /* unsafe or foreign: not followed, reported */
};

/*
 * NULL when every segment of the absolute path is a plain name, else why not: an empty
 * segment (one trailing slash is allowed), "." or "..", a backslash or control character, a
 * percent-encoding that is malformed or encodes a dot, slash, backslash or control
 * character, more than HF_CRAWL_MAX_DEPTH segments, HF_CRAWL_MAX_SEGMENT bytes in a segment
 * or HF_CRAWL_MAX_PATH in all.  The reason is a static string.
 */
const char *hf_crawl_path_unsafe(const char *path);

/*
 * Classify an @odata.id of len bytes (a NUL inside is refused).  origin: the BMC's
 * "scheme://host:port" (NULL: absolute URLs are refused); root/rootlen: the crawl's root
 * without trailing slash.  A '#fragment' is removed first.  Returns an enum hf_crawl_verdict
 * with, for HF_CRAWL_FOLLOW, *ret the path to request exactly as written (caller frees), for
 * HF_CRAWL_REFUSE, *why (static); or -ENOMEM.
 */
int hf_crawl_classify(const char *origin, const char *root, size_t rootlen, const char *link,
		      size_t len, char **ret, const char **why);

/* ---- crawl-fs.c ---- */

/*
 * Create outdir (and its missing parents) with mode 0700, or accept an existing directory
 * that is empty (any, with force), and open it.  Returns 0 with *ret_fd, or a negative errno
 * (-EEXIST: not empty) with *what saying which step failed.
 */
int hf_crawl_outdir_open(const char *outdir, bool force, int *ret_fd, const char **what);

/*
 * Write body as <dirfd>/<key>/<name>, key being a checked path (hf_crawl_path_unsafe() ==
 * NULL) of keylen bytes without trailing slash: its directories are created (0755) and opened
 * one by one with O_NOFOLLOW, the file (0644) is written as ".<name>.<seq>.tmp" with O_EXCL
 * and renamed into place; without force an existing file is not replaced (-EEXIST).  Returns
 * 0 or a negative errno with *what saying which step failed.
 */
int hf_crawl_write(int dirfd, bool force, unsigned long seq, const char *key, size_t keylen,
		   const char *name, const void *body, size_t len, const char **what);

/* Write errors that concern one resource (something in the way), not the whole crawl. */
bool hf_crawl_write_error_is_local(int e);

/* ---- crawl-report.c ---- */

/* An error or a refused link, as listed in the report. */
struct hf_crawl_listed {
	char *a, *b, *c; /* errors: path, message, NULL; refused: link, from, reason */
	int status; /* errors: HTTP status or 0 */
	int kind; /* errors: enum hf_error_kind */
};

#define HF_CRAWL_MAX_LISTED 1000 /* entries of a list kept for the report */

/* A list of the report: its first HF_CRAWL_MAX_LISTED entries, and how many there were. */
struct hf_crawl_list {
	struct hf_crawl_listed *v; /* NULL until the first entry */
	size_t n; /* listed */
	unsigned long total; /* counted */
};

/* Count an entry, and list copies of its strings (c may be NULL; a is cut at
 * HF_CRAWL_MAX_PATH + 256 bytes) while there is room and memory.  Not thread-safe. */
void hf_crawl_list_add(struct hf_crawl_list *l, const char *a, const char *b, const char *c,
		       int status, int kind);
void hf_crawl_list_clear(struct hf_crawl_list *l);

/* What a finished crawl reports; every pointer borrowed for the call. */
struct hf_crawl_summary {
	const char *root; /* as the caller gave it */
	const char *outdir;
	unsigned jobs; /* threads that crawled */
	int64_t elapsed_ms;
	unsigned long resources; /* files written */
	uint64_t bytes;
	unsigned long out_of_scope;
	bool truncated;
	const struct hf_crawl_list *errors;
	const struct hf_crawl_list *refused;
};

/* The report of hf_crawl() (include/hostfish.h): 0 with *ret (the caller's), or -ENOMEM. */
int hf_crawl_report(const struct hf_crawl_summary *s, struct json_object **ret);

#endif /* HOSTFISH_CRAWL_PRIVATE_H */
