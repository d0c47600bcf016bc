/* SPDX-License-Identifier: MIT */
/*
 * fwpkg.c - HPE .fwpkg packages: zip archives with payload.json, read with libzip (never by
 * hand), classified image by image as HPE's flashfwpkg (python-redfish-utility,
 * FwpkgCommand.get_comp_type) does:
 *  - UpdatableBy with Uefi and RuntimeAgent: D (not flashable through the BMC);
 *  - UpdatableBy with Uefi and Bmc: decided by the FirmwareInventory (Oem.Hpe.Targets,
 *    DeviceContext, Updateable), see hf_fwpkg_classify_inventory();
 *  - else per image: DirectFlashOk -> A (B when ResetRequired), else UefiFlashable -> C,
 *    else D.  As in HPE's loop, a B or C image ends its device's images and the last device
 *    decides the package's type.
 * Entries are read as streams: nothing the size of an image is held in memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zip.h>

#include "hostfish-private.h"
#include "fwpkg-private.h"

static int fail(char *err, size_t len, const char *fmt, ...) _hf_printf_(3, 4);
static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct json_object *get(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, t))
		return v;
	return NULL;
}

/* HPE's tool also accepts "UEFIFlashable" */
static struct json_object *get_ci(struct json_object *o, const char *key, enum json_type t)
{
	json_object_object_foreach(o, k, v)
	{
		if (strcasecmp(k, key) == 0 && json_object_is_type(v, t))
			return v;
	}
	return NULL;
}

