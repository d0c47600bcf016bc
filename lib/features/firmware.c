/* SPDX-License-Identifier: MIT */
/*
 * firmware.c - firmware upload to the BMC's UpdateService, streamed from disk.
 *
 * Two protocols, both multipart/form-data POSTs with Content-Length (no chunking):
 *  - HPE (iLO 5/6): to HttpPushUri (or Oem.Hpe.PushUpdateUri), usually /cgi-bin/uploadFile,
 *    fields "sessionKey" (the session token), "parameters" (JSON), optional "compsig" (file)
 *    and "file" (file), with the header "Cookie: sessionKey=TOKEN".  The upload answers 200;
 *    iLO then verifies and writes it, reporting Oem.Hpe.State in the UpdateService.
 *  - DMTF (DSP0266 multipart HTTP push update): to MultipartHttpPushUri, parts
 *    "UpdateParameters" (JSON: Targets, @Redfish.OperationApplyTime) and "UpdateFile".  The
 *    service answers 202 with a task monitor in Location.
 *
 * The body is generated on the fly: memory use does not depend on the file's size.  Its
 * boundary is 128 random bits; it is not checked against the file (that would mean reading
 * the file twice): the chance that a file holds it is negligible.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client-private.h"
#include "firmware-private.h"
#include "task-private.h"

/* ---- multipart/form-data (RFC 7578) ---- */

int hf_multipart_init(struct hf_multipart *m, const char *boundary)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < HF_MULTIPART_MAX_SEGMENTS; i++)
		m->seg[i].fd = -1;
	if (boundary) {
		if (!*boundary || strlen(boundary) > 70 || strpbrk(boundary, "\r\n\"") ||
		    strlen(boundary) > HF_MULTIPART_BOUNDARY_LEN)
			return -EINVAL;
		strcpy(m->boundary, boundary);
		return 0;
	}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	strcpy(m->boundary, "hostfish-");
	for (i = 0; i < sizeof(raw); i++) {
		m->boundary[9 + 2 * i] = hex[raw[i] >> 4];
		m->boundary[10 + 2 * i] = hex[raw[i] & 15];
	}
	m->boundary[9 + 2 * sizeof(raw)] = '\0';
	return 0;
}

static struct hf_mp_segment *new_mem_segment(struct hf_multipart *m)
{
	if (m->finished || m->n >= HF_MULTIPART_MAX_SEGMENTS)
		return NULL;
	return &m->seg[m->n++];
}

/* the delimiter and headers that open a part (with the CRLF ending the previous one) */
static int part_head(struct hf_multipart *m, const char *name, const char *filename,
		     const char *content_type)
{
	struct hf_mp_segment *s;
	int r;

	if (strpbrk(name, "\"\r\n") || (filename && strpbrk(filename, "\r\n")) ||
	    (content_type && strpbrk(content_type, "\r\n")))
		return -EINVAL;
	s = new_mem_segment(m);
	if (!s)
		return -E2BIG;
	r = hf_buf_printf(&s->mem, "%s--%s\r\nContent-Disposition: form-data; name=\"%s\"",
			  m->length ? "\r\n" : "", m->boundary, name);
	if (r == 0 && filename) {
		const char *p;

		/* quoted-string: quotes and backslashes escaped */
		r = hf_buf_appends(&s->mem, "; filename=\"");
		for (p = filename; r == 0 && *p; p++) {
			if (*p == '"' || *p == '\\')
				r = hf_buf_append(&s->mem, "\\", 1);
			if (r == 0)
				r = hf_buf_append(&s->mem, p, 1);
		}
		if (r == 0)
			r = hf_buf_appends(&s->mem, "\"");
	}
	if (r == 0 && content_type)
		r = hf_buf_printf(&s->mem, "\r\nContent-Type: %s", content_type);
	if (r == 0)
		r = hf_buf_appends(&s->mem, "\r\n\r\n");
	if (r < 0) {
		hf_buf_free(&s->mem);
		m->n--;
		return r;
	}
	m->length += s->mem.len;
	return 0;
}

int hf_multipart_add_field(struct hf_multipart *m, const char *name, const char *content_type,
			   const void *value, size_t len)
{
	int r = part_head(m, name, NULL, content_type);

	if (r < 0)
		return r;
	/* the value goes into the head's segment: one segment per field */
	r = hf_buf_append(&m->seg[m->n - 1].mem, value, len);
	if (r < 0)
		return r;
	m->length += len;
	return 0;
}

