/* SPDX-License-Identifier: MIT */
/*
 * smbios.h - SMBIOS reader and Type 42 (Management Controller Host Interface) decoder.
 *
 * Library-internal.  hf_smbios_load() reads the tables the kernel exports
 * (/sys/firmware/dmi/tables/smbios_entry_point and .../DMI) or a "dmidecode --dump-bin" file;
 * hf_smbios_parse() is the pure parser both the loader and the fuzz target call.  The
 * result is plain C data: every Type 42 structure, with the DSP0270 device descriptor and
 * protocol records of network (40h) interfaces decoded.
 *
 * What is malformed is never guessed at: a broken table stops the walk with an error, a
 * Type 42 record that runs past its structure is reported in errors[] and left out, and
 * decoding goes on with the next structure.  Oddities that do not make data untrustworthy
 * (a bad entry point checksum, a structure count that does not match) are warnings.
 *
 * References: DMTF DSP0134 (SMBIOS) 7.43 and DSP0270 (Redfish Host Interface) 1.3.
 */
#ifndef HOSTFISH_SMBIOS_H
#define HOSTFISH_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type 42 interface types (DSP0134 7.43.1; 02h-08h are MCTP DSP0239 host interfaces). */
#define HF_SMBIOS_IFTYPE_KCS 0x02
#define HF_SMBIOS_IFTYPE_NETWORK 0x40
#define HF_SMBIOS_IFTYPE_OEM 0xf0

/* DSP0270 device types of a network host interface; 80h-FFh are OEM. */
#define HF_SMBIOS_DEV_USB 0x02
#define HF_SMBIOS_DEV_PCI 0x03
#define HF_SMBIOS_DEV_USB_V2 0x04
#define HF_SMBIOS_DEV_PCI_V2 0x05
#define HF_SMBIOS_DEV_OEM_FIRST 0x80

/* Protocol record types (DSP0134 7.43.2). */
#define HF_SMBIOS_PROTO_IPMI 0x02
#define HF_SMBIOS_PROTO_MCTP 0x03
#define HF_SMBIOS_PROTO_REDFISH_OVER_IP 0x04
#define HF_SMBIOS_PROTO_OEM 0xf0

/* Redfish-over-IP host IP assignment / service IP discovery types. */
#define HF_SMBIOS_IP_UNKNOWN 0
#define HF_SMBIOS_IP_STATIC 1
#define HF_SMBIOS_IP_DHCP 2
#define HF_SMBIOS_IP_AUTOCONF 3
#define HF_SMBIOS_IP_HOST_SELECTED 4

/* Redfish-over-IP address formats. */
#define HF_SMBIOS_IPFMT_UNKNOWN 0
#define HF_SMBIOS_IPFMT_IPV4 1
#define HF_SMBIOS_IPFMT_IPV6 2

/* The minimum length of a Redfish-over-IP protocol record's data (DSP0270 8.5). */
#define HF_SMBIOS_RFIP_MIN 91

#define HF_SMBIOS_ADDRSTRLEN 46 /* INET6_ADDRSTRLEN */

/* A network interface's device descriptor (DSP0270 8.3).  Fields that the device type does
 * not carry stay 0 / NULL / false. */
struct hf_smbios_device {
	uint8_t type; /* HF_SMBIOS_DEV_*, or another number (then decoded is false) */
	bool decoded; /* the fields below for this type were read (not for unknown types
			 or a malformed descriptor) */
	uint8_t length; /* v2 types: the descriptor's own length byte (counts the type byte) */
	uint16_t vendor_id; /* USB idVendor or PCI vendor ID */
	uint16_t product_id; /* USB idProduct */
	uint16_t device_id; /* PCI */
	uint16_t subsystem_vendor_id; /* PCI */
	uint16_t subsystem_id; /* PCI */
	uint8_t serial_string; /* USB v2: the string number (0: none) */
	char *serial; /* USB: UTF-8 (v1 converted from the UTF-16LE string descriptor, v2 the
			 structure's string); NULL when there is none */
	bool has_mac;
	uint8_t mac[6];
	bool has_location; /* PCI v2 */
	uint16_t segment;
	uint8_t bus;
	uint8_t dev; /* bits 7:3 of the device/function byte */
	uint8_t function; /* bits 2:0 */
	bool has_characteristics; /* DSP0270 1.3 fields present (v2 types) */
	uint16_t characteristics; /* bit 0: credential bootstrapping via IPMI */
	uint16_t bootstrap_handle; /* Type 38 handle for credential bootstrapping */
	bool has_iana; /* OEM types */
	uint32_t iana; /* IANA enterprise number (sent MSB first) */
};

/* A decoded Redfish-over-IP protocol record (DSP0270 8.5). */
struct hf_smbios_rfip {
	uint8_t uuid_raw[16]; /* as on the wire */
	char uuid[37]; /* canonical text, lower case, first three fields little-endian (as
			  dmidecode prints it) */
	uint8_t host_ip_assignment; /* HF_SMBIOS_IP_* (other values are reserved) */
	uint8_t host_ip_format; /* HF_SMBIOS_IPFMT_* */
	uint8_t host_ip_raw[16]; /* IPv4 in the first 4 bytes, network order */
	uint8_t host_mask_raw[16];
	char host_ip[HF_SMBIOS_ADDRSTRLEN]; /* "" when the format is neither IPv4 nor IPv6 */
	char host_mask[HF_SMBIOS_ADDRSTRLEN];
	uint8_t service_ip_discovery; /* HF_SMBIOS_IP_* */
	uint8_t service_ip_format;
	uint8_t service_ip_raw[16];
	uint8_t service_mask_raw[16];
	char service_ip[HF_SMBIOS_ADDRSTRLEN];
	char service_mask[HF_SMBIOS_ADDRSTRLEN];
	uint16_t port;
	uint32_t vlan;
	uint8_t hostname_len; /* as announced (with any trailing NULs) */
	char *hostname; /* up to the first NUL, never NULL in a decoded record; the bytes are
			   the record's own (not checked to be a valid host name) */
};

