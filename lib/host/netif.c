/* SPDX-License-Identifier: MIT */
/*
 * netif.c - find the host interface's NIC in sysfs, and the BMC's PCI functions (libpci).
 *
 * See netif.h for why this reads sysfs files itself rather than asking libudev: the lookup
 * must run on fixture trees, and libudev has no notion of a sysfs root.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pci/pci.h>

#include "hostfish-private.h"
#include "netif.h"

static const char *root_prefix(const char *root)
{
	/* "/" and "" both mean the running system: paths then start with "/sys" */
	if (!root || !*root || strcmp(root, "/") == 0)
		return "";
	return root;
}

static bool root_is_live(const char *root)
{
	return !*root_prefix(root);
}

/* Read a one-line sysfs attribute (trailing white space removed).  0 or -errno. */
static int read_attr(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	buf[0] = '\0'; /* a string even on failure */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/* A hex attribute ("0x103c" or "03f0"); -1 when absent or malformed. */
static long read_hex(const char *dir, const char *name)
{
	char buf[32], *end;
	long v;

	if (read_attr(dir, name, buf, sizeof(buf)) < 0 || !buf[0])
		return -1;
	errno = 0;
	v = strtol(buf, &end, 16);
	if (errno || *end || v < 0 || v > 0xffff)
		return -1;
	return v;
}

void hf_netif_format_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

/* The USB device directory above an interface's device (the one with idVendor), or -1. */
static int usb_device_dir(const char *netdir, char *out, size_t outlen)
{
	char link[PATH_MAX], path[PATH_MAX];
	int level;

	if ((size_t)snprintf(link, sizeof(link), "%s/device", netdir) >= sizeof(link))
		return -1;
	if (!realpath(link, path))
		return -1;
	/* the interface's device is a USB interface (1-1:1.0); its parent the USB device */
	for (level = 0; level < 3; level++) {
		char probe[PATH_MAX + 16];
		char *slash;

		snprintf(probe, sizeof(probe), "%s/idVendor", path);
		if (access(probe, R_OK) == 0) {
			if (strlen(path) >= outlen)
				return -1;
			strcpy(out, path);
			return 0;
		}
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return -1;
		*slash = '\0';
	}
	return -1;
}

static bool match_usb(const char *netdir, const struct hf_smbios_device *dev)
{
	char dir[PATH_MAX], serial[256];

	if (usb_device_dir(netdir, dir, sizeof(dir)) < 0)
		return false;
	if (read_hex(dir, "idVendor") != dev->vendor_id ||
	    read_hex(dir, "idProduct") != dev->product_id)
		return false;
	if (dev->serial && *dev->serial) {
		if (read_attr(dir, "serial", serial, sizeof(serial)) < 0 ||
		    strcmp(serial, dev->serial) != 0)
			return false;
	}
	return true;
}

static bool match_pci(const char *netdir, const struct hf_smbios_device *dev)
{
	char dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/device", netdir) >= sizeof(dir))
		return false;
	return read_hex(dir, "vendor") == dev->vendor_id &&
	       read_hex(dir, "device") == dev->device_id &&
	       read_hex(dir, "subsystem_vendor") == dev->subsystem_vendor_id &&
	       read_hex(dir, "subsystem_device") == dev->subsystem_id;
}

static bool is_usb(uint8_t t)
{
	return t == HF_SMBIOS_DEV_USB || t == HF_SMBIOS_DEV_USB_V2;
}

static int add_addr(struct hf_netif *n, const char *text)
{
	char **v = realloc(n->addrs, (n->n_addrs + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	n->addrs = v;
	v[n->n_addrs] = strdup(text);
	if (!v[n->n_addrs])
		return -ENOMEM;
	n->n_addrs++;
	return 0;
}

static unsigned prefix_len(const unsigned char *mask, size_t len)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bits += (unsigned)__builtin_popcount(mask[i]);
	return bits;
}

static int collect_addresses(struct hf_netif *n)
{
	struct ifaddrs *list, *a;
	int r = 0;

	if (getifaddrs(&list) < 0)
		return -errno;
	for (a = list; a && r == 0; a = a->ifa_next) {
		char text[INET6_ADDRSTRLEN + 8], ip[INET6_ADDRSTRLEN];
		unsigned bits = 0;

		if (!a->ifa_addr || strcmp(a->ifa_name, n->name) != 0)
			continue;
		if (a->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)a->ifa_addr;

			inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
			if (a->ifa_netmask)
				bits = prefix_len((const void *)&((const struct sockaddr_in *)(
								  const void *)a->ifa_netmask)
							   ->sin_addr,
						  4);
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)a->ifa_addr;

			inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
			if (a->ifa_netmask)
				bits = prefix_len((const void *)&((const struct sockaddr_in6 *)(
								  const void *)a->ifa_netmask)
							   ->sin6_addr,
						  16);
		} else {
			continue;
		}
		snprintf(text, sizeof(text), "%s/%u", ip, bits);
		r = add_addr(n, text);
	}
	freeifaddrs(list);
	return r;
}