int hf_multipart_add_file(struct hf_multipart *m, const char *name, const char *filename,
			  int fd, size_t len)
{
	struct hf_mp_segment *s;
	int r;

	if (m->n + 2 > HF_MULTIPART_MAX_SEGMENTS)
		return -E2BIG;
	r = part_head(m, name, filename, "application/octet-stream");
	if (r < 0)
		return r;
	s = new_mem_segment(m);
	s->fd = fd;
	s->file_len = len;
	m->length += len;
	return 0;
}

int hf_multipart_add_stream(struct hf_multipart *m, const char *name, const char *filename,
			    int (*read)(void *ctx, void *buf, size_t len, size_t *got), void *ctx,
			    size_t len)
{
	struct hf_mp_segment *s;
	int r;

	if (m->n + 2 > HF_MULTIPART_MAX_SEGMENTS || !read)
		return -E2BIG;
	r = part_head(m, name, filename, "application/octet-stream");
	if (r < 0)
		return r;
	s = new_mem_segment(m);
	s->read = read;
	s->ctx = ctx;
	s->file_len = len;
	m->length += len;
	return 0;
}

int hf_multipart_finish(struct hf_multipart *m)
{
	struct hf_mp_segment *s = new_mem_segment(m);
	int r;

	if (!s)
		return -E2BIG;
	r = hf_buf_printf(&s->mem, "\r\n--%s--\r\n", m->boundary);
	if (r < 0) {
		m->n--;
		return r;
	}
	m->length += s->mem.len;
	m->finished = true;
	return 0;
}

int hf_multipart_read(void *p, void *buf, size_t len, size_t *got)
{
	struct hf_multipart *m = p;
	unsigned char *out = buf;
	size_t done = 0;

	/* at most n segments plus one read() per call: bounded */
	while (done < len && m->cur < m->n) {
		struct hf_mp_segment *s = &m->seg[m->cur];
		bool file = s->fd >= 0 || s->read;
		size_t size = file ? s->file_len : s->mem.len, want;

		if (m->off >= size) {
			m->cur++;
			m->off = 0;
			continue;
		}
		want = size - m->off < len - done ? size - m->off : len - done;
		if (!file) {
			memcpy(out + done, s->mem.data + m->off, want);
		} else if (s->read) {
			size_t n = 0;
			int r;

			if (done > 0)
				break;
			r = s->read(s->ctx, out + done, want, &n);
			if (r < 0)
				return r;
			if (n == 0)
				return -EIO; /* the stream ended early */
			want = n;
		} else {
			ssize_t n;

			if (done > 0)
				break; /* one file read per call: the caller comes back */
			do
				n = read(s->fd, out + done, want);
			while (n < 0 && errno == EINTR);
			if (n < 0)
				return -errno;
			if (n == 0)
				return -EIO; /* the file shrank after its size was taken */
			want = (size_t)n;
		}
		done += want;
		m->off += want;
	}
	*got = done;
	return 0;
}

void hf_multipart_clear(struct hf_multipart *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->seg[i].mem.data)
			hf_wipe(m->seg[i].mem.data, m->seg[i].mem.cap);
		hf_buf_free(&m->seg[i].mem);
	}
	m->n = 0;
}

/* ---- the upload ---- */

struct upload_stream {
	struct hf_multipart mp;
	hf_progress_fn progress;
	void *userdata;
	size_t sent;
};

static int upload_read(void *p, void *buf, size_t len, size_t *got)
{
	struct upload_stream *u = p;
	int r = hf_multipart_read(&u->mp, buf, len, got);

	if (r < 0)
		return r;
	u->sent += *got;
	if (u->progress && u->progress(u->userdata, "upload", (double)u->sent,
				       (double)u->mp.length) != 0)
		return -ECANCELED;
	return 0;
}

/* Open a file to upload: a readable, non-empty regular file.  -EINVAL with the error set. */
static int open_upload_file(hf_client *c, const char *what, const char *path, int *fd,
			    size_t *size)
{
	struct stat st;
	int f;

	f = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f < 0) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "cannot open the %s %s: %s",
				    what, path, strerror(errno));
		return -EINVAL;
	}
	if (fstat(f, &st) < 0) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "cannot stat the %s %s: %s",
				    what, path, strerror(errno));
		close(f);
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > HF_FIRMWARE_MAX_SIZE ||
	    (unsigned long long)st.st_size > (unsigned long long)(SIZE_MAX / 2)) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "the %s %s is %s", what, path,
				    !S_ISREG(st.st_mode) ? "not a regular file"
				    : st.st_size <= 0    ? "empty"
							 : "over the size limit");
		close(f);
		return -EINVAL;
	}
	*fd = f;
	*size = (size_t)st.st_size;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

