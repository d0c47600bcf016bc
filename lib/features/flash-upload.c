/* SPDX-License-Identifier: MIT */
/*
 * flash-upload.c - the uploads of hf_firmware_flash(): HPE's form to HttpPushUri, one per
 * piece or per 32 MiB section, as python-redfish-utility's uploadcomp sends them: fields
 * sessionKey, parameters {UpdateRepository, UpdateTarget, ETag, Section, UpdateRecoverySet,
 * TPMOverride}, compsig (named <base>.compsig, its content the section's
 * <base>_partN.compsig) and file (the component's own name for every section); the ETag is
 * "sum" and the file name without '.', '-' and '_', the same for every section.  Each upload
 * is waited for (Oem.Hpe.State) before the next one goes.  Files and zip entries are streamed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zip.h>

#include "client-private.h"
#include "firmware-private.h"
#include "flash-private.h"
#include "task-private.h"

static char *base_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return hf_strndup(name, dot && dot != name ? (size_t)(dot - name) : strlen(name));
}

char *hf_flash_part_entry(const char *name, unsigned i)
{
	struct hf_buf b = { 0 };
	char *base = base_of(name);
	int r = base ? hf_buf_printf(&b, "%s_part%u.compsig", base, i) : -ENOMEM;

	free(base);
	return r < 0 ? NULL : hf_buf_steal(&b);
}

char *hf_flash_part_sig(const char *sig_path, const char *name, unsigned i)
{
	const char *slash = strrchr(sig_path, '/');
	struct hf_buf b = { 0 };
	char *entry = hf_flash_part_entry(name, i);
	int r;

	if (!entry)
		return NULL;
	r = slash ? hf_buf_printf(&b, "%.*s/%s", (int)(slash - sig_path), sig_path, entry)
		  : hf_buf_appends(&b, entry);
	free(entry);
	return r < 0 ? NULL : hf_buf_steal(&b);
}

static char *etag_of(const char *name)
{
	struct hf_buf b = { 0 };
	const char *p;

	if (hf_buf_appends(&b, "sum") < 0)
		return NULL;
	for (p = name; *p; p++)
		if (*p != '.' && *p != '-' && *p != '_' && hf_buf_append(&b, p, 1) < 0)
			return NULL;
	return hf_buf_steal(&b);
}

/* ---- one section ---- */

struct section {
	struct hf_flash *f;
	struct hf_multipart mp;
	struct hf_zip_reader file_z, sig_z;
	int sig_fd;
};

static int counted_read(void *p, void *buf, size_t len, size_t *got)
{
	struct section *s = p;
	const hf_flash_options *o = s->f->o;
	int r = hf_multipart_read(&s->mp, buf, len, got);

	if (r < 0)
		return r;
	s->f->sent += *got;
	if (o->progress &&
	    o->progress(o->progress_userdata, "upload", (double)s->f->sent, (double)s->f->total))
		return -ECANCELED;
	return 0;
}

static const char *params_text(struct hf_flash *f, const char *name, bool target, unsigned idx,
			       struct json_object **ret)
{
	struct json_object *j = json_object_new_object();
	char *etag = etag_of(name);

