/* SPDX-License-Identifier: MIT */
/*
 * hostif-endpoint.c - where the hostif backend connects: the SMBIOS Type 42 record and its NIC
 * (hf_hostif_locate) and the BMC's address on it (hf_hostif_endpoint: the record's address,
 * its host name, the DHCP server of the NIC's lease, HPE's documented default; the rules are
 * in the file comment of hostif.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hostif.h"

static const char *prefix(const char *root)
{
	if (!root || !*root || strcmp(root, "/") == 0)
		return "";
	return root;
}

/* ---- the record and its NIC ---- */

static const struct hf_smbios_rfip *first_rfip(const struct hf_smbios_hostif *h)
{
	size_t i;

	for (i = 0; i < h->n_protocols; i++)
		if (h->protocols[i].type == HF_SMBIOS_PROTO_REDFISH_OVER_IP &&
		    h->protocols[i].decoded)
			return &h->protocols[i].rfip;
	return NULL;
}

int hf_hostif_locate(const char *root, const struct hf_smbios *s, struct hf_hostif_target *t,
		     char *why, size_t whylen)
{
	struct hf_buf reasons = { 0 };
	size_t i, network = 0, redfish = 0;
	int r = -ENOENT;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->n_hostif; i++) {
		const struct hf_smbios_hostif *h = &s->hostif[i];
		const struct hf_smbios_rfip *rf;
		char nwhy[512];

		if (h->interface_type != HF_SMBIOS_IFTYPE_NETWORK)
			continue;
		network++;
		if (h->pre_3_2) {
			hf_buf_printf(&reasons, "%shandle 0x%04x is a pre-3.2 record (not decoded)",
				      reasons.len ? "; " : "", h->handle);
			continue;
		}
		rf = first_rfip(h);
		if (!rf)
			continue;
		redfish++;
		if (hf_netif_find(root, &h->device, &t->nic, nwhy, sizeof(nwhy)) == 0) {
			t->hostif = h;
			t->rfip = rf;
			r = 0;
			goto out;
		}
		hf_buf_printf(&reasons, "%shandle 0x%04x: %s", reasons.len ? "; " : "", h->handle,
			      nwhy);
	}
	if (s->n_hostif == 0)
		snprintf(why, whylen, "SMBIOS %s has no Type 42 (host interface) record",
			 s->version);
	else if (network == 0)
		snprintf(why, whylen, "SMBIOS has %zu Type 42 record(s) but no network host "
				      "interface",
			 s->n_hostif);
	else if (redfish == 0)
		snprintf(why, whylen, "no network host interface has a Redfish-over-IP protocol "
				      "record%s%s",
			 reasons.len ? ": " : "", reasons.len ? reasons.data : "");
	else
		snprintf(why, whylen, "the host interface's NIC was not found: %s",
			 reasons.data ? reasons.data : "?");
out:
	hf_buf_free(&reasons);
	return r;
}

void hf_hostif_target_clear(struct hf_hostif_target *t)
{
	hf_netif_clear(&t->nic);
	t->hostif = NULL;
	t->rfip = NULL;
}

/* ---- the endpoint ---- */

int hf_hostif_resolve(const char *name, char *addr, size_t addrlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	int r;

	r = getaddrinfo(name, NULL, &hints, &res);
	if (r != 0 || !res)
		return -ENOENT;
	r = getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)addrlen, NULL, 0,
			NI_NUMERICHOST);
	freeaddrinfo(res);
	return r == 0 ? 0 : -ENOENT;
}

static bool valid_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == ';' ||
		     s[n - 1] == '\t'))
		s[--n] = '\0';
}

/*
 * One lease file: "KEY=VALUE" lines (networkd, NetworkManager's internal client) with
 * SERVER_ADDRESS, or dhclient's "lease { interface "X"; option dhcp-server-identifier A; }"
 * blocks (the last block of the interface wins).  ifname NULL: the file is the interface's.
 */
