/* SPDX-License-Identifier: MIT */
/*
 * smbios.c - SMBIOS entry points, the structure table walker and the loader.
 *
 * Entry points (DSP0134 5.2): "_SM_" (32-bit, 1Fh bytes, with the "_DMI_" intermediate
 * anchor at 10h; the table length is exact) and "_SM3_" (64-bit, 18h bytes; the table length
 * is a maximum and the table ends at the end-of-table structure, type 127).  The Type 42
 * decoder is in smbios-type42.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostfish-private.h"
#include "smbios.h"

#define SM_EP_LEN 0x1f
#define SM_EP_LEN_MIN 0x1e /* SMBIOS 2.1 said 1Eh by mistake */
#define SM3_EP_LEN 0x18
#define SMBIOS_MAX_FILE ((size_t)16 << 20) /* far above any real table */
#define SYSFS_EP "sys/firmware/dmi/tables/smbios_entry_point"
#define SYSFS_DMI "sys/firmware/dmi/tables/DMI"

#define TYPE_END_OF_TABLE 127
#define TYPE_HOST_INTERFACE 42
/* Real tables hold a handful of Type 42 structures; this bounds the memory a crafted table
 * (thousands of tiny Type 42s claiming 255 records each) can make the decoder use. */
#define MAX_TYPE42 64

struct ep_info {
	const char *anchor;
	size_t size; /* the entry point's own length */
	uint8_t major, minor, docrev;
	uint64_t table_addr;
	uint32_t table_len;
	uint16_t count; /* _SM_ only */
	bool exact; /* _SM_: the table length is exact, not a maximum */
	bool csum_ok;
	bool dmi_csum_ok; /* _SM_ intermediate ("_DMI_") checksum */
};

/* ---- names ---- */

const char *hf_smbios_interface_type_name(uint8_t type)
{
	if (type == HF_SMBIOS_IFTYPE_KCS)
		return "kcs";
	if (type >= 0x03 && type <= 0x08)
		return "uart";
	if (type <= 0x3f)
		return "mctp";
	if (type == HF_SMBIOS_IFTYPE_NETWORK)
		return "network";
	if (type == HF_SMBIOS_IFTYPE_OEM)
		return "oem";
	return "unknown";
}

const char *hf_smbios_device_type_name(uint8_t type)
{
	switch (type) {
	case HF_SMBIOS_DEV_USB:
		return "usb";
	case HF_SMBIOS_DEV_PCI:
		return "pci";
	case HF_SMBIOS_DEV_USB_V2:
		return "usb-v2";
	case HF_SMBIOS_DEV_PCI_V2:
		return "pci-v2";
	}
	return type >= HF_SMBIOS_DEV_OEM_FIRST ? "oem" : "unknown";
}

const char *hf_smbios_protocol_name(uint8_t type)
{
	switch (type) {
	case HF_SMBIOS_PROTO_IPMI:
		return "ipmi";
	case HF_SMBIOS_PROTO_MCTP:
		return "mctp";
	case HF_SMBIOS_PROTO_REDFISH_OVER_IP:
		return "redfish-over-ip";
	case HF_SMBIOS_PROTO_OEM:
		return "oem";
	}
	return "unknown";
}

const char *hf_smbios_ip_assignment_name(uint8_t type)
{
	static const char *const names[] = { "unknown", "static", "dhcp", "autoconf",
					     "host-selected" };

	return type < HF_ARRAY_SIZE(names) ? names[type] : "reserved";
}

const char *hf_smbios_ip_format_name(uint8_t format)
{
	static const char *const names[] = { "unknown", "ipv4", "ipv6" };

	return format < HF_ARRAY_SIZE(names) ? names[format] : "reserved";
}

/* ---- the result ---- */

__attribute__((format(printf, 3, 0))) static int add_message(char ***list, size_t *n,
							     const char *fmt, va_list ap)
{
	char **p, *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	p = realloc(*list, (*n + 1) * sizeof(**list));
	if (!p) {
		free(msg);
		return -ENOMEM;
	}
	p[(*n)++] = msg;
	*list = p;
	return 0;
}

