/* SPDX-License-Identifier: MIT */
/*
 * firmware-private.h - the multipart/form-data body of a firmware upload, generated while it
 * is sent: memory segments (part headers, small fields) and file segments (read from disk as
 * the transport asks).  Its length is known before the first byte goes out.
 */
#ifndef HOSTFISH_FIRMWARE_PRIVATE_H
#define HOSTFISH_FIRMWARE_PRIVATE_H

#include "hostfish-private.h"

#define HF_MULTIPART_MAX_SEGMENTS 16
/* a firmware or signature file larger than this is refused (iLO's repository holds ~1 GiB) */
#define HF_FIRMWARE_MAX_SIZE (1ULL << 36)
/* "hostfish-" and 32 hex digits: 128 random bits (RFC 2046 allows up to 70 characters) */
#define HF_MULTIPART_BOUNDARY_LEN 41

struct hf_mp_segment {
	struct hf_buf mem; /* used when fd < 0; wiped at clear (it may hold a session key) */
	int fd; /* a file segment: borrowed, read sequentially from its current offset */
	size_t file_len; /* of a file or stream segment */
	/* a stream segment (fd < 0, read != NULL): read(ctx...) as hf_multipart_read() is */
	int (*read)(void *ctx, void *buf, size_t len, size_t *got);
	void *ctx;
};

struct hf_multipart {
	char boundary[HF_MULTIPART_BOUNDARY_LEN + 1];
	struct hf_mp_segment seg[HF_MULTIPART_MAX_SEGMENTS];
	size_t n;
	size_t length; /* of everything added so far */
	bool finished;
	/* reading */
	size_t cur; /* segment */
	size_t off; /* in it */
};

/* A fresh random boundary (boundary NULL), or the one given (tests).  -EIO without
 * randomness, -EINVAL for an invalid boundary. */
int hf_multipart_init(struct hf_multipart *m, const char *boundary);
/* A form field; content_type NULL for none. */
int hf_multipart_add_field(struct hf_multipart *m, const char *name, const char *content_type,
			   const void *value, size_t len);
/* A file part of len bytes read from fd; filename is quoted (CR, LF refused: -EINVAL). */
int hf_multipart_add_file(struct hf_multipart *m, const char *name, const char *filename,
			  int fd, size_t len);
/* A file part of len bytes given by read(ctx, ...) (borrowed), e.g. a zip entry. */
int hf_multipart_add_stream(struct hf_multipart *m, const char *name, const char *filename,
			    int (*read)(void *ctx, void *buf, size_t len, size_t *got), void *ctx,
			    size_t len);
/* The closing delimiter; nothing can be added after it. */
int hf_multipart_finish(struct hf_multipart *m);
/* struct hf_body_stream's read(): the next bytes, *got 0 at the end; -EIO when a file ends
 * early. */
int hf_multipart_read(void *m, void *buf, size_t len, size_t *got);
/* Free (and wipe) the memory segments; file descriptors stay with the caller. */
void hf_multipart_clear(struct hf_multipart *m);

/* ---- helpers shared by firmware.c and flash*.c ---- */
struct json_object;
/* a member of an object: a string, an object (else NULL) */
const char *hf_fw_str(struct json_object *o, const char *key);
struct json_object *hf_fw_obj(struct json_object *o, const char *key);
/* A GET whose answer must be a 2xx JSON object; else -EREMOTEIO with the error recorded. */
int hf_fw_get_json(hf_client *c, const char *path, hf_response **ret);
/* The UpdateService resource, found from the service root. */
int hf_fw_update_service(hf_client *c, hf_response **ret);
/* Whether the UpdateService reports work in progress (*state: which). */
bool hf_fw_busy(struct json_object *us, const char **state);

#endif /* HOSTFISH_FIRMWARE_PRIVATE_H */