static int lease_file(const char *path, const char *ifname, char *addr, size_t addrlen)
{
	char line[512], block_if[IF_NAMESIZE + 2] = "", block_srv[64] = "", found[64] = "";
	bool in_block = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		trim(p);
		if (strncmp(p, "SERVER_ADDRESS=", 15) == 0 && valid_ip(p + 15)) {
			snprintf(found, sizeof(found), "%s", p + 15);
		} else if (strncmp(p, "lease", 5) == 0 && strchr(p, '{')) {
			in_block = true;
			block_if[0] = block_srv[0] = '\0';
		} else if (in_block && strncmp(p, "interface ", 10) == 0) {
			char *q = p + 10;

			if (*q == '"')
				q++;
			q[strcspn(q, "\"")] = '\0';
			snprintf(block_if, sizeof(block_if), "%s", q);
		} else if (in_block && strncmp(p, "option dhcp-server-identifier ", 30) == 0) {
			snprintf(block_srv, sizeof(block_srv), "%s", p + 30);
		} else if (in_block && p[0] == '}') {
			in_block = false;
			if (block_srv[0] && valid_ip(block_srv) &&
			    (!ifname || strcmp(block_if, ifname) == 0 || !block_if[0]))
				snprintf(found, sizeof(found), "%s", block_srv);
		}
	}
	fclose(f);
	if (!found[0])
		return -ENOENT;
	if (strlen(found) >= addrlen)
		return -ENAMETOOLONG;
	strcpy(addr, found);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Every file of dir accepted by want(); the last one with a server wins (sorted by name). */
