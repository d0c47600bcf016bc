/* SPDX-License-Identifier: MIT */
/*
 * smbios-type42.c - SMBIOS Type 42 (Management Controller Host Interface) and the DSP0270
 * Redfish Host Interface data it carries.
 *
 * Layout (SMBIOS 3.2 and later, DSP0134 7.43):
 *   00h type 42, 01h length, 02h handle, 04h interface type, 05h specific-data length n,
 *   06h specific data (n bytes), 06h+n protocol record count, then records
 *   {type, length P, data[P]}.
 * Before SMBIOS 3.2 there is no length byte at 05h, so nothing after the interface type can
 * be located: such a structure is reported with pre_3_2 set and nothing else.
 *
 * For a network interface (40h) the specific data is a DSP0270 device descriptor that
 * starts with the device type (8.3).  Every read below is checked against the structure's
 * formatted length first; what does not fit is an error for that structure, never a value.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostfish-private.h"
#include "smbios.h"

#define USB_STRING_DESCRIPTOR 0x03
#define USB_V1_MIN 5 /* type, idVendor, idProduct */
#define PCI_V1_MIN 9 /* type, vendor, device, subsystem vendor, subsystem */
#define USB_V2_MIN 13 /* type, length, VID, PID, serial string, MAC */
#define USB_V2_13 17 /* + characteristics, credential bootstrapping handle */
#define PCI_V2_MIN 20 /* type, length, VID, DID, SVID, SSID, MAC, segment, bus, dev/fn */
#define PCI_V2_13 24
#define OEM_MIN 5 /* type, IANA enterprise number */

struct ctx {
	struct hf_smbios *s;
	const struct hf_smbios_struct *st;
	struct hf_smbios_hostif *h;
};

/* An error about this structure: recorded in s->errors and marks the structure. */
__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	c->h->malformed = true;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return hf_smbios_add_error(c->s, "Type 42 handle 0x%04x: %s", c->h->handle, msg);
}

static bool new_layout(const struct hf_smbios *s)
{
	return s->major > 3 || (s->major == 3 && s->minor >= 2);
}

/* ---- device descriptors ---- */

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UTF-16LE (units 16-bit code units) to UTF-8, stopping at a NUL unit.  A lone surrogate
 * becomes U+FFFD.  At most 3 bytes per unit (a pair makes 4 from 2 units).
 */
static char *utf16le_to_utf8(const uint8_t *p, size_t units)
{
	char *out = malloc(units * 3 + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < units; i++) {
		uint32_t cp = hf_le16(p + 2 * i);

		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
			uint32_t lo = hf_le16(p + 2 * (i + 1));

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			cp = 0xfffd;
		}
		o += put_utf8(out + o, cp);
	}
	out[o] = '\0';
	return out;
}

/* USB (02h): idVendor, idProduct, then a USB string descriptor (bLength, 03h, UTF-16LE). */
static int decode_usb(struct ctx *c, const uint8_t *d, uint8_t n)
{
	struct hf_smbios_device *dev = &c->h->device;
	uint8_t blen;

	if (n < USB_V1_MIN)
		return fail(c, "USB device descriptor of %u bytes (at least %d needed)", n,
			    USB_V1_MIN);
	dev->vendor_id = hf_le16(d + 1);
	dev->product_id = hf_le16(d + 3);
	dev->decoded = true;
	if (n == USB_V1_MIN)
		return 0;
	/* bLength counts itself and bDescriptorType, as in every USB descriptor */
	blen = d[5];
	if (blen == 0)
		return 0;
	if (blen < 2 || blen > n - USB_V1_MIN)
		return fail(c,
			    "USB serial number descriptor of %u bytes does not fit the %u bytes"
			    " of the device descriptor",
			    blen, n);
	if (d[6] != USB_STRING_DESCRIPTOR)
		return fail(c, "USB serial number descriptor of type 0x%02x (03h expected)", d[6]);
	if (blen % 2)
		return fail(c, "USB serial number descriptor of odd length %u", blen);
	dev->serial = utf16le_to_utf8(d + 7, (size_t)(blen - 2) / 2);
	return dev->serial ? 0 : -ENOMEM;
}

static int decode_pci(struct ctx *c, const uint8_t *d, uint8_t n)
{
	struct hf_smbios_device *dev = &c->h->device;

	if (n < PCI_V1_MIN)
		return fail(c, "PCI device descriptor of %u bytes (at least %d needed)", n,
			    PCI_V1_MIN);
	dev->vendor_id = hf_le16(d + 1);
	dev->device_id = hf_le16(d + 3);
	dev->subsystem_vendor_id = hf_le16(d + 5);
	dev->subsystem_id = hf_le16(d + 7);
	dev->decoded = true;
	return 0;
}

/* v2 descriptors carry their own length (counting the type and length bytes). */
static int v2_length(struct ctx *c, const uint8_t *d, uint8_t n, int min, const char *what)
{
	uint8_t len;

	if (n < 2)
		return fail(c, "%s device descriptor of %u bytes, without its length", what, n);
	len = d[1];
	c->h->device.length = len;
	if (len > n)
		return fail(c,
			    "%s device descriptor length %u runs past the interface data (%u"
			    " bytes)",
			    what, len, n);
	if (len < min)
		return fail(c, "%s device descriptor of %u bytes (at least %d needed)", what, len,
			    min);
	return len;
}