struct hf_smbios_protocol {
	uint8_t type; /* HF_SMBIOS_PROTO_* or another number */
	uint8_t length; /* P: the length of the record's data */
	bool decoded; /* type is Redfish over IP and rfip holds it */
	struct hf_smbios_rfip rfip;
};

/* One Type 42 structure. */
struct hf_smbios_hostif {
	uint16_t handle;
	uint8_t length; /* of the formatted area */
	uint8_t interface_type; /* HF_SMBIOS_IFTYPE_* or another number */
	bool pre_3_2; /* SMBIOS < 3.2: no specific-data length byte, nothing below decoded */
	uint8_t specific_len; /* n, the interface-type specific data length */
	struct hf_smbios_device device; /* network interfaces with n > 0 */
	uint8_t protocol_count; /* as announced */
	struct hf_smbios_protocol *protocols; /* those that fit in the structure */
	size_t n_protocols;
	bool malformed; /* an error was recorded for this structure (see errors[]) */
};

struct hf_smbios {
	char version[16]; /* "major.minor", "3.6" */
	uint8_t major, minor, docrev; /* docrev: _SM3_ only */
	const char *entry_point; /* "_SM_" or "_SM3_" (static) */
	uint32_t table_len; /* announced (a maximum for _SM3_) */
	uint16_t announced_structures; /* _SM_ only */
	unsigned n_structures; /* walked, end-of-table included */
	struct hf_smbios_hostif *hostif;
	size_t n_hostif;
	char **warnings; /* one line each, for the user */
	size_t n_warnings;
	char **errors;
	size_t n_errors;
};

/*
 * Parse an entry point and its table (both borrowed for the call).  ep_len may exceed the
 * entry point (the rest is ignored); table_len is what is available: for _SM_ it must hold
 * the announced length, for _SM3_ the announced length is a maximum.
 * Returns 0 and *ret (caller frees with hf_smbios_free), or a negative errno with a message
 * in err: -EBADMSG (not an entry point, truncated, table shorter than announced), -ENOTSUP
 * (a legacy _DMI_ entry point), -ENOMEM.  Errors inside the table are reported in
 * (*ret)->errors, not as a failure.  At most 64 Type 42 structures are decoded (an error
 * says so when there are more), which bounds the memory a crafted table can cost.
 */
int hf_smbios_parse(const uint8_t *ep, size_t ep_len, const uint8_t *table, size_t table_len,
		    struct hf_smbios **ret, char *err, size_t errlen);

/*
 * Parse a "dmidecode --dump-bin" image held in memory: the entry point at offset 0, the
 * table at the offset the entry point's table address names (dmidecode writes 20h there).
 */
int hf_smbios_parse_dump(const uint8_t *buf, size_t len, struct hf_smbios **ret, char *err,
			 size_t errlen);

/*
 * Read and parse.  dump_file NULL: the kernel's tables under root (NULL or "" means "/";
 * tests pass a fixture tree) at sys/firmware/dmi/tables/{smbios_entry_point,DMI}; else a
 * dmidecode --dump-bin file.  Errors as hf_smbios_parse(), plus the file's -errno (-ENOENT,
 * -EACCES: the tables are readable by root only) and -EFBIG for an implausibly large file.
 */
int hf_smbios_load_at(const char *root, const char *dump_file, struct hf_smbios **ret,
		      char *err, size_t errlen);
int hf_smbios_load(const char *dump_file, struct hf_smbios **ret, char *err, size_t errlen);

void hf_smbios_free(struct hf_smbios *s);

/* Names for output; never NULL.  "network", "kcs", "oem", "mctp", "uart"... or "unknown". */
const char *hf_smbios_interface_type_name(uint8_t type);
/* "usb", "pci", "usb-v2", "pci-v2", "oem" or "unknown". */
const char *hf_smbios_device_type_name(uint8_t type);
/* "ipmi", "mctp", "redfish-over-ip", "oem" or "unknown". */
const char *hf_smbios_protocol_name(uint8_t type);
/* "unknown", "static", "dhcp", "autoconf", "host-selected" or "reserved". */
const char *hf_smbios_ip_assignment_name(uint8_t type);
/* "unknown", "ipv4", "ipv6" or "reserved". */
const char *hf_smbios_ip_format_name(uint8_t format);

/* ---- between smbios.c and smbios-type42.c ---- */

/* Little-endian reads; callers check the bounds first. */
static inline uint16_t hf_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t hf_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t hf_le64(const uint8_t *p)
{
	return (uint64_t)hf_le32(p) | ((uint64_t)hf_le32(p + 4) << 32);
}

/* One structure of the table, as the walker found it (borrowed from the table). */
struct hf_smbios_struct {
	uint8_t type;
	uint8_t length;
	uint16_t handle;
	const uint8_t *data; /* the formatted area, length bytes, header included */
	const uint8_t *strings; /* the string set, without its final NUL */
	size_t strings_len;
};

/* The n-th (1-based) string of a structure, or NULL when there is none. */
const char *hf_smbios_struct_string(const struct hf_smbios_struct *st, uint8_t n,
				    size_t *len);
int hf_smbios_add_warning(struct hf_smbios *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int hf_smbios_add_error(struct hf_smbios *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Decode one Type 42 structure into s->hostif[] (errors and warnings into s).  0 or -ENOMEM. */
int hf_smbios_decode_type42(struct hf_smbios *s, const struct hf_smbios_struct *st);

#endif /* HOSTFISH_SMBIOS_H */