const char *hf_fw_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

struct json_object *hf_fw_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	return NULL;
}

/* A GET whose answer must be a 2xx JSON object; else -EREMOTEIO with the error recorded. */
int hf_fw_get_json(hf_client *c, const char *path, hf_response **ret)
{
	hf_response *resp = NULL;
	int status, r;

	r = hf_get(c, path, &resp);
	if (r < 0)
		return r;
	status = hf_response_status(resp);
	if (status < 200 || status >= 300 || !hf_response_json(resp)) {
		hf_client_set_error(c, -EREMOTEIO,
				    status == 401		      ? HF_ERROR_AUTH
				    : status >= 500		      ? HF_ERROR_HTTP_SERVER
				    : status >= 300 && status < 500 ? HF_ERROR_HTTP_CLIENT
								      : HF_ERROR_PROTOCOL,
				    status, hf_response_redfish_error(resp), "GET %s: %d %s", path,
				    status, status < 300 ? "(not a JSON object)"
							 : hf_response_reason(resp));
		hf_response_free(resp);
		return -EREMOTEIO;
	}
	*ret = resp;
	return 0;
}

/* The UpdateService resource, found from the service root. */
int hf_fw_update_service(hf_client *c, hf_response **ret)
{
	hf_response *root = NULL;
	const char *uri;
	int r;

	r = hf_fw_get_json(c, "/redfish/v1/", &root);
	if (r < 0)
		return r;
	uri = hf_fw_str(hf_fw_obj(hf_response_json(root), "UpdateService"), "@odata.id");
	if (!uri) {
		hf_client_set_error(c, -ENOTSUP, HF_ERROR_HTTP_CLIENT, 0, NULL,
				    "the BMC has no UpdateService");
		hf_response_free(root);
		return -ENOTSUP;
	}
	r = hf_fw_get_json(c, uri, ret);
	hf_response_free(root);
	return r;
}

bool hf_fw_busy(struct json_object *us, const char **state)
{
	static const char *const busy[] = { "Uploading", "Verifying", "Writing", "Updating" };
	const char *s = hf_update_state_of(us);
	size_t i;

	for (i = 0; s && i < HF_ARRAY_SIZE(busy); i++)
		if (strcmp(s, busy[i]) == 0) {
			*state = s;
			return true;
		}
	s = hf_fw_str(hf_fw_obj(us, "Status"), "State");
	if (s && strcmp(s, "Updating") == 0) {
		*state = s;
		return true;
	}
	return false;
}

static int build_body(hf_client *c, struct upload_stream *u, bool dmtf, const char *token,
		      const char *file, int fd, size_t size, const char *compsig, int sig_fd,
		      size_t sig_size, const char *const *targets)
{
	struct json_object *params = json_object_new_object();
	const char *text;
	size_t i;
	int r;

	if (!params)
		return -ENOMEM;
	r = hf_multipart_init(&u->mp, NULL);
	if (r < 0)
		goto out;
	if (dmtf) {
		struct json_object *t = json_object_new_array();

		for (i = 0; t && targets && targets[i]; i++)
			json_object_array_add(t, json_object_new_string(targets[i]));
		if (!t) {
			r = -ENOMEM;
			goto out;
		}
		json_object_object_add(params, "Targets", t);
		json_object_object_add(params, "@Redfish.OperationApplyTime",
				       json_object_new_string("Immediate"));
	} else {
		/* what HPE's own tools send (python-ilorest-library's uploadcomp) */
		json_object_object_add(params, "UpdateRepository", json_object_new_boolean(1));
		json_object_object_add(params, "UpdateTarget", json_object_new_boolean(1));
		json_object_object_add(params, "ETag", json_object_new_string("hostfish"));
		json_object_object_add(params, "Section", json_object_new_int(0));
	}
	text = json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	if (dmtf) {
		r = hf_multipart_add_field(&u->mp, "UpdateParameters", "application/json", text,
					   strlen(text));
		if (r == 0)
			r = hf_multipart_add_file(&u->mp, "UpdateFile", base_name(file), fd, size);
	} else {
		r = token ? hf_multipart_add_field(&u->mp, "sessionKey", NULL, token,
						   strlen(token))
			  : 0;
		if (r == 0)
			r = hf_multipart_add_field(&u->mp, "parameters", "application/json", text,
						   strlen(text));
		if (r == 0 && compsig)
			r = hf_multipart_add_file(&u->mp, "compsig", base_name(compsig), sig_fd,
						  sig_size);
		if (r == 0)
			r = hf_multipart_add_file(&u->mp, "file", base_name(file), fd, size);
	}
	if (r == 0)
		r = hf_multipart_finish(&u->mp);
	if (r == -EINVAL)
		hf_client_set_error(c, r, HF_ERROR_USAGE, 0, NULL,
				    "a file name with CR or LF cannot be uploaded");
out:
	json_object_put(params);
	return r;
}

