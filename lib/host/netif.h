/* SPDX-License-Identifier: MIT */
/*
 * netif.h - the network interface and the PCI functions of the host interface.
 *
 * Library-internal.  hf_netif_find() finds the NIC a Type 42 device descriptor names: by
 * MAC address for the v2 descriptors, else by the USB idVendor/idProduct (and serial) or the
 * PCI vendor/device/subsystem of the interface's parent device.  hf_netif_bmc_pci() lists the
 * BMC's PCI functions through libpci.
 *
 * Everything is read from sysfs under a root directory ("/" or NULL: the running system;
 * tests pass a fixture tree): <root>/sys/class/net/NAME/{address,operstate,device,
 * device/driver} and, for libpci, <root>/sys/bus/pci.  Plain file reads rather than libudev:
 * libudev always reads the real /sys and so cannot be pointed at a fixture tree, and the
 * attributes needed here are exactly the sysfs files it would read.  Interface addresses come
 * from getifaddrs() and only for the running system (root "/").
 */
#ifndef HOSTFISH_NETIF_H
#define HOSTFISH_NETIF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbios.h"

struct hf_netif {
	char name[IF_NAMESIZE];
	char mac[18]; /* "aa:bb:cc:dd:ee:ff", lower case; "" when sysfs has none */
	char driver[64]; /* "cdc_eem", "veth"...; "" when unbound */
	char operstate[16]; /* "up", "down", "unknown"...; "" when unknown */
	unsigned ifindex; /* 0 when unknown */
	const char *matched_by; /* "mac", "usb", "pci" (static) */
	char **addrs; /* "169.254.95.1/24", "fe80::1/64" (root "/" only) */
	size_t n_addrs;
};

/*
 * Find the interface that dev describes.  Returns 0 and fills *ret (clear it with
 * hf_netif_clear()), -ENOENT when none matches, -ENOTSUP for a descriptor that names no
 * device (OEM, unknown type), with the reason in why.
 */
int hf_netif_find(const char *root, const struct hf_smbios_device *dev, struct hf_netif *ret,
		  char *why, size_t whylen);
void hf_netif_clear(struct hf_netif *n);

/* A PCI function that belongs to the BMC (hpilo's IDs). */
struct hf_pci_bmc {
	char slot[16]; /* "0000:01:00.2" */
	uint16_t vendor_id, device_id, subsystem_vendor_id, subsystem_id;
	char driver[64]; /* "" when unbound or unknown */
	const char *what; /* "iLO 5", "iLO (hpilo)"... (static) */
};

/*
 * The BMC's PCI functions: 103c:3307 and 0e11:b204 (the IDs hpilo binds; subsystem
 * 1590:00e4 is an iLO 5).  libpci reads <root>/sys/bus/pci (root "/" or NULL: libpci's own
 * choice of access method).  libpci's error handler is ours (its default one exits the
 * process): a libpci failure is -EIO with its message in why.  Returns the count (>= 0) and
 * *ret (caller frees; NULL when there is none).
 */
int hf_netif_bmc_pci(const char *root, struct hf_pci_bmc **ret, char *why, size_t whylen);

/* "aa:bb:cc:dd:ee:ff" of six bytes. */
void hf_netif_format_mac(const uint8_t mac[6], char out[18]);

#endif /* HOSTFISH_NETIF_H */