static int decode_usb_v2(struct ctx *c, const uint8_t *d, uint8_t n)
{
	struct hf_smbios_device *dev = &c->h->device;
	const char *serial;
	size_t slen;
	int len;

	len = v2_length(c, d, n, USB_V2_MIN, "USB v2");
	if (len < USB_V2_MIN)
		return len < 0 ? len : 0;
	dev->vendor_id = hf_le16(d + 2);
	dev->product_id = hf_le16(d + 4);
	dev->serial_string = d[6];
	memcpy(dev->mac, d + 7, 6);
	dev->has_mac = true;
	if (len >= USB_V2_13) {
		dev->characteristics = hf_le16(d + 13);
		dev->bootstrap_handle = hf_le16(d + 15);
		dev->has_characteristics = true;
	}
	dev->decoded = true;
	if (!dev->serial_string)
		return 0;
	serial = hf_smbios_struct_string(c->st, dev->serial_string, &slen);
	if (!serial)
		return hf_smbios_add_warning(c->s,
					     "Type 42 handle 0x%04x: the serial number string %u"
					     " does not exist",
					     c->h->handle, dev->serial_string);
	dev->serial = hf_strndup(serial, slen);
	return dev->serial ? 0 : -ENOMEM;
}

static int decode_pci_v2(struct ctx *c, const uint8_t *d, uint8_t n)
{
	struct hf_smbios_device *dev = &c->h->device;
	int len;

	len = v2_length(c, d, n, PCI_V2_MIN, "PCI v2");
	if (len < PCI_V2_MIN)
		return len < 0 ? len : 0;
	dev->vendor_id = hf_le16(d + 2);
	dev->device_id = hf_le16(d + 4);
	dev->subsystem_vendor_id = hf_le16(d + 6);
	dev->subsystem_id = hf_le16(d + 8);
	memcpy(dev->mac, d + 10, 6);
	dev->has_mac = true;
	dev->segment = hf_le16(d + 16);
	dev->bus = d[18];
	dev->dev = d[19] >> 3;
	dev->function = d[19] & 0x07;
	dev->has_location = true;
	if (len >= PCI_V2_13) {
		dev->characteristics = hf_le16(d + 20);
		dev->bootstrap_handle = hf_le16(d + 22);
		dev->has_characteristics = true;
	}
	dev->decoded = true;
	return 0;
}

static int decode_oem(struct ctx *c, const uint8_t *d, uint8_t n)
{
	struct hf_smbios_device *dev = &c->h->device;

	if (n < OEM_MIN)
		return fail(c, "OEM device descriptor of %u bytes (at least %d needed)", n,
			    OEM_MIN);
	/* the IANA enterprise number is sent MSB first */
	dev->iana = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
	dev->has_iana = true;
	dev->decoded = true;
	return 0;
}

/* d: the n bytes of interface-specific data, n > 0 */
static int decode_device(struct ctx *c, const uint8_t *d, uint8_t n)
{
	c->h->device.type = d[0];
	switch (d[0]) {
	case HF_SMBIOS_DEV_USB:
		return decode_usb(c, d, n);
	case HF_SMBIOS_DEV_PCI:
		return decode_pci(c, d, n);
	case HF_SMBIOS_DEV_USB_V2:
		return decode_usb_v2(c, d, n);
	case HF_SMBIOS_DEV_PCI_V2:
		return decode_pci_v2(c, d, n);
	}
	if (d[0] >= HF_SMBIOS_DEV_OEM_FIRST)
		return decode_oem(c, d, n);
	return hf_smbios_add_warning(c->s, "Type 42 handle 0x%04x: unknown device type 0x%02x",
				     c->h->handle, d[0]);
}

/* ---- protocol records ---- */

static void address(char *out, uint8_t format, const uint8_t *raw)
{
	out[0] = '\0';
	if (format == HF_SMBIOS_IPFMT_IPV4)
		inet_ntop(AF_INET, raw, out, HF_SMBIOS_ADDRSTRLEN);
	else if (format == HF_SMBIOS_IPFMT_IPV6)
		inet_ntop(AF_INET6, raw, out, HF_SMBIOS_ADDRSTRLEN);
}

/* Redfish over IP (DSP0270 8.5): d holds the record's P data bytes. */
static int decode_rfip(struct ctx *c, unsigned idx, const uint8_t *d, uint8_t p,
		       struct hf_smbios_protocol *proto)
{
	struct hf_smbios_rfip *rf = &proto->rfip;
	const uint8_t *u = d;
	uint8_t hlen;