_hf_public_ int hf_firmware_upload(hf_client *c, const char *file, const hf_upload_options *o,
				   hf_response **ret)
{
	static const hf_upload_options defaults = HF_UPLOAD_OPTIONS_INIT;
	struct upload_stream u = { .mp.n = 0 };
	struct hf_body_stream stream = { 0 };
	hf_response *us = NULL, *resp = NULL;
	struct hf_buf ct = { 0 }, cookie = { 0 };
	const char *headers[3] = { NULL, NULL, NULL };
	const char *uri, *state = NULL;
	char *token = NULL;
	int fd = -1, sig_fd = -1, r;
	size_t size = 0, sig_size = 0;
	bool dmtf;

	if (!c || !file || !ret)
		return -EINVAL;
	if (!o)
		o = &defaults;
	HF_OPERATION(c);
	memset(&u, 0, sizeof(u));
	if (o->version != HF_UPLOAD_OPTIONS_VERSION || o->protocol < HF_UPLOAD_AUTO ||
	    o->protocol > HF_UPLOAD_DMTF) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "invalid hf_upload_options (version %u, protocol %d)",
				    o->version, o->protocol);
		return -EINVAL;
	}
	/* everything local is checked before anything is sent */
	r = open_upload_file(c, "firmware file", file, &fd, &size);
	if (r == 0 && o->compsig)
		r = open_upload_file(c, "signature file", o->compsig, &sig_fd, &sig_size);
	if (r < 0)
		goto out;

	r = hf_fw_update_service(c, &us);
	if (r < 0)
		goto out;
	if (hf_fw_busy(hf_response_json(us), &state)) {
		r = -EBUSY;
		hf_client_set_error(c, r, HF_ERROR_HTTP_CLIENT, 0, NULL,
				    "the BMC's UpdateService is busy (%s): nothing was uploaded; "
				    "try again once it is done",
				    state);
		goto out;
	}
	uri = hf_fw_str(hf_response_json(us), "MultipartHttpPushUri");
	dmtf = o->protocol == HF_UPLOAD_DMTF || (o->protocol == HF_UPLOAD_AUTO && uri);
	if (!dmtf) {
		uri = hf_fw_str(hf_response_json(us), "HttpPushUri");
		if (!uri)
			uri = hf_fw_str(hf_fw_obj(hf_fw_obj(hf_response_json(us), "Oem"), "Hpe"),
				       "PushUpdateUri");
	}
	if (!uri || (o->targets && o->targets[0] && !dmtf) || (dmtf && o->compsig)) {
		r = -ENOTSUP;
		hf_client_set_error(c, r, HF_ERROR_HTTP_CLIENT, 0, NULL, "%s",
				    !uri ? (dmtf ? "the BMC's UpdateService has no "
						   "MultipartHttpPushUri"
						 : "the BMC's UpdateService has no HttpPushUri")
				    : dmtf ? "a separate signature file (compsig) is HPE's upload "
					     "form only: this BMC takes MultipartHttpPushUri"
					   : "update targets need a BMC with MultipartHttpPushUri "
					     "(DMTF multipart push update)");
		goto out;
	}

	/* the form carries the session's token: log in first (over CHIF without credentials
	 * there is none, and the channel itself is authorised) */
	r = hf_client_login(c);
	if (r < 0)
		goto out;
	r = hf_client_session_dup(c, &token, NULL);
	if (r < 0 && r != -ENOENT)
		goto out;
	r = build_body(c, &u, dmtf, token, file, fd, size, o->compsig, sig_fd, sig_size,
		       o->targets);
	if (r < 0)
		goto out;
	r = hf_buf_printf(&ct, "Content-Type: multipart/form-data; boundary=%s", u.mp.boundary);
	if (r == 0 && token && !dmtf)
		r = hf_buf_printf(&cookie, "Cookie: sessionKey=%s", token);
	if (r < 0)
		goto out;
	headers[0] = ct.data;
	headers[1] = cookie.data; /* NULL ends the list without a cookie */
	u.progress = o->progress;
	u.userdata = o->progress_userdata;
	stream.read = upload_read;
	stream.userdata = &u;
	stream.length = u.mp.length;
	stream.label = file;
	hf_log_info(&c->log, "uploading %s (%zu bytes, %zu with the form) to %s (%s)", file, size,
		    u.mp.length, uri, dmtf ? "DMTF multipart push" : "HPE upload form");
	r = hf_client_request_stream(c, "POST", uri, headers, &stream, &resp);
	if (r < 0)
		goto out;
	if (u.progress && u.sent == u.mp.length)
		u.progress(u.userdata, "upload", (double)u.sent, (double)u.mp.length);
	*ret = resp;
	resp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (sig_fd >= 0)
		close(sig_fd);
	hf_multipart_clear(&u.mp);
	if (cookie.data)
		hf_wipe(cookie.data, cookie.cap);
	hf_buf_free(&cookie);
	hf_buf_free(&ct);
	if (token) {
		hf_wipe(token, strlen(token));
		free(token);
	}
	hf_response_free(us);
	hf_response_free(resp);
	return r;
}

