/* SPDX-License-Identifier: MIT */
/*
 * hostif.h - the Redfish Host Interface backend's parts (library-internal, and for tests).
 *
 * The backend (hf_transport_hostif in hostif.c) is the https backend with three things
 * added: the endpoint comes from SMBIOS Type 42 (hf_hostif_locate, hf_hostif_endpoint),
 * every connection is bound to the host interface's NIC, and without --cacert/--insecure the
 * BMC is verified by trust on first use: its leaf certificate's SHA-256 is pinned in
 * $HOSTFISH_STATE_DIR (hf_hostif_pin_*), and a different certificate later is refused.
 */
#ifndef HOSTFISH_HOSTIF_H
#define HOSTFISH_HOSTIF_H

#include "hostfish-private.h"
#include "transport.h"
#include "netif.h"
#include "smbios.h"

#define HF_HOSTIF_HPE_DEFAULT "16.1.15.1" /* HPE's documented iLO vNIC address */
#define HF_STATE_DIR_DEFAULT "/var/lib/hostfish"

/* The record the backend uses and its NIC. */
struct hf_hostif_target {
	const struct hf_smbios_hostif *hostif; /* borrowed from the hf_smbios */
	const struct hf_smbios_rfip *rfip; /* its first Redfish-over-IP record */
	struct hf_netif nic;
};

/*
 * The first Type 42 network record with a Redfish-over-IP protocol record whose NIC exists.
 * root: the sysfs root (NULL: "/").  0, or -ENOENT with what is missing in why (no Type 42,
 * no Redfish-over-IP record, no NIC for it...).  Clear t with hf_hostif_target_clear().
 */
int hf_hostif_locate(const char *root, const struct hf_smbios *s, struct hf_hostif_target *t,
		     char *why, size_t whylen);
void hf_hostif_target_clear(struct hf_hostif_target *t);

/* Resolve a host name to one numeric address (text).  0 or negative. */
typedef int (*hf_hostif_resolve_fn)(const char *name, char *addr, size_t addrlen);
int hf_hostif_resolve(const char *name, char *addr, size_t addrlen); /* getaddrinfo */

struct hf_hostif_endpoint {
	char addr[HF_SMBIOS_ADDRSTRLEN];
	unsigned port;
	/* where addr came from: "record" (static/auto-configure), "hostname", "dhcp-lease",
	 * "hpe-default" (static strings) */
	const char *source;
	char detail[256]; /* for the log: the lease file, the host name... */
	char url[128]; /* https://addr:port, link-local IPv6 with its zone */
};

/*
 * The BMC's address on the host interface (see the file comment of hostif.c for the rules).
 * root: the sysfs/lease root (NULL: "/"); resolve: NULL for hf_hostif_resolve.
 * 0, or -ENOENT / -EINVAL with every source that was tried in why.
 */
int hf_hostif_endpoint(const char *root, const struct hf_hostif_target *t,
		       hf_hostif_resolve_fn resolve, struct hf_hostif_endpoint *ep, char *why,
		       size_t whylen);

/*
 * The DHCP server of the interface's lease, best effort: dhclient's
 * var/lib/dhcp/dhclient*.leases and var/lib/dhclient/, systemd-networkd's
 * run/systemd/netif/leases/IFINDEX, NetworkManager's var/lib/NetworkManager/\*-IFNAME.lease
 * (either format).  0 with the address and the file it came from, or -ENOENT.
 */
int hf_hostif_dhcp_server(const char *root, const char *ifname, unsigned ifindex, char *addr,
			  size_t addrlen, char *file, size_t filelen);

/* ---- pins (trust on first use) ---- */

/* $HOSTFISH_STATE_DIR, else /var/lib/hostfish. */
const char *hf_state_dir(void);

/* "AB:CD:..." (95 characters) of a SHA-256. */
void hf_hostif_fingerprint_text(const unsigned char md[32], char out[96]);

/* The pin file of a BMC: DIR/hostif-UUID-ADDR-PORT.pin.  0 or -ENAMETOOLONG. */
int hf_hostif_pin_path(const char *dir, const char *uuid, const char *addr, unsigned port,
		       char *out, size_t outlen);
/*
 * Read a pin file: 1 with the fingerprint text, 0 when there is none, negative when it is
 * unreadable or malformed (why says which).
 */
int hf_hostif_pin_load(const char *path, char fp[96], char *why, size_t whylen);
/* Write a pin file atomically (0600, in a 0700 directory created when missing). */
int hf_hostif_pin_store(const char *dir, const char *path, const char *fp, const char *what,
			char *why, size_t whylen);

/*
 * Accept the certificate the BMC presents now: connect (bound to the NIC), record its
 * fingerprint in the pin file, and return both (caller frees).  Used by hf_hostif_trust().
 */
int hf_hostif_trust_at(const char *root, const char *smbios_file, const struct hf_logger *log,
		       long timeout_ms, char **ret_fp, char **ret_path, char *why, size_t whylen);

/* hf_discover() on a fixture tree (root NULL: "/"); src/discover.c. */
struct json_object;
int hf_discover_at(const char *root, const char *smbios_file, unsigned flags,
		   struct json_object **ret);

#endif /* HOSTFISH_HOSTIF_H */