	if (p < HF_SMBIOS_RFIP_MIN)
		return fail(c, "Redfish-over-IP record %u has %u data bytes (at least %d needed)",
			    idx, p, HF_SMBIOS_RFIP_MIN);
	hlen = d[90];
	if (hlen > p - HF_SMBIOS_RFIP_MIN)
		return fail(c,
			    "Redfish-over-IP record %u: the hostname (%u bytes) runs past the"
			    " record (%u data bytes)",
			    idx, hlen, p);
	memcpy(rf->uuid_raw, u, 16);
	/* the first three fields are little-endian, as in the Type 1 UUID since SMBIOS 2.6 */
	snprintf(rf->uuid, sizeof(rf->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3], u[2],
		 u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
	rf->host_ip_assignment = d[16];
	rf->host_ip_format = d[17];
	memcpy(rf->host_ip_raw, d + 18, 16);
	memcpy(rf->host_mask_raw, d + 34, 16);
	rf->service_ip_discovery = d[50];
	rf->service_ip_format = d[51];
	memcpy(rf->service_ip_raw, d + 52, 16);
	memcpy(rf->service_mask_raw, d + 68, 16);
	rf->port = hf_le16(d + 84);
	rf->vlan = hf_le32(d + 86);
	rf->hostname_len = hlen;
	address(rf->host_ip, rf->host_ip_format, rf->host_ip_raw);
	address(rf->host_mask, rf->host_ip_format, rf->host_mask_raw);
	address(rf->service_ip, rf->service_ip_format, rf->service_ip_raw);
	address(rf->service_mask, rf->service_ip_format, rf->service_mask_raw);
	/* the hostname may be padded with NULs: keep what comes before the first one */
	rf->hostname = hf_strndup((const char *)d + 91, strnlen((const char *)d + 91, hlen));
	if (!rf->hostname)
		return -ENOMEM;
	proto->decoded = true;
	return 0;
}

static int decode_protocols(struct ctx *c, size_t off)
{
	struct hf_smbios_hostif *h = c->h;
	const uint8_t *d = c->st->data;
	size_t len = c->st->length, cap;
	unsigned i;
	int r;

	if (off >= len)
		return fail(c, "no protocol record count after %zu bytes of structure", off);
	h->protocol_count = d[off++];
	if (!h->protocol_count)
		return 0;
	/* room for no more records than can fit (2 bytes each at least), and never 0 */
	cap = (len - off) / 2 + 1;
	h->protocols = calloc(h->protocol_count < cap ? h->protocol_count : cap,
			      sizeof(*h->protocols));
	if (!h->protocols)
		return -ENOMEM;
	for (i = 0; i < h->protocol_count; i++) {
		struct hf_smbios_protocol *proto = &h->protocols[h->n_protocols];

		if (len - off < 2)
			return fail(c,
				    "protocol record %u of %u starts past the end of the structure"
				    " (%zu bytes)",
				    i + 1, h->protocol_count, len);
		if (d[off + 1] > len - off - 2)
			return fail(c,
				    "protocol record %u of %u (type 0x%02x, %u data bytes) runs"
				    " past the end of the structure (%zu bytes)",
				    i + 1, h->protocol_count, d[off], d[off + 1], len);
		proto->type = d[off];
		proto->length = d[off + 1];
		h->n_protocols++;
		if (proto->type == HF_SMBIOS_PROTO_REDFISH_OVER_IP) {
			r = decode_rfip(c, i + 1, d + off + 2, proto->length, proto);
			if (r < 0)
				return r;
		}
		off += 2 + (size_t)proto->length;
	}
	return 0;
}

/* ---- the structure ---- */

static int decode(struct ctx *c)
{
	const uint8_t *d = c->st->data;
	uint8_t len = c->st->length;
	uint8_t n;
	int r;

	c->h->interface_type = d[4];
	if (!new_layout(c->s)) {
		c->h->pre_3_2 = true;
		return 0;
	}
	if (len < 6)
		return fail(c, "structure of %u bytes, without its interface data length", len);
	n = d[5];
	c->h->specific_len = n;
	if (n > len - 6)
		return fail(c,
			    "the interface-specific data (%u bytes) runs past the end of the"
			    " structure (%u bytes)",
			    n, len);
	if (c->h->interface_type == HF_SMBIOS_IFTYPE_NETWORK && n > 0) {
		r = decode_device(c, d + 6, n);
		if (r < 0)
			return r;
	}
	return decode_protocols(c, 6 + (size_t)n);
}

static void hostif_clear(struct hf_smbios_hostif *h)
{
	size_t i;

	free(h->device.serial);
	for (i = 0; i < h->n_protocols; i++)
		free(h->protocols[i].rfip.hostname);
	free(h->protocols);
}

int hf_smbios_decode_type42(struct hf_smbios *s, const struct hf_smbios_struct *st)
{
	struct hf_smbios_hostif h = { .handle = st->handle, .length = st->length };
	struct hf_smbios_hostif *p;
	struct ctx c = { .s = s, .st = st, .h = &h };
	int r;

	if (st->length < 5)
		return fail(&c, "structure of %u bytes, without an interface type", st->length);
	r = decode(&c);
	if (r < 0)
		goto out;
	p = realloc(s->hostif, (s->n_hostif + 1) * sizeof(*s->hostif));
	if (!p) {
		r = -ENOMEM;
		goto out;
	}
	s->hostif = p;
	s->hostif[s->n_hostif++] = h;
	return 0;
out:
	hostif_clear(&h);
	return r;
}