_hf_public_ int hf_firmware_wait(hf_client *c, const hf_response *upload, long timeout_ms,
				 hf_progress_fn progress, void *userdata, hf_response **final)
{
	hf_response *us = NULL;
	int64_t deadline;
	unsigned idle = 0, polls = 0;
	bool seen_busy = false;
	int interrupts_seen, status, r;

	if (!c || !upload || !final)
		return -EINVAL;
	status = hf_response_status(upload);
	if (status == 202)
		return hf_task_wait_response(c, upload, timeout_ms, progress, userdata, final);
	HF_OPERATION(c);
	if (status < 200 || status >= 300) {
		hf_client_set_error(c, -EINVAL, HF_ERROR_USAGE, status, NULL,
				    "the upload failed (%d): there is nothing to wait for", status);
		return -EINVAL;
	}
	interrupts_seen = __atomic_load_n(&c->interrupts, __ATOMIC_SEQ_CST);
	deadline = hf_now_ms() + hf_task_timeout_ms(timeout_ms);
	/* iLO: Oem.Hpe.State goes Verifying, Writing, (Updating,) then Complete or Error */
	for (;;) {
		const char *state, *busy = NULL;
		int64_t now;
		long wait_ms = HF_TASK_POLL_MS;

		r = hf_fw_update_service(c, &us);
		if (r < 0)
			return r;
		polls++;
		state = hf_update_state_of(hf_response_json(us));
		if (hf_fw_busy(hf_response_json(us), &busy)) {
			seen_busy = true;
			idle = 0;
		} else if (state && strcmp(state, "Idle") == 0) {
			idle++;
		}
		/* done: a final state; no state at all (nothing to follow); Idle after the
		 * work, or Idle three times in a row (it was over before the first poll) */
		if (!state || strcmp(state, "Complete") == 0 || strcmp(state, "Error") == 0 ||
		    (idle && seen_busy) || idle >= 3) {
			hf_log_debug(&c->log, "update state %s after %u polls",
				     state ? state : "(none)", polls);
			*final = us;
			return 0;
		}
		if (progress && progress(userdata, "task", 0, 0)) {
			hf_response_free(us);
			hf_client_set_error(c, -ECANCELED, HF_ERROR_USAGE, 0, NULL,
					    "waiting for the update: cancelled");
			return -ECANCELED;
		}
		now = hf_now_ms();
		if (now >= deadline) {
			/* state points into us: the message first, then us goes */
			hf_client_set_error(c, -ETIMEDOUT, HF_ERROR_TIMEOUT, 0, NULL,
					    "the update is still %s after %ld s (%u polls)", state,
					    hf_task_timeout_ms(timeout_ms) / 1000, polls);
			hf_response_free(us);
			return -ETIMEDOUT;
		}
		hf_response_free(us);
		us = NULL;
		if (now + wait_ms > deadline)
			wait_ms = (long)(deadline - now);
		r = hf_sleep_interruptible(c, wait_ms, interrupts_seen);
		if (r < 0) {
			hf_client_set_error(c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "waiting for the update: interrupted");
			return r;
		}
	}
}