static int fill(const char *root, const char *netdir, const char *name, const char *by,
		struct hf_netif *ret)
{
	char link[PATH_MAX], target[PATH_MAX], buf[32];
	ssize_t len;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->name, sizeof(ret->name), "%.*s", (int)sizeof(ret->name) - 1, name);
	ret->matched_by = by;
	if (read_attr(netdir, "address", ret->mac, sizeof(ret->mac)) < 0)
		ret->mac[0] = '\0';
	if (read_attr(netdir, "operstate", ret->operstate, sizeof(ret->operstate)) < 0)
		ret->operstate[0] = '\0';
	if (read_attr(netdir, "ifindex", buf, sizeof(buf)) == 0)
		ret->ifindex = (unsigned)strtoul(buf, NULL, 10);
	if ((size_t)snprintf(link, sizeof(link), "%s/device/driver", netdir) >= sizeof(link))
		return -ENAMETOOLONG;
	len = readlink(link, target, sizeof(target) - 1);
	if (len > 0) {
		const char *base;

		target[len] = '\0';
		base = strrchr(target, '/');
		snprintf(ret->driver, sizeof(ret->driver), "%.63s", base ? base + 1 : target);
	} else {
		/* virtual interfaces (veth, bridges) have no device: ask the uevent */
		char uevent[512];
		const char *p;

		if (read_attr(netdir, "device/uevent", uevent, sizeof(uevent)) == 0 &&
		    (p = strstr(uevent, "DRIVER=")))
			snprintf(ret->driver, sizeof(ret->driver), "%.*s", (int)strcspn(p + 7, "\n"),
				 p + 7);
	}
	if (root_is_live(root))
		return collect_addresses(ret);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int hf_netif_find(const char *root, const struct hf_smbios_device *dev, struct hf_netif *ret,
		  char *why, size_t whylen)
{
	struct dirent **names = NULL;
	char classdir[PATH_MAX], netdir[PATH_MAX], mac[18] = "";
	const char *by = NULL;
	int n, i, r = -ENOENT, found = -1;

	if (!dev->decoded || (dev->type != HF_SMBIOS_DEV_USB && dev->type != HF_SMBIOS_DEV_PCI &&
			      dev->type != HF_SMBIOS_DEV_USB_V2 && dev->type != HF_SMBIOS_DEV_PCI_V2)) {
		snprintf(why, whylen, "the record's device (%s) names no NIC that can be looked up",
			 hf_smbios_device_type_name(dev->type));
		return -ENOTSUP;
	}
	if (dev->has_mac)
		hf_netif_format_mac(dev->mac, mac);
	snprintf(classdir, sizeof(classdir), "%s/sys/class/net", root_prefix(root));
	n = scandir(classdir, &names, NULL, by_name);
	if (n < 0) {
		r = -errno;
		snprintf(why, whylen, "cannot list %s: %s", classdir, strerror(errno));
		return r;
	}
	/* the MAC first: it names one interface; the IDs only a kind of device */
	for (i = 0; i < n && found < 0 && mac[0]; i++) {
		char addr[32];

		if (names[i]->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(netdir, sizeof(netdir), "%s/%s", classdir,
				     names[i]->d_name) >= sizeof(netdir))
			continue;
		if (read_attr(netdir, "address", addr, sizeof(addr)) == 0 &&
		    strcasecmp(addr, mac) == 0) {
			found = i;
			by = "mac";
		}
	}
	for (i = 0; i < n && found < 0; i++) {
		if (names[i]->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(netdir, sizeof(netdir), "%s/%s", classdir,
				     names[i]->d_name) >= sizeof(netdir))
			continue;
		if (is_usb(dev->type) ? match_usb(netdir, dev) : match_pci(netdir, dev)) {
			found = i;
			by = is_usb(dev->type) ? "usb" : "pci";
		}
	}
	if (found >= 0) {
		if ((size_t)snprintf(netdir, sizeof(netdir), "%s/%s", classdir,
				     names[found]->d_name) >= sizeof(netdir))
			r = -ENAMETOOLONG;
		else
			r = fill(root, netdir, names[found]->d_name, by, ret);
		if (r < 0) {
			hf_netif_clear(ret);
			snprintf(why, whylen, "cannot read the addresses of %s: %s",
				 names[found]->d_name, strerror(-r));
		}
	} else if (is_usb(dev->type)) {
		snprintf(why, whylen,
			 "no network interface in %s matches the record (%s%s%sUSB %04x:%04x%s%s)",
			 classdir, mac[0] ? "MAC " : "", mac, mac[0] ? ", " : "", dev->vendor_id,
			 dev->product_id, dev->serial ? " serial " : "", dev->serial ? dev->serial : "");
	} else {
		snprintf(why, whylen,
			 "no network interface in %s matches the record (%s%s%sPCI %04x:%04x "
			 "subsystem %04x:%04x)",
			 classdir, mac[0] ? "MAC " : "", mac, mac[0] ? ", " : "", dev->vendor_id,
			 dev->device_id, dev->subsystem_vendor_id, dev->subsystem_id);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

void hf_netif_clear(struct hf_netif *n)
{
	size_t i;

	for (i = 0; i < n->n_addrs; i++)
		free(n->addrs[i]);
	free(n->addrs);
	memset(n, 0, sizeof(*n));
}

/* ---- libpci ---- */

/*
 * libpci's error hook must not return (it is declared noreturn, and its default calls
 * exit(1)): ours jumps back into hf_netif_bmc_pci() with the message kept.  Per thread, so
 * concurrent callers do not share the jump target.
 */
static __thread jmp_buf *pci_jump;
static __thread char pci_msg[256];

static void pci_on_error(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void pci_on_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	if (pci_jump)
		longjmp(*pci_jump, 1);
	abort(); /* unreachable: libpci is only called with pci_jump set */
}

static void pci_on_quiet(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void pci_on_quiet(char *msg, ...)
{
	(void)msg; /* warnings and debug output: the library never prints */
}

static const char *bmc_kind(const struct pci_dev *d, uint16_t svid, uint16_t ssid)
{
	if (d->vendor_id == 0x103c && d->device_id == 0x3307) {
		if (svid == 0x1590 && ssid == 0x00e4)
			return "iLO 5";
		return "iLO (hpilo)";
	}
	if (d->vendor_id == 0x0e11 && d->device_id == 0xb204)
		return "iLO (hpilo, Compaq ID)";
	return NULL;
}

int hf_netif_bmc_pci(const char *root, struct hf_pci_bmc **ret, char *why, size_t whylen)
{
	struct pci_access *volatile pacc = NULL;
	struct hf_pci_bmc *volatile list = NULL;
	volatile int count = 0;
	volatile bool cleaning = false;
	char path[PATH_MAX];
	jmp_buf jump;
	struct pci_dev *d;

	*ret = NULL;
	pci_msg[0] = '\0';
	if (setjmp(jump)) {
		/* free libpci's state too; should pci_cleanup() itself report an error, its
		 * handler jumps back here once more and the cleanup is not tried again */
		if (pacc && !cleaning) {
			cleaning = true;
			snprintf(why, whylen, "libpci: %s", pci_msg);
			pci_cleanup(pacc);
		} else if (!cleaning) {
			snprintf(why, whylen, "libpci: %s", pci_msg);
		}
		pci_jump = NULL;
		free(list);
		return -EIO;
	}
	pci_jump = &jump;
	pacc = pci_alloc();
	if (!pacc) {
		pci_jump = NULL;
		return -ENOMEM;
	}
	pacc->error = pci_on_error;
	pacc->warning = pci_on_quiet;
	pacc->debug = pci_on_quiet;
	if (!root_is_live(root)) {
		snprintf(path, sizeof(path), "%s/sys/bus/pci", root_prefix(root));
		pacc->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(pacc, "sysfs.path", path);
	}
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (d = pacc->devices; d; d = d->next) {
		struct hf_pci_bmc *b, *grown;
		const char *kind, *drv;
		uint16_t svid, ssid;

		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_SUBSYS | PCI_FILL_DRIVER);
		svid = d->subsys_vendor_id;
		ssid = d->subsys_id;
		kind = bmc_kind(d, svid, ssid);
		if (!kind)
			continue;
		grown = realloc(list, (size_t)(count + 1) * sizeof(*list));
		if (!grown) {
			free(list);
			pci_cleanup(pacc);
			pci_jump = NULL;
			return -ENOMEM;
		}
		list = grown;
		b = &list[count];
		memset(b, 0, sizeof(*b));
		snprintf(b->slot, sizeof(b->slot), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev,
			 d->func);
		b->vendor_id = d->vendor_id;
		b->device_id = d->device_id;
		b->subsystem_vendor_id = svid;
		b->subsystem_id = ssid;
		b->what = kind;
		drv = pci_get_string_property(d, PCI_FILL_DRIVER);
		if (drv)
			snprintf(b->driver, sizeof(b->driver), "%s", drv);
		count++;
	}
	pci_cleanup(pacc);
	pci_jump = NULL;
	*ret = list;
	return count;
}