	if (!j || !etag) {
		json_object_put(j);
		free(etag);
		return NULL;
	}
	json_object_object_add(j, "UpdateRepository", json_object_new_boolean(1));
	json_object_object_add(j, "UpdateTarget", json_object_new_boolean(target));
	json_object_object_add(j, "ETag", json_object_new_string(etag));
	json_object_object_add(j, "Section", json_object_new_int((int)idx));
	json_object_object_add(j, "UpdateRecoverySet", json_object_new_boolean(f->o->recovery_set));
	json_object_object_add(j, "TPMOverride", json_object_new_boolean(f->o->tpm_override));
	free(etag);
	*ret = j;
	return json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* the section's signature part: a file next to --compsig, or an entry of the package */
static int add_sig(struct section *s, const struct hf_flash_piece *p, unsigned idx,
		   const char *sig_name)
{
	struct hf_flash *f = s->f;
	char *path = NULL;
	struct stat st;
	int r;

	if (p->sig_entry) {
		char *entry = p->sections > 1 ? hf_flash_part_entry(p->name, idx + 1) : NULL;
		struct zip_stat zs;

		if (p->sections > 1 && !entry)
			return -ENOMEM;
		zip_stat_init(&zs);
		r = zip_stat(f->pkg->zip, entry ? entry : p->sig_entry, 0, &zs) == 0 &&
				    (zs.valid & ZIP_STAT_SIZE)
			    ? hf_fwpkg_entry_open(f->pkg, entry ? entry : p->sig_entry,
						  &s->sig_z.f)
			    : -EIO;
		free(entry);
		if (r < 0)
			return r;
		s->sig_z.left = zs.size;
		return hf_multipart_add_stream(&s->mp, "compsig", sig_name, hf_zip_read,
					       &s->sig_z, (size_t)zs.size);
	}
	path = p->sections > 1 ? hf_flash_part_sig(p->sig_path, p->name, idx + 1)
			       : hf_strdup(p->sig_path);
	if (!path)
		return -ENOMEM;
	s->sig_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	free(path);
	if (s->sig_fd < 0 || fstat(s->sig_fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EIO;
	return hf_multipart_add_file(&s->mp, "compsig", sig_name, s->sig_fd, (size_t)st.st_size);
}

static int build_section(struct section *s, const struct hf_flash_piece *p, bool target,
			 unsigned idx, int fd, struct zip_file *zf, uint64_t len)
{
	struct json_object *params = NULL;
	char *sig_name = NULL;
	const char *text;
	int r;

	r = hf_multipart_init(&s->mp, NULL);
	if (r < 0)
		return r;
	text = params_text(s->f, p->name, target, idx, &params);
	if (!text)
		return -ENOMEM;
	if (s->f->token)
		r = hf_multipart_add_field(&s->mp, "sessionKey", NULL, s->f->token,
					   strlen(s->f->token));
	if (r == 0)
		r = hf_multipart_add_field(&s->mp, "parameters", "application/json", text,
					   strlen(text));
	json_object_put(params);
	if (r == 0 && (p->sig_path || p->sig_entry)) {
		char *base = base_of(p->name);
		struct hf_buf b = { 0 };

		r = base ? hf_buf_printf(&b, "%s.compsig", base) : -ENOMEM;
		free(base);
		sig_name = r == 0 ? hf_buf_steal(&b) : NULL;
		r = r == 0 ? add_sig(s, p, idx, sig_name) : r;
	}
	if (r == 0 && zf) {
		s->file_z.f = zf;
		s->file_z.left = len;
		r = hf_multipart_add_stream(&s->mp, "file", p->name, hf_zip_read, &s->file_z,
					    (size_t)len);
	} else if (r == 0) {
		r = hf_multipart_add_file(&s->mp, "file", p->name, fd, (size_t)len);
	}
	free(sig_name);
	return r == 0 ? hf_multipart_finish(&s->mp) : r;
}

static int answer_error(hf_client *c, const char *uri, hf_response *resp)
{
	int status = hf_response_status(resp);

	hf_client_set_error(c, -EREMOTEIO,
			    status == 401   ? HF_ERROR_AUTH
			    : status >= 500 ? HF_ERROR_HTTP_SERVER
					    : HF_ERROR_HTTP_CLIENT,
			    status, hf_response_redfish_error(resp), "POST %s: %d %s", uri, status,
			    hf_response_reason(resp));
	return -EREMOTEIO;
}

static int send_section(struct hf_flash *f, const struct hf_flash_piece *p, bool target,
			unsigned idx, int fd, struct zip_file *zf, uint64_t len)
{
	struct section s = { .f = f, .sig_fd = -1 };
	struct hf_body_stream stream = { 0 };
	struct hf_buf ct = { 0 }, cookie = { 0 };
	const char *headers[3] = { NULL, NULL, NULL };
	hf_response *resp = NULL;
	int r;

	r = build_section(&s, p, target, idx, fd, zf, len);
	if (r == -EIO)
		hf_client_set_error(f->c, -EINVAL, HF_ERROR_USAGE, 0, NULL,
				    "cannot read the signature of %s (section %u)", p->name,
				    idx + 1);
	if (r < 0)
		goto out;
	r = hf_buf_printf(&ct, "Content-Type: multipart/form-data; boundary=%s", s.mp.boundary);
	if (r == 0 && f->token)
		r = hf_buf_printf(&cookie, "Cookie: sessionKey=%s", f->token);
	if (r < 0)
		goto out;
	headers[0] = ct.data;
	headers[1] = cookie.data;
	stream.read = counted_read;
	stream.userdata = &s;
	stream.length = s.mp.length;
	stream.label = p->name;
	hf_log_info(&f->c->log, "uploading %s, section %u of %u (%llu bytes): UpdateTarget %s",
		    p->name, idx + 1, p->sections, (unsigned long long)len,
		    target ? "true" : "false");
	r = hf_client_request_stream(f->c, "POST", f->push_uri, headers, &stream, &resp);
	if (r == 0 && (hf_response_status(resp) < 200 || hf_response_status(resp) >= 300))
		r = answer_error(f->c, f->push_uri, resp);
out:
	if (s.sig_z.f)
		zip_fclose(s.sig_z.f);
	if (s.sig_fd >= 0)
		close(s.sig_fd);
	hf_multipart_clear(&s.mp);
	if (cookie.data)
		hf_wipe(cookie.data, cookie.cap);
	hf_buf_free(&cookie);
	hf_buf_free(&ct);
	hf_response_free(resp);
	return r;
}

static void report_upload(struct hf_flash *f, const struct hf_flash_piece *p, bool target)
{
	struct json_object *u = json_object_new_object(), *arr;

	if (!u)
		return;
	json_object_object_add(u, "Filename", json_object_new_string(p->name));
	json_object_object_add(u, "Size", json_object_new_int64((int64_t)p->size));
	json_object_object_add(u, "Sections", json_object_new_int((int)p->sections));
	json_object_object_add(u, "UpdateTarget", json_object_new_boolean(target));
	json_object_object_add(u, "UpdateRepository", json_object_new_boolean(1));
	if (!json_object_object_get_ex(f->report, "Uploads", &arr)) {
		arr = json_object_new_array();
		json_object_object_add(f->report, "Uploads", arr);
	}
	json_object_array_add(arr, u);
}

int hf_flash_send_piece(struct hf_flash *f, const struct hf_flash_piece *p, bool target,
			bool wait_last)
{
	struct zip_file *zf = NULL;
	uint64_t left = p->size;
	unsigned i;
	int fd = -1, r = 0;

	if (p->entry) {
		r = hf_fwpkg_entry_open(f->pkg, p->entry, &zf);
	} else {
		fd = open(f->file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		r = fd < 0 ? -errno : 0;
	}
	if (r < 0) {
		hf_client_set_error(f->c, -EINVAL, HF_ERROR_USAGE, 0, NULL, "cannot read %s: %s",
				    p->name, strerror(-r));
		return -EINVAL;
	}
	/* sections are read one after the other from the same descriptor or zip stream */
	for (i = 0; i < p->sections && r == 0; i++) {
		uint64_t len = left > HF_FLASH_SECTION_SIZE && p->sections > 1
				       ? HF_FLASH_SECTION_SIZE
				       : left;

		r = send_section(f, p, target, i, fd, zf, len);
		if (r == 0)
			f->accepted++;
		left -= len;
		if (r == 0 && (i + 1 < p->sections || wait_last))
			r = hf_flash_wait_state(f);
	}
	if (zf)
		zip_fclose(zf);
	if (fd >= 0)
		close(fd);
	if (r == 0)
		report_upload(f, p, target);
	return r;
}

/* ---- the wait ---- */

/* Oem.Hpe.Result of a failed update as a Redfish error completed from the registries */
static void set_failure(struct hf_flash *f, struct json_object *hpe, const char *state)
{
	struct json_object *res = hf_fw_obj(hpe, "Result");
	struct hf_transport_response t = { .status = 200 };
	hf_response *resp = NULL;
	const char *id = hf_fw_str(res, "MessageId");

	if (id && hf_buf_printf(&t.body,
				"{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"message\":"
				"\"See @Message.ExtendedInfo for more information.\","
				"\"@Message.ExtendedInfo\":[%s]}}",
				json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)) == 0 &&
	    hf_response_build(&resp, "GET", "", "", NULL, 0, &t, 1 << 20) == 0)
		hf_client_resolve_messages(f->c, resp);
	hf_transport_response_clear(&t);
	hf_client_set_error(f->c, -EREMOTEIO, HF_ERROR_HTTP_SERVER, 0,
			    resp ? hf_response_redfish_error(resp) : NULL,
			    "the flash failed: the BMC reports the update state %s%s%s", state,
			    id ? ": " : "", id ? id : "");
	hf_response_free(resp);
}

/* The UpdateService; for a flash of the iLO itself, without re-login nor retries: a failure
 * after the work began is the iLO's reset (1). */
static int get_us(struct hf_flash *f, bool seen_busy, int64_t deadline, hf_response **us)
{
	int r, status;

	if (!f->may_reset || !f->us_uri)
		return hf_fw_update_service(f->c, us);
	r = hf_client_send_until(f->c, "GET", f->us_uri, HF_SEND_AUTH | HF_SEND_NO_RETRY,
				 deadline, us);
	status = r == 0 ? hf_response_status(*us) : 0;
	if (r == -EINTR || r == -ECANCELED || r == -ENOMEM)
		return r;
	if (seen_busy && (r < 0 || status == 401 || status == 404 || status >= 500)) {
		hf_log_info(&f->c->log, "the iLO stopped answering after its flash (%s): its reset",
			    r < 0 ? strerror(-r) : "its session is gone");
		hf_response_free(*us);
		*us = NULL;
		f->gone = true;
		return 1;
	}
	if (r == 0 && (status < 200 || status >= 300 || !hf_response_json(*us))) {
		hf_response_free(*us);
		*us = NULL;
		return hf_fw_update_service(f->c, us);
	}
	return r;
}

static int poll_once(struct hf_flash *f, unsigned *idle, bool *seen_busy, const char **state,
		     hf_response **us, int64_t deadline)
{
	struct json_object *hpe;
	const char *busy = NULL;
	const hf_flash_options *o = f->o;
	int r = get_us(f, *seen_busy, deadline, us);

	if (r != 0)
		return r;
	hpe = hf_fw_obj(hf_fw_obj(hf_response_json(*us), "Oem"), "Hpe");
	*state = hf_update_state_of(hf_response_json(*us));
	if (hf_fw_busy(hf_response_json(*us), &busy)) {
		struct json_object *pct;

		*seen_busy = true;
		*idle = 0;
		if (o->progress && json_object_object_get_ex(hpe, "FlashProgressPercent", &pct) &&
		    o->progress(o->progress_userdata, "flash", json_object_get_double(pct), 100))
			return -ECANCELED;
	} else if (*state && strcmp(*state, "Idle") == 0) {
		(*idle)++;
	}
	if (*state && strcmp(*state, "Error") == 0) {
		set_failure(f, hpe, *state);
		return -EREMOTEIO;
	}
	if (!*state || strcmp(*state, "Complete") == 0 || (*idle && *seen_busy) || *idle >= 3) {
		if (o->progress)
			o->progress(o->progress_userdata, "flash", 100, 100);
		return 1;
	}
	return 0;
}

int hf_flash_wait_state(struct hf_flash *f)
{
	long bound = hf_task_timeout_ms(f->o->wait_timeout_ms);
	int64_t deadline = hf_now_ms() + bound;
	unsigned idle = 0;
	bool seen_busy = false;
	int r;

	for (;;) {
		hf_response *us = NULL;
		const char *state = NULL;
		int64_t now;
		long wait_ms = HF_TASK_POLL_MS;

		r = poll_once(f, &idle, &seen_busy, &state, &us, deadline);
		if (r != 0) {
			hf_response_free(us);
			if (r == -ECANCELED)
				hf_client_set_error(f->c, r, HF_ERROR_USAGE, 0, NULL,
						    "waiting for the flash: cancelled");
			return r < 0 ? r : 0;
		}
		now = hf_now_ms();
		if (now >= deadline) {
			hf_client_set_error(f->c, -ETIMEDOUT, HF_ERROR_TIMEOUT, 0, NULL,
					    "the update is still %s after %ld s", state,
					    bound / 1000);
			hf_response_free(us);
			return -ETIMEDOUT;
		}
		hf_response_free(us);
		if (now + wait_ms > deadline)
			wait_ms = (long)(deadline - now);
		r = hf_sleep_interruptible(f->c, wait_ms, f->interrupts_seen);
		if (r < 0) {
			hf_client_set_error(f->c, r, HF_ERROR_TRANSPORT, 0, NULL,
					    "waiting for the flash: interrupted");
			return r;
		}
	}
}