int hf_smbios_add_warning(struct hf_smbios *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_message(&s->warnings, &s->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

int hf_smbios_add_error(struct hf_smbios *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_message(&s->errors, &s->n_errors, fmt, ap);
	va_end(ap);
	return r;
}

void hf_smbios_free(struct hf_smbios *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->n_hostif; i++) {
		struct hf_smbios_hostif *h = &s->hostif[i];

		free(h->device.serial);
		for (j = 0; j < h->n_protocols; j++)
			free(h->protocols[j].rfip.hostname);
		free(h->protocols);
	}
	free(s->hostif);
	for (i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	for (i = 0; i < s->n_errors; i++)
		free(s->errors[i]);
	free(s->errors);
	free(s);
}

/* ---- entry points ---- */

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

static int parse_entry_point(const uint8_t *ep, size_t len, struct ep_info *ei, char *err,
			     size_t errlen)
{
	memset(ei, 0, sizeof(*ei));
	if (len == 0) {
		snprintf(err, errlen, "empty SMBIOS entry point");
		return -EBADMSG;
	}
	if (len >= 5 && memcmp(ep, "_SM3_", 5) == 0) {
		if (len < SM3_EP_LEN) {
			snprintf(err, errlen, "truncated _SM3_ entry point (%zu of %d bytes)", len,
				 SM3_EP_LEN);
			return -EBADMSG;
		}
		ei->size = ep[0x06];
		if (ei->size < SM3_EP_LEN || ei->size > len) {
			snprintf(err, errlen,
				 "_SM3_ entry point length %zu is invalid (%d expected, %zu available)",
				 ei->size, SM3_EP_LEN, len);
			return -EBADMSG;
		}
		ei->anchor = "_SM3_";
		ei->csum_ok = checksum_ok(ep, ei->size);
		ei->dmi_csum_ok = true;
		ei->major = ep[0x07];
		ei->minor = ep[0x08];
		ei->docrev = ep[0x09];
		ei->table_len = hf_le32(ep + 0x0c);
		ei->table_addr = hf_le64(ep + 0x10);
		return 0;
	}
	if (len >= 4 && memcmp(ep, "_SM_", 4) == 0) {
		/* the intermediate area runs to 1Eh whatever the length byte says */
		if (len < SM_EP_LEN) {
			snprintf(err, errlen, "truncated _SM_ entry point (%zu of %d bytes)", len,
				 SM_EP_LEN);
			return -EBADMSG;
		}
		ei->size = ep[0x05];
		if (ei->size < SM_EP_LEN_MIN || ei->size > len) {
			snprintf(err, errlen,
				 "_SM_ entry point length %zu is invalid (%d expected, %zu available)",
				 ei->size, SM_EP_LEN, len);
			return -EBADMSG;
		}
		if (memcmp(ep + 0x10, "_DMI_", 5) != 0) {
			snprintf(err, errlen, "_SM_ entry point without its _DMI_ anchor at 10h");
			return -EBADMSG;
		}
		ei->anchor = "_SM_";
		ei->exact = true;
		ei->csum_ok = checksum_ok(ep, ei->size);
		ei->dmi_csum_ok = checksum_ok(ep + 0x10, 0x0f);
		ei->major = ep[0x06];
		ei->minor = ep[0x07];
		ei->table_len = hf_le16(ep + 0x16);
		ei->table_addr = hf_le32(ep + 0x18);
		ei->count = hf_le16(ep + 0x1c);
		return 0;
	}
	if (len >= 5 && memcmp(ep, "_DMI_", 5) == 0) {
		snprintf(err, errlen, "legacy DMI entry point without SMBIOS: not supported");
		return -ENOTSUP;
	}
	snprintf(err, errlen, "no SMBIOS entry point (neither _SM_ nor _SM3_ anchor)");
	return -EBADMSG;
}

/* ---- the table ---- */

const char *hf_smbios_struct_string(const struct hf_smbios_struct *st, uint8_t n, size_t *len)
{
	size_t off = 0;
	uint8_t i;

	if (n == 0)
		return NULL;
	for (i = 1; off < st->strings_len; i++) {
		const char *str = (const char *)st->strings + off;
		/* every string of the set ends with a NUL inside strings_len (see walk()) */
		size_t l = strnlen(str, st->strings_len - off);

		if (l == st->strings_len - off)
			return NULL;
		if (i == n) {
			if (len)
				*len = l;
			return str;
		}
		off += l + 1;
	}
	return NULL;
}

/*
 * Walk the structures: header (4 bytes), formatted area (length >= 4), string set (ends with
 * a double NUL).  A structure that breaks these rules ends the walk with an error: nothing
 * after it can be located reliably.
 */
static int walk(struct hf_smbios *s, const uint8_t *t, size_t len, uint16_t count)
{
	unsigned n_type42 = 0;
	bool end = false;
	size_t off = 0;
	int r;

	while (!end && !(count && s->n_structures == count)) {
		struct hf_smbios_struct st;
		size_t p, idx = s->n_structures + 1;

		if (len - off < 4) {
			if (off < len &&
			    hf_smbios_add_warning(s, "%zu stray bytes at the end of the table",
						  len - off) < 0)
				return -ENOMEM;
			break;
		}
		st.type = t[off];
		st.length = t[off + 1];
		st.handle = hf_le16(t + off + 2);
		if (st.length < 4)
			return hf_smbios_add_error(s,
						   "structure %zu at offset 0x%zx (type %u, handle"
						   " 0x%04x) has length %u (below 4): the table is"
						   " broken there",
						   idx, off, st.type, st.handle, st.length);
		if (st.length > len - off)
			return hf_smbios_add_error(s,
						   "structure %zu at offset 0x%zx (type %u, handle"
						   " 0x%04x, length %u) runs past the end of the table"
						   " (%zu bytes)",
						   idx, off, st.type, st.handle, st.length, len);
		p = off + st.length;
		while (p + 1 < len && (t[p] != 0 || t[p + 1] != 0))
			p++;
		if (p + 1 >= len)
			return hf_smbios_add_error(s,
						   "structure %zu at offset 0x%zx (type %u, handle"
						   " 0x%04x) has no double NUL ending its strings"
						   " before the end of the table",
						   idx, off, st.type, st.handle);
		st.data = t + off;
		st.strings = t + off + st.length;
		/* up to and with the last string's NUL, without the set's final NUL */
		st.strings_len = p == off + st.length ? 0 : p + 1 - (off + st.length);
		s->n_structures++;
		if (st.type == TYPE_HOST_INTERFACE && n_type42++ < MAX_TYPE42) {
			r = hf_smbios_decode_type42(s, &st);
			if (r < 0)
				return r;
		} else if (st.type == TYPE_HOST_INTERFACE && n_type42 == MAX_TYPE42 + 1) {
			r = hf_smbios_add_error(s, "more than %d Type 42 structures: the others are"
						" not decoded", MAX_TYPE42);
			if (r < 0)
				return r;
		}
		off = p + 2;
		end = st.type == TYPE_END_OF_TABLE;
	}
	if (count && s->n_structures != count)
		return hf_smbios_add_warning(s,
					     "the entry point announces %u structures, the table"
					     " holds %u",
					     count, s->n_structures);
	if (!end && !count)
		return hf_smbios_add_warning(s, "no end-of-table structure (type 127)");
	return 0;
}

int hf_smbios_parse(const uint8_t *ep, size_t ep_len, const uint8_t *table, size_t table_len,
		    struct hf_smbios **ret, char *err, size_t errlen)
{
	struct hf_smbios *s = NULL;
	struct ep_info ei;
	size_t len;
	int r;

	if (errlen)
		err[0] = '\0';
	r = parse_entry_point(ep, ep ? ep_len : 0, &ei, err, errlen);
	if (r < 0)
		return r;
	if (ei.table_len == 0) {
		snprintf(err, errlen, "the %s entry point announces an empty table", ei.anchor);
		return -EBADMSG;
	}
	if (!table || table_len == 0) {
		snprintf(err, errlen, "the SMBIOS table is empty");
		return -EBADMSG;
	}
	len = table_len;
	if (ei.exact) {
		if (table_len < ei.table_len) {
			snprintf(err, errlen,
				 "the SMBIOS table holds %zu bytes, its entry point announces %u",
				 table_len, ei.table_len);
			return -EBADMSG;
		}
		len = ei.table_len;
	} else if (len > ei.table_len) {
		len = ei.table_len;
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->entry_point = ei.anchor;
	s->major = ei.major;
	s->minor = ei.minor;
	s->docrev = ei.docrev;
	snprintf(s->version, sizeof(s->version), "%u.%u", ei.major, ei.minor);
	s->table_len = ei.table_len;
	s->announced_structures = ei.count;
	if (!ei.csum_ok && hf_smbios_add_warning(s, "bad %s entry point checksum", ei.anchor) < 0)
		goto nomem;
	if (!ei.dmi_csum_ok &&
	    hf_smbios_add_warning(s, "bad _DMI_ intermediate entry point checksum") < 0)
		goto nomem;
	if (walk(s, table, len, ei.count) < 0)
		goto nomem;
	*ret = s;
	return 0;
nomem:
	hf_smbios_free(s);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int hf_smbios_parse_dump(const uint8_t *buf, size_t len, struct hf_smbios **ret, char *err,
			 size_t errlen)
{
	struct ep_info ei;
	int r;

	r = parse_entry_point(buf, buf ? len : 0, &ei, err, errlen);
	if (r < 0)
		return r;
	/* dmidecode --dump-bin rewrites the table address to the table's offset in the file */
	if (ei.table_addr < ei.size || ei.table_addr > len) {
		snprintf(err, errlen,
			 "the table offset 0x%llx is outside the dump (%zu bytes, %zu of them the"
			 " entry point)",
			 (unsigned long long)ei.table_addr, len, ei.size);
		return -EBADMSG;
	}
	return hf_smbios_parse(buf, (size_t)ei.table_addr, buf + ei.table_addr,
			       len - (size_t)ei.table_addr, ret, err, errlen);
}

/* ---- the loader ---- */

static int read_all(const char *path, uint8_t **ret, size_t *ret_len, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s%s", path, strerror(-r),
			 r == -EACCES ? " (the SMBIOS tables are readable by root only)" : "");
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint8_t *p;

			if (cap >= SMBIOS_MAX_FILE) {
				r = -EFBIG;
				snprintf(err, errlen, "%s: larger than %zu bytes, not an SMBIOS table",
					 path, SMBIOS_MAX_FILE);
				goto out;
			}
			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap);
			if (!p) {
				r = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

static char *path_join(const char *root, const char *rel)
{
	char *p;

	if (!root || !*root)
		root = "/";
	if (asprintf(&p, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", rel) < 0)
		return NULL;
	return p;
}

/* Prefix err with "what: " (err is NUL-terminated and errlen > 0). */
static void prefix_err(char *err, size_t errlen, const char *what)
{
	_cleanup_free_ char *copy = hf_strdup(err);

	if (copy)
		snprintf(err, errlen, "%s: %s", what, copy);
}

int hf_smbios_load_at(const char *root, const char *dump_file, struct hf_smbios **ret,
		      char *err, size_t errlen)
{
	_cleanup_free_ uint8_t *ep = NULL;
	_cleanup_free_ uint8_t *table = NULL;
	_cleanup_free_ char *ep_path = NULL;
	_cleanup_free_ char *dmi_path = NULL;
	size_t ep_len = 0, table_len = 0;
	char dummy[1];
	int r;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (dump_file) {
		r = read_all(dump_file, &table, &table_len, err, errlen);
		if (r < 0)
			return r;
		r = hf_smbios_parse_dump(table, table_len, ret, err, errlen);
		if (r < 0)
			prefix_err(err, errlen, dump_file);
		return r;
	}
	ep_path = path_join(root, SYSFS_EP);
	dmi_path = path_join(root, SYSFS_DMI);
	if (!ep_path || !dmi_path) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = read_all(ep_path, &ep, &ep_len, err, errlen);
	if (r < 0)
		return r;
	r = read_all(dmi_path, &table, &table_len, err, errlen);
	if (r < 0)
		return r;
	r = hf_smbios_parse(ep, ep_len, table, table_len, ret, err, errlen);
	if (r < 0)
		prefix_err(err, errlen, ep_path);
	return r;
}

int hf_smbios_load(const char *dump_file, struct hf_smbios **ret, char *err, size_t errlen)
{
	return hf_smbios_load_at(NULL, dump_file, ret, err, errlen);
}