static int read_payload(struct hf_fwpkg *p, char *err, size_t errlen)
{
	struct zip_stat st;
	struct zip_file *f = NULL;
	struct json_tokener *tok = NULL;
	char *text = NULL;
	zip_int64_t n;
	size_t end;
	int r = -EINVAL;

	zip_stat_init(&st);
	if (zip_stat(p->zip, "payload.json", 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return fail(err, errlen, "the package has no payload.json");
	if (st.size == 0 || st.size > HF_FWPKG_MAX_PAYLOAD)
		return fail(err, errlen, "the package's payload.json is %s",
			    st.size ? "over 1 MiB" : "empty");
	text = malloc(st.size + 1);
	f = zip_fopen(p->zip, "payload.json", 0);
	if (!text || !f) {
		r = text ? fail(err, errlen, "cannot read payload.json: %s", zip_strerror(p->zip))
			 : -ENOMEM;
		goto out;
	}
	n = zip_fread(f, text, st.size);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		r = fail(err, errlen, "cannot read payload.json: %s", zip_file_strerror(f));
		goto out;
	}
	text[n] = '\0';
	tok = json_tokener_new();
	p->payload = tok ? json_tokener_parse_ex(tok, text, (int)n) : NULL;
	if (!p->payload || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(p->payload, json_type_object)) {
		enum json_tokener_error e = tok ? json_tokener_get_error(tok) : json_tokener_success;

		r = fail(err, errlen, "payload.json is not a JSON object%s%s",
			 e == json_tokener_success ? "" : ": ",
			 e == json_tokener_continue ? "it ends early"
			 : e == json_tokener_success ? ""
						     : json_tokener_error_desc(e));
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	end += strspn(text + end, " \t\r\n");
	if (end != (size_t)n) {
		r = fail(err, errlen, "payload.json has more after the JSON object");
		goto out;
	}
	r = 0;
out:
	if (tok)
		json_tokener_free(tok);
	if (f)
		zip_fclose(f);
	free(text);
	return r;
}

/* <base>.compsig, else the first <base>*.compsig that is not a section's <base>_partN.compsig */
static char *find_compsig(struct zip *z, const char *file)
{
	const char *dot = strrchr(file, '.');
	size_t base = dot ? (size_t)(dot - file) : strlen(file);
	zip_int64_t i, n = zip_get_num_entries(z, 0);
	char *best = NULL;

	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
		size_t len = name ? strlen(name) : 0;

		if (!name || len < base + 8 || strncmp(name, file, base) != 0 ||
		    strcmp(name + len - 8, ".compsig") != 0 || strncmp(name + base, "_part", 5) == 0)
			continue;
		if (len == base + 8) {
			free(best);
			return hf_strdup(name);
		}
		if (!best)
			best = hf_strdup(name);
	}
	return best;
}

/* a FileName as HPE's packages have them: no path, no quote or backslash (it goes into the
 * upload's form and the task queue), no control character (it is shown) */
static bool valid_file_name(const char *s)
{
	const unsigned char *p;

	if (!s || !*s || strpbrk(s, "/\\\"") || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static char classify_image(const struct hf_fwpkg_image *im)
{
	if (im->direct)
		return im->reset ? 'B' : 'A';
	return im->uefi ? 'C' : 'D';
}

static int read_image(struct hf_fwpkg *p, struct json_object *jim, char *err, size_t errlen)
{
	struct hf_fwpkg_image *im = &p->img[p->n_img];
	struct json_object *v;
	struct zip_stat st;

	if (p->n_img == HF_FWPKG_MAX_IMAGES)
		return fail(err, errlen, "payload.json lists over %d images", HF_FWPKG_MAX_IMAGES);
	im->file = json_object_get_string(get(jim, "FileName", json_type_string));
	if (!valid_file_name(im->file))
		return fail(err, errlen, "payload.json: an image without a valid FileName");
	v = get_ci(jim, "DirectFlashOk", json_type_boolean);
	if (!v)
		return fail(err, errlen, "payload.json: image %s has no DirectFlashOk", im->file);
	im->direct = json_object_get_boolean(v);
	v = get(jim, "ResetRequired", json_type_boolean);
	im->reset = v && json_object_get_boolean(v);
	v = get_ci(jim, "UefiFlashable", json_type_boolean);
	if (!v && !im->direct)
		return fail(err, errlen, "payload.json: image %s has neither DirectFlashOk nor "
					 "UefiFlashable", im->file);
	im->uefi = v && json_object_get_boolean(v);
	im->type = classify_image(im);
	zip_stat_init(&st);
	if (zip_stat(p->zip, im->file, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		return fail(err, errlen, "payload.json names %s, which the package lacks",
			    im->file);
	im->size = st.size;
	im->compsig = find_compsig(p->zip, im->file);
	p->n_img++;
	return 0;
}

static int read_devices(struct hf_fwpkg *p, char *err, size_t errlen)
{
	struct json_object *devs = get(get(p->payload, "Devices", json_type_object), "Device",
				       json_type_array);
	size_t i, j, n;
	int r;

	if (!devs || json_object_array_length(devs) == 0)
		return fail(err, errlen, "payload.json has no Devices.Device[]");
	n = json_object_array_length(devs);
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		struct json_object *ims = get(d, "FirmwareImages", json_type_array);
		const char *target = json_object_get_string(get(d, "Target", json_type_string));
		char dev_type = 0;

		if (!ims || json_object_array_length(ims) == 0)
			return fail(err, errlen, "payload.json: device %zu has no FirmwareImages[]",
				    i + 1);
		if (target && p->n_targets < HF_FWPKG_MAX_TARGETS)
			p->targets[p->n_targets++] = target;
		for (j = 0; j < json_object_array_length(ims); j++) {
			r = read_image(p, json_object_array_get_idx(ims, j), err, errlen);
			if (r < 0)
				return r;
			/* HPE's loop: the decision of the device's last image, B and C stop it */
			if (dev_type != 'B' && dev_type != 'C')
				dev_type = p->img[p->n_img - 1].type;
		}
		p->type = dev_type;
	}
	return 0;
}

static bool has(struct json_object *arr, const char *s)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));

		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

static int open_zip(const char *path, struct zip **ret, char *err, size_t errlen)
{
	struct stat st;
	zip_error_t ze;
	int fd, code = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return fail(err, errlen, "%s is not a non-empty regular file", path);
	}
	/* zip_fdopen takes the descriptor on success */
	*ret = zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	if (!*ret) {
		close(fd);
		zip_error_init_with_code(&ze, code);
		fail(err, errlen, "%s is not a valid zip archive: %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -EINVAL;
	}
	return 0;
}

int hf_fwpkg_open(const char *path, struct hf_fwpkg **ret, char *err, size_t errlen)
{
	struct hf_fwpkg *p = calloc(1, sizeof(*p));
	struct json_object *by;
	const char *fmt;
	int r;

	if (!p)
		return -ENOMEM;
	r = open_zip(path, &p->zip, err, errlen);
	if (r == 0)
		r = read_payload(p, err, errlen);
	if (r < 0)
		goto fail;
	by = get(p->payload, "UpdatableBy", json_type_array);
	if (!by || json_object_array_length(by) == 0) {
		r = fail(err, errlen, "payload.json has no UpdatableBy[]");
		goto fail;
	}
	p->by_bmc = has(by, "Bmc");
	p->by_uefi = has(by, "Uefi");
	p->by_agent = has(by, "RuntimeAgent");
	fmt = json_object_get_string(get(p->payload, "PackageFormat", json_type_string));
	p->v2 = fmt && strcmp(fmt, "FWPKG-v2") == 0;
	r = read_devices(p, err, errlen);
	if (r < 0)
		goto fail;
	if (p->by_uefi && p->by_agent)
		p->type = 'D';
	else if (p->by_uefi && p->by_bmc)
		p->type = 'I';
	*ret = p;
	return 0;
fail:
	hf_fwpkg_free(p);
	return r;
}

void hf_fwpkg_free(struct hf_fwpkg *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_img; i++)
		free(p->img[i].compsig);
	json_object_put(p->payload);
	if (p->zip)
		zip_discard(p->zip);
	free(p);
}

static bool member_matches(struct hf_fwpkg *p, struct json_object *hpe)
{
	struct json_object *t = get(hpe, "Targets", json_type_array);
	size_t i;

	for (i = 0; t && i < p->n_targets; i++)
		if (has(t, p->targets[i]))
			return true;
	return false;
}

int hf_fwpkg_classify_inventory(struct hf_fwpkg *p, struct json_object *inventory,
				const char **targets, size_t max, size_t *n, char *type2)
{
	bool direct = false, queued = false;
	size_t i, len = json_object_array_length(inventory);

	*n = 0;
	*type2 = 0;
	for (i = 0; i < len; i++) {
		struct json_object *m = json_object_array_get_idx(inventory, i);
		struct json_object *hpe = get(get(m, "Oem", json_type_object), "Hpe",
					      json_type_object);
		struct json_object *upd = get(m, "Updateable", json_type_boolean);
		const char *ctx = json_object_get_string(get(hpe, "DeviceContext",
							     json_type_string));
		const char *id = json_object_get_string(get(m, "@odata.id", json_type_string));

		if (!member_matches(p, hpe))
			continue;
		if (!ctx)
			return -EAGAIN;
		/* HPE: a slot device ("Slot=N:...") counts only when Updateable (iLO 6 1.69+);
		 * on board, Updateable means direct (B), not Updateable the task queue (C) */
		if (upd && json_object_get_boolean(upd))
			direct = true;
		else if (strstr(ctx, "Slot=") && strchr(ctx, ':'))
			continue;
		else
			queued = true;
		if (id && *n < max)
			targets[(*n)++] = id;
	}
	if (!direct && !queued)
		return -ENODEV;
	p->type = direct ? 'B' : 'C';
	if (direct && queued)
		*type2 = 'C';
	return 0;
}

size_t hf_fwpkg_targets(struct hf_fwpkg *p, struct json_object *inventory, const char **targets,
			size_t max)
{
	size_t i, n = 0, len = json_object_array_length(inventory);

	for (i = 0; i < len && n < max; i++) {
		struct json_object *m = json_object_array_get_idx(inventory, i);
		const char *id = json_object_get_string(get(m, "@odata.id", json_type_string));

		if (id && member_matches(p, get(get(m, "Oem", json_type_object), "Hpe",
						json_type_object)))
			targets[n++] = id;
	}
	return n;
}

const char *hf_fwpkg_device_version(struct hf_fwpkg *p, struct json_object *member)
{
	struct json_object *devs = get(get(p->payload, "Devices", json_type_object), "Device",
				       json_type_array);
	struct json_object *t = get(get(get(member, "Oem", json_type_object), "Hpe",
					json_type_object),
				    "Targets", json_type_array);
	size_t i;

	for (i = 0; t && devs && i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		const char *target = json_object_get_string(get(d, "Target", json_type_string));

		if (target && has(t, target))
			return json_object_get_string(get(d, "Version", json_type_string));
	}
	return NULL;
}

int hf_fwpkg_entry_open(struct hf_fwpkg *p, const char *name, struct zip_file **ret)
{
	*ret = zip_fopen(p->zip, name, 0);
	return *ret ? 0 : -EIO;
}

int hf_zip_read(void *reader, void *buf, size_t len, size_t *got)
{
	struct hf_zip_reader *z = reader;
	zip_int64_t n;

	if (len > z->left)
		len = (size_t)z->left;
	if (len == 0) {
		*got = 0;
		return 0;
	}
	n = zip_fread(z->f, buf, len);
	if (n <= 0)
		return -EIO;
	z->left -= (uint64_t)n;
	*got = (size_t)n;
	return 0;
}