static int lease_dir(const char *dir, const char *ifname, bool (*want)(const char *, const char *),
		     bool per_interface_file, char *addr, size_t addrlen, char *file,
		     size_t filelen)
{
	struct dirent **names = NULL;
	int n, i, r = -ENOENT;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		char path[PATH_MAX], a[64];

		if (names[i]->d_name[0] != '.' && want(names[i]->d_name, ifname) &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) <
			    sizeof(path) &&
		    lease_file(path, per_interface_file ? NULL : ifname, a, sizeof(a)) == 0 &&
		    strlen(a) < addrlen) {
			strcpy(addr, a);
			snprintf(file, filelen, "%s", path);
			r = 0;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static bool want_dhclient(const char *name, const char *ifname)
{
	return ends_with(name, ".leases") || ends_with(name, ".lease");
}

static bool want_nm(const char *name, const char *ifname)
{
	char suffix[IF_NAMESIZE + 8];

	snprintf(suffix, sizeof(suffix), "-%s.lease", ifname);
	return ends_with(name, suffix);
}

int hf_hostif_dhcp_server(const char *root, const char *ifname, unsigned ifindex, char *addr,
			  size_t addrlen, char *file, size_t filelen)
{
	char dir[PATH_MAX];

	/* systemd-networkd: one file per interface, named by its index */
	if (ifindex) {
		snprintf(dir, sizeof(dir), "%s/run/systemd/netif/leases/%u", prefix(root), ifindex);
		if (lease_file(dir, NULL, addr, addrlen) == 0) {
			snprintf(file, filelen, "%s", dir);
			return 0;
		}
	}
	/* NetworkManager: internal-UUID-IFNAME.lease (KEY=VALUE) or dhclient-UUID-IFNAME.lease */
	snprintf(dir, sizeof(dir), "%s/var/lib/NetworkManager", prefix(root));
	if (lease_dir(dir, ifname, want_nm, true, addr, addrlen, file, filelen) == 0)
		return 0;
	/* ISC dhclient (Debian: /var/lib/dhcp, Red Hat: /var/lib/dhclient) */
	snprintf(dir, sizeof(dir), "%s/var/lib/dhcp", prefix(root));
	if (lease_dir(dir, ifname, want_dhclient, false, addr, addrlen, file, filelen) == 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/var/lib/dhclient", prefix(root));
	return lease_dir(dir, ifname, want_dhclient, false, addr, addrlen, file, filelen);
}

static bool is_hpe_vnic(const struct hf_smbios_device *d)
{
	return (d->type == HF_SMBIOS_DEV_USB || d->type == HF_SMBIOS_DEV_USB_V2) &&
	       d->vendor_id == 0x03f0 && d->product_id == 0x2927;
}

static void make_url(struct hf_hostif_endpoint *ep, const char *ifname)
{
	struct in6_addr a6;

	if (inet_pton(AF_INET6, ep->addr, &a6) == 1) {
		if (IN6_IS_ADDR_LINKLOCAL(&a6))
			snprintf(ep->url, sizeof(ep->url), "https://[%s%%25%s]:%u", ep->addr, ifname,
				 ep->port);
		else
			snprintf(ep->url, sizeof(ep->url), "https://[%s]:%u", ep->addr, ep->port);
	} else {
		snprintf(ep->url, sizeof(ep->url), "https://%s:%u", ep->addr, ep->port);
	}
}

int hf_hostif_endpoint(const char *root, const struct hf_hostif_target *t,
		       hf_hostif_resolve_fn resolve, struct hf_hostif_endpoint *ep, char *why,
		       size_t whylen)
{
	const struct hf_smbios_rfip *rf = t->rfip;
	char file[PATH_MAX];
	bool has_ip = rf->service_ip[0] && valid_ip(rf->service_ip);
	struct hf_buf tried = { 0 };
	int r = 0;

	memset(ep, 0, sizeof(*ep));
	ep->port = rf->port ? rf->port : 443;
	if (!resolve)
		resolve = hf_hostif_resolve;
	switch (rf->service_ip_discovery) {
	case HF_SMBIOS_IP_STATIC:
	case HF_SMBIOS_IP_AUTOCONF:
		if (!has_ip) {
			snprintf(why, whylen, "the Redfish-over-IP record announces a %s service "
					      "address but holds none (format %s)",
				 hf_smbios_ip_assignment_name(rf->service_ip_discovery),
				 hf_smbios_ip_format_name(rf->service_ip_format));
			return -EINVAL;
		}
		snprintf(ep->addr, sizeof(ep->addr), "%s", rf->service_ip);
		ep->source = "record";
		snprintf(ep->detail, sizeof(ep->detail), "the record's %s service address",
			 hf_smbios_ip_assignment_name(rf->service_ip_discovery));
		break;
	case HF_SMBIOS_IP_DHCP:
		if (rf->hostname && rf->hostname[0]) {
			if (resolve(rf->hostname, ep->addr, sizeof(ep->addr)) == 0) {
				ep->source = "hostname";
				snprintf(ep->detail, sizeof(ep->detail), "the record's host name %s",
					 rf->hostname);
				break;
			}
			hf_buf_printf(&tried, "the record's host name %s does not resolve",
				      rf->hostname);
		} else {
			hf_buf_printf(&tried, "the record has no host name");
		}
		if (hf_hostif_dhcp_server(root, t->nic.name, t->nic.ifindex, ep->addr,
					  sizeof(ep->addr), file, sizeof(file)) == 0) {
			ep->source = "dhcp-lease";
			snprintf(ep->detail, sizeof(ep->detail), "the DHCP server of %s's lease (%.200s)",
				 t->nic.name, file);
			break;
		}
		hf_buf_printf(&tried, "; no DHCP lease of %s names its server (dhclient, "
				      "systemd-networkd, NetworkManager)",
			      t->nic.name);
		if (is_hpe_vnic(&t->hostif->device)) {
			snprintf(ep->addr, sizeof(ep->addr), "%s", HF_HOSTIF_HPE_DEFAULT);
			ep->source = "hpe-default";
			snprintf(ep->detail, sizeof(ep->detail),
				 "HPE's documented default for its vNIC (USB 03f0:2927), since %s",
				 tried.data);
			break;
		}
		hf_buf_printf(&tried, "; the NIC is not HPE's vNIC, whose default address is "
				      "known");
		snprintf(why, whylen, "the BMC's address is assigned by DHCP and could not be "
				      "found: %s",
			 tried.data ? tried.data : "?");
		r = -ENOENT;
		break;
	default:
		if (has_ip) {
			snprintf(ep->addr, sizeof(ep->addr), "%s", rf->service_ip);
			ep->source = "record";
			snprintf(ep->detail, sizeof(ep->detail),
				 "the record's service address (discovery type %s)",
				 hf_smbios_ip_assignment_name(rf->service_ip_discovery));
			break;
		}
		snprintf(why, whylen, "the Redfish-over-IP record's service discovery type is %s "
				      "and it holds no service address",
			 hf_smbios_ip_assignment_name(rf->service_ip_discovery));
		r = -ENOENT;
	}
	hf_buf_free(&tried);
	if (r == 0)
		make_url(ep, t->nic.name);
	return r;
}
