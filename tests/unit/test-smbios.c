/* SPDX-License-Identifier: MIT */
/*
 * test-smbios.c - the SMBIOS reader and Type 42 decoder (lib/host/smbios.c,
 * lib/host/smbios-type42.c).
 *
 * The group setup runs tests/fixtures/smbios/make-dumps.py into a temporary directory
 * ($PYTHON or python3; the script from $top_srcdir or the path compiled in) and every test
 * asserts what one fixture decodes to.  The last tests feed the pure parser hand-made
 * buffers for the corners the fixtures do not reach.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostfish-private.h"
#include "lib/host/smbios.h"

#ifndef SMBIOS_FIXTURE_SCRIPT
#define SMBIOS_FIXTURE_SCRIPT "tests/fixtures/smbios/make-dumps.py"
#endif

extern char **environ;

static char fixture_dir[] = "/tmp/hf-test-smbios-XXXXXX";
static char err[512];

/* ---- fixtures ---- */

static int make_fixtures(void **state)
{
	const char *python = getenv("PYTHON");
	const char *srcdir = getenv("top_srcdir");
	char script[4096];
	char *argv[4];
	pid_t pid;
	int status;

	if (!python || !*python)
		python = "python3";
	if (srcdir && *srcdir)
		snprintf(script, sizeof(script), "%s/tests/fixtures/smbios/make-dumps.py", srcdir);
	else
		snprintf(script, sizeof(script), "%s", SMBIOS_FIXTURE_SCRIPT);
	if (!mkdtemp(fixture_dir))
		return -1;
	argv[0] = (char *)python;
	argv[1] = script;
	argv[2] = fixture_dir;
	argv[3] = NULL;
	if (posix_spawnp(&pid, python, NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "# %s %s %s failed\n", python, script, fixture_dir);
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int remove_fixtures(void **state)
{
	nftw(fixture_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static char *fixture(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	return path;
}

static struct hf_smbios *load(const char *name)
{
	struct hf_smbios *s = NULL;
	int r = hf_smbios_load(fixture(name), &s, err, sizeof(err));

	if (r < 0)
		fail_msg("%s: %d %s", name, r, err);
	assert_non_null(s);
	return s;
}

/* A fixture with one Type 42, no warning, no error. */
static struct hf_smbios *load_one(const char *name, const char *ep, const char *version)
{
	struct hf_smbios *s = load(name);
	size_t i;

	for (i = 0; i < s->n_warnings; i++)
		print_message("warning: %s\n", s->warnings[i]);
	for (i = 0; i < s->n_errors; i++)
		print_message("error: %s\n", s->errors[i]);
	assert_int_equal(s->n_warnings, 0);
	assert_int_equal(s->n_errors, 0);
	assert_string_equal(s->entry_point, ep);
	assert_string_equal(s->version, version);
	assert_int_equal(s->n_hostif, 1);
	assert_int_equal(s->n_structures, 5); /* BIOS, system, IPMI device, 42, end */
	assert_false(s->hostif[0].malformed);
	return s;
}

static void assert_has(char **list, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(list[i], needle))
			return;
	for (i = 0; i < n; i++)
		print_message("  have: %s\n", list[i]);
	fail_msg("no message with \"%s\"", needle);
}

struct rfip_expect {
	const char *uuid;
	uint8_t host_assign, host_fmt;
	const char *host_ip, *host_mask;
	uint8_t svc_disc, svc_fmt;
	const char *svc_ip, *svc_mask;
	uint16_t port;
	uint32_t vlan;
	const char *hostname;
	uint8_t hostname_len;
};

static void assert_rfip(const struct hf_smbios_protocol *p, const struct rfip_expect *e)
{
	const struct hf_smbios_rfip *rf = &p->rfip;

	assert_int_equal(p->type, HF_SMBIOS_PROTO_REDFISH_OVER_IP);
	assert_int_equal(p->length, HF_SMBIOS_RFIP_MIN + e->hostname_len);
	assert_true(p->decoded);
	assert_string_equal(rf->uuid, e->uuid);
	assert_int_equal(rf->host_ip_assignment, e->host_assign);
	assert_int_equal(rf->host_ip_format, e->host_fmt);
	assert_string_equal(rf->host_ip, e->host_ip);
	assert_string_equal(rf->host_mask, e->host_mask);
	assert_int_equal(rf->service_ip_discovery, e->svc_disc);
	assert_int_equal(rf->service_ip_format, e->svc_fmt);
	assert_string_equal(rf->service_ip, e->svc_ip);
	assert_string_equal(rf->service_mask, e->svc_mask);
	assert_int_equal(rf->port, e->port);
	assert_int_equal(rf->vlan, e->vlan);
	assert_string_equal(rf->hostname, e->hostname);
	assert_int_equal(rf->hostname_len, e->hostname_len);
}

/* the iLO 5 record: 16.1.15.2/30 -> 16.1.15.1/30:443, hostname with 3 trailing NULs */
static const struct rfip_expect ilo_static = {
	"c3e1f6f2-4b5a-5d4c-9e8f-1a2b3c4d5e6f",
	HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "16.1.15.2", "255.255.255.252",
	HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "16.1.15.1", "255.255.255.252",
	443, 0, "ilomxq12345z7.example.net", 28,
};

static const struct rfip_expect ilo_dhcp = {
	"c3e1f6f2-4b5a-5d4c-9e8f-1a2b3c4d5e6f",
	HF_SMBIOS_IP_DHCP, HF_SMBIOS_IPFMT_IPV4, "0.0.0.0", "0.0.0.0",
	HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "16.1.15.1", "255.255.255.252",
	443, 0, "ilomxq12345z7.example.net", 26,
};

static void assert_ilo_usb(const struct hf_smbios_device *d, const char *serial)
{
	assert_int_equal(d->type, HF_SMBIOS_DEV_USB);
	assert_true(d->decoded);
	assert_int_equal(d->vendor_id, 0x03f0);
	assert_int_equal(d->product_id, 0x2927);
	if (serial)
		assert_string_equal(d->serial, serial);
	else
		assert_null(d->serial);
	assert_false(d->has_mac);
	assert_false(d->has_location);
	assert_false(d->has_characteristics);
	assert_false(d->has_iana);
}

/* ---- one fixture per device type ---- */

static void test_usb_v1(void **state)
{
	struct hf_smbios *s = load_one("ok-usb-v1.bin", "_SM3_", "3.3");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const uint8_t uuid_wire[16] = { 0xf2, 0xf6, 0xe1, 0xc3, 0x5a, 0x4b, 0x4c, 0x5d,
					       0x9e, 0x8f, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f };
	static const uint8_t host_ip[16] = { 16, 1, 15, 2 };
	static const uint8_t host_mask[16] = { 255, 255, 255, 252 };

	assert_int_equal(s->major, 3);
	assert_int_equal(s->minor, 3);
	assert_int_equal(s->docrev, 0);
	assert_int_equal(h->handle, 0x0030);
	assert_int_equal(h->interface_type, HF_SMBIOS_IFTYPE_NETWORK);
	assert_false(h->pre_3_2);
	assert_int_equal(h->specific_len, 5 + 2 + 20); /* VID, PID, bLength, 03h, 10 UTF-16 */
	assert_int_equal(h->length, 6 + 27 + 1 + 2 + 91 + 28);
	assert_ilo_usb(&h->device, "MXQ12345Z7");
	assert_int_equal(h->protocol_count, 1);
	assert_int_equal(h->n_protocols, 1);
	assert_rfip(&h->protocols[0], &ilo_static);
	assert_memory_equal(h->protocols[0].rfip.uuid_raw, uuid_wire, 16);
	assert_memory_equal(h->protocols[0].rfip.host_ip_raw, host_ip, 16);
	assert_memory_equal(h->protocols[0].rfip.host_mask_raw, host_mask, 16);
	hf_smbios_free(s);
}

static void test_pci_v1(void **state)
{
	struct hf_smbios *s = load_one("ok-pci-v1.bin", "_SM3_", "3.2");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const struct rfip_expect dhcp = {
		"6a7b8c9d-0e1f-4a2b-8c3d-4e5f60718293",
		HF_SMBIOS_IP_DHCP, HF_SMBIOS_IPFMT_IPV4, "0.0.0.0", "0.0.0.0",
		HF_SMBIOS_IP_DHCP, HF_SMBIOS_IPFMT_IPV4, "0.0.0.0", "0.0.0.0",
		443, 0, "bmc.example.com", 15,
	};

	assert_int_equal(h->handle, 0x0031);
	assert_int_equal(h->specific_len, 9);
	assert_int_equal(h->device.type, HF_SMBIOS_DEV_PCI);
	assert_true(h->device.decoded);
	assert_int_equal(h->device.vendor_id, 0x8086);
	assert_int_equal(h->device.device_id, 0x1533);
	assert_int_equal(h->device.subsystem_vendor_id, 0x15d9);
	assert_int_equal(h->device.subsystem_id, 0x1533);
	assert_null(h->device.serial);
	assert_false(h->device.has_mac);
	assert_false(h->device.has_location);
	assert_int_equal(h->n_protocols, 1);
	assert_rfip(&h->protocols[0], &dhcp);
	hf_smbios_free(s);
}

static void test_usb_v2(void **state)
{
	struct hf_smbios *s = load_one("ok-usb-v2.bin", "_SM3_", "3.4");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const uint8_t mac[6] = { 0x72, 0x45, 0x77, 0xaa, 0xf7, 0x87 };
	static const struct rfip_expect autoconf = {
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
		HF_SMBIOS_IP_AUTOCONF, HF_SMBIOS_IPFMT_IPV4, "169.254.95.120", "255.255.0.0",
		HF_SMBIOS_IP_AUTOCONF, HF_SMBIOS_IPFMT_IPV4, "169.254.95.118", "255.255.0.0",
		443, 0, "", 0,
	};

	assert_int_equal(h->handle, 0x0032);
	assert_int_equal(h->specific_len, 13);
	assert_int_equal(h->device.type, HF_SMBIOS_DEV_USB_V2);
	assert_true(h->device.decoded);
	assert_int_equal(h->device.length, 13);
	assert_int_equal(h->device.vendor_id, 0x0525);
	assert_int_equal(h->device.product_id, 0xa4a2);
	assert_int_equal(h->device.serial_string, 1);
	assert_string_equal(h->device.serial, "0123456789");
	assert_true(h->device.has_mac);
	assert_memory_equal(h->device.mac, mac, 6);
	assert_false(h->device.has_characteristics);
	assert_false(h->device.has_location);
	assert_rfip(&h->protocols[0], &autoconf);
	hf_smbios_free(s);
}

static void test_usb_v2_13(void **state)
{
	struct hf_smbios *s = load_one("ok-usb-v2-13.bin", "_SM3_", "3.5");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const uint8_t mac[6] = { 0x0a, 0x94, 0xef, 0x5e, 0x2f, 0x41 };
	static const struct rfip_expect xcc = {
		"7e8f9a0b-1c2d-4e3f-a051-627384950617",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "169.254.95.119", "255.255.0.0",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "169.254.95.118", "255.255.0.0",
		443, 0, "xcc.local", 11,
	};

	assert_int_equal(h->handle, 0x0033);
	assert_int_equal(h->specific_len, 17);
	assert_int_equal(h->device.type, HF_SMBIOS_DEV_USB_V2);
	assert_true(h->device.decoded);
	assert_int_equal(h->device.length, 17);
	assert_int_equal(h->device.vendor_id, 0x04b3);
	assert_int_equal(h->device.product_id, 0x4010);
	assert_int_equal(h->device.serial_string, 0);
	assert_null(h->device.serial);
	assert_memory_equal(h->device.mac, mac, 6);
	assert_true(h->device.has_characteristics);
	assert_int_equal(h->device.characteristics, 1);
	assert_int_equal(h->device.bootstrap_handle, 0x0026);
	assert_rfip(&h->protocols[0], &xcc);
	hf_smbios_free(s);
}

static void test_pci_v2(void **state)
{
	struct hf_smbios *s = load_one("ok-pci-v2.bin", "_SM3_", "3.6");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const uint8_t mac[6] = { 0x94, 0x40, 0xc9, 0x3a, 0x5b, 0x6c };
	static const uint8_t v6[16] = { 0xfd, 0x00, 0x00, 0x01, 0x00, 0x02, [15] = 0x01 };
	static const struct rfip_expect six = {
		"11223344-5566-4788-99aa-bbccddeeff00",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV6, "fd00:1:2::2", "ffff:ffff:ffff:ffff::",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV6, "fd00:1:2::1", "ffff:ffff:ffff:ffff::",
		443, 100, "bmc6.example.org", 16,
	};

	assert_int_equal(s->docrev, 0);
	assert_int_equal(h->handle, 0x0034);
	assert_int_equal(h->specific_len, 20);
	assert_int_equal(h->device.type, HF_SMBIOS_DEV_PCI_V2);
	assert_true(h->device.decoded);
	assert_int_equal(h->device.length, 20);
	assert_int_equal(h->device.vendor_id, 0x14e4);
	assert_int_equal(h->device.device_id, 0x1657);
	assert_int_equal(h->device.subsystem_vendor_id, 0x1590);
	assert_int_equal(h->device.subsystem_id, 0x00e3);
	assert_memory_equal(h->device.mac, mac, 6);
	assert_true(h->device.has_location);
	assert_int_equal(h->device.segment, 0);
	assert_int_equal(h->device.bus, 59);
	assert_int_equal(h->device.dev, 2);
	assert_int_equal(h->device.function, 1);
	assert_false(h->device.has_characteristics);
	assert_null(h->device.serial);
	assert_rfip(&h->protocols[0], &six);
	assert_memory_equal(h->protocols[0].rfip.service_ip_raw, v6, 16);
	hf_smbios_free(s);
}

static void test_pci_v2_13(void **state)
{
	struct hf_smbios *s = load_one("ok-pci-v2-13.bin", "_SM3_", "3.6");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const struct rfip_expect sel = {
		"aabbccdd-eeff-4011-8233-445566778899",
		HF_SMBIOS_IP_HOST_SELECTED, HF_SMBIOS_IPFMT_IPV4, "0.0.0.0", "0.0.0.0",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "10.0.0.1", "255.255.255.0",
		8443, 0, "", 0,
	};

	assert_int_equal(h->handle, 0x0035);
	assert_int_equal(h->specific_len, 24);
	assert_int_equal(h->device.type, HF_SMBIOS_DEV_PCI_V2);
	assert_int_equal(h->device.length, 24);
	assert_int_equal(h->device.vendor_id, 0x1a03);
	assert_int_equal(h->device.device_id, 0x2402);
	assert_int_equal(h->device.subsystem_vendor_id, 0x1a03);
	assert_int_equal(h->device.subsystem_id, 0x2402);
	assert_memory_equal(h->device.mac, mac, 6);
	assert_int_equal(h->device.segment, 1);
	assert_int_equal(h->device.bus, 0x85);
	assert_int_equal(h->device.dev, 0);
	assert_int_equal(h->device.function, 0);
	assert_true(h->device.has_characteristics);
	assert_int_equal(h->device.characteristics, 0);
	assert_int_equal(h->device.bootstrap_handle, 0xffff);
	assert_rfip(&h->protocols[0], &sel);
	hf_smbios_free(s);
}

static void test_oem(void **state)
{
	struct hf_smbios *s = load_one("ok-oem.bin", "_SM3_", "3.3");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(h->handle, 0x0036);
	assert_int_equal(h->specific_len, 7);
	assert_int_equal(h->device.type, 0x80);
	assert_true(h->device.decoded);
	assert_true(h->device.has_iana);
	assert_int_equal(h->device.iana, 11);
	assert_int_equal(h->device.vendor_id, 0);
	assert_false(h->device.has_mac);
	assert_rfip(&h->protocols[0], &ilo_static);
	hf_smbios_free(s);
}

/* ---- entry points, versions ---- */

static void test_sm_2x(void **state)
{
	struct hf_smbios *s = load("ok-sm-2x.bin");

	assert_string_equal(s->entry_point, "_SM_");
	assert_string_equal(s->version, "2.8");
	assert_int_equal(s->docrev, 0);
	assert_int_equal(s->n_warnings, 0);
	assert_int_equal(s->n_errors, 0);
	assert_int_equal(s->announced_structures, 6);
	assert_int_equal(s->n_structures, 6);
	assert_int_equal(s->n_hostif, 2);
	assert_int_equal(s->hostif[0].handle, 0x0037);
	assert_int_equal(s->hostif[0].interface_type, HF_SMBIOS_IFTYPE_KCS);
	assert_true(s->hostif[0].pre_3_2);
	assert_int_equal(s->hostif[1].handle, 0x0038);
	assert_int_equal(s->hostif[1].interface_type, HF_SMBIOS_IFTYPE_NETWORK);
	assert_true(s->hostif[1].pre_3_2);
	/* nothing guessed after the interface type */
	assert_int_equal(s->hostif[1].specific_len, 0);
	assert_int_equal(s->hostif[1].device.type, 0);
	assert_false(s->hostif[1].device.decoded);
	assert_int_equal(s->hostif[1].protocol_count, 0);
	assert_int_equal(s->hostif[1].n_protocols, 0);
	assert_false(s->hostif[1].malformed);
	hf_smbios_free(s);
}

static void test_sm_3x(void **state)
{
	struct hf_smbios *s = load_one("ok-sm-3x.bin", "_SM_", "3.2");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(s->announced_structures, 5);
	assert_int_equal(h->handle, 0x0039);
	assert_false(h->pre_3_2);
	assert_ilo_usb(&h->device, "MXQ12345Z7");
	assert_rfip(&h->protocols[0], &ilo_dhcp);
	hf_smbios_free(s);
}

static void test_v3_1(void **state)
{
	struct hf_smbios *s = load_one("ok-v3-1.bin", "_SM3_", "3.1");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(s->docrev, 1);
	assert_int_equal(h->handle, 0x003d);
	assert_int_equal(h->interface_type, HF_SMBIOS_IFTYPE_NETWORK);
	assert_true(h->pre_3_2);
	assert_int_equal(h->specific_len, 0);
	assert_int_equal(h->device.type, 0);
	assert_false(h->device.decoded);
	assert_int_equal(h->n_protocols, 0);
	assert_null(h->protocols);
	hf_smbios_free(s);
}

static void test_multi_proto(void **state)
{
	struct hf_smbios *s = load_one("ok-multi-proto.bin", "_SM3_", "3.4");
	const struct hf_smbios_hostif *h = &s->hostif[0];
	static const struct rfip_expect v4 = {
		"01234567-89ab-4def-8123-456789abcdef",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "192.168.100.2", "255.255.255.0",
		HF_SMBIOS_IP_STATIC, HF_SMBIOS_IPFMT_IPV4, "192.168.100.1", "255.255.255.0",
		443, 7, "a", 1,
	};
	static const struct rfip_expect v6 = {
		"fedcba98-7654-4321-8fed-cba987654321",
		HF_SMBIOS_IP_DHCP, HF_SMBIOS_IPFMT_IPV6, "::", "::",
		HF_SMBIOS_IP_DHCP, HF_SMBIOS_IPFMT_IPV6, "::", "::",
		443, 0, "ilo.example", 12,
	};

	assert_int_equal(h->handle, 0x003a);
	assert_ilo_usb(&h->device, NULL);
	assert_int_equal(h->specific_len, 5);
	assert_int_equal(h->protocol_count, 4);
	assert_int_equal(h->n_protocols, 4);
	assert_int_equal(h->protocols[0].type, HF_SMBIOS_PROTO_IPMI);
	assert_int_equal(h->protocols[0].length, 2);
	assert_false(h->protocols[0].decoded);
	assert_rfip(&h->protocols[1], &v4);
	assert_rfip(&h->protocols[2], &v6);
	assert_int_equal(h->protocols[3].type, HF_SMBIOS_PROTO_OEM);
	assert_int_equal(h->protocols[3].length, 4);
	assert_false(h->protocols[3].decoded);
	assert_null(h->protocols[3].rfip.hostname);
	hf_smbios_free(s);
}

static void test_kcs_network(void **state)
{
	struct hf_smbios *s = load("ok-kcs-network.bin");

	assert_int_equal(s->n_warnings, 0);
	assert_int_equal(s->n_errors, 0);
	assert_int_equal(s->n_hostif, 2);
	assert_int_equal(s->hostif[0].handle, 0x003b);
	assert_int_equal(s->hostif[0].interface_type, HF_SMBIOS_IFTYPE_KCS);
	assert_string_equal(hf_smbios_interface_type_name(s->hostif[0].interface_type), "kcs");
	assert_false(s->hostif[0].pre_3_2);
	assert_int_equal(s->hostif[0].specific_len, 0);
	assert_int_equal(s->hostif[0].device.type, 0);
	assert_int_equal(s->hostif[0].n_protocols, 1);
	assert_int_equal(s->hostif[0].protocols[0].type, HF_SMBIOS_PROTO_IPMI);
	assert_int_equal(s->hostif[0].protocols[0].length, 0);
	assert_int_equal(s->hostif[1].handle, 0x003c);
	assert_ilo_usb(&s->hostif[1].device, "MXQ12345Z7");
	assert_rfip(&s->hostif[1].protocols[0], &ilo_dhcp);
	hf_smbios_free(s);
}

static void test_warn_checksums(void **state)
{
	struct hf_smbios *s = load("warn-ep-csum.bin");

	assert_int_equal(s->n_warnings, 1);
	assert_has(s->warnings, s->n_warnings, "bad _SM3_ entry point checksum");
	assert_int_equal(s->n_errors, 0);
	assert_int_equal(s->n_hostif, 1);
	assert_rfip(&s->hostif[0].protocols[0], &ilo_static);
	hf_smbios_free(s);

	s = load("warn-dmi-csum.bin");
	assert_int_equal(s->n_warnings, 1);
	assert_has(s->warnings, s->n_warnings, "_DMI_ intermediate");
	assert_int_equal(s->n_errors, 0);
	assert_string_equal(s->entry_point, "_SM_");
	assert_int_equal(s->n_hostif, 1);
	assert_ilo_usb(&s->hostif[0].device, "MXQ12345Z7");
	hf_smbios_free(s);
}

/* ---- malformed records: an error for the structure, the rest decodes ---- */

static struct hf_smbios *load_bad(const char *name, const char *msg)
{
	struct hf_smbios *s = load(name);

	assert_int_equal(s->n_errors, 1);
	assert_has(s->errors, s->n_errors, msg);
	return s;
}

static void test_bad_rfip_short(void **state)
{
	struct hf_smbios *s = load_bad("bad-rfip-short.bin", "Type 42 handle 0x0040: "
					  "Redfish-over-IP record 1 has 40 data bytes");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(s->n_hostif, 1);
	assert_true(h->malformed);
	assert_ilo_usb(&h->device, NULL);
	assert_int_equal(h->n_protocols, 1);
	assert_int_equal(h->protocols[0].type, HF_SMBIOS_PROTO_REDFISH_OVER_IP);
	assert_int_equal(h->protocols[0].length, 40);
	assert_false(h->protocols[0].decoded);
	assert_null(h->protocols[0].rfip.hostname);
	assert_string_equal(h->protocols[0].rfip.uuid, "");
	hf_smbios_free(s);
}

static void test_bad_proto_past(void **state)
{
	struct hf_smbios *s = load_bad("bad-proto-past.bin", "protocol record 3 of 3 (type 0x04,"
				       " 200 data bytes) runs past the end of the structure");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_true(h->malformed);
	assert_int_equal(h->protocol_count, 3);
	assert_int_equal(h->n_protocols, 2); /* the two before it */
	assert_int_equal(h->protocols[0].type, HF_SMBIOS_PROTO_IPMI);
	assert_rfip(&h->protocols[1], &ilo_static);
	assert_int_equal(s->n_structures, 5); /* the walk went on */
	hf_smbios_free(s);
}

static void test_bad_hostname_len(void **state)
{
	struct hf_smbios *s = load_bad("bad-hostname-len.bin", "the hostname (40 bytes) runs"
				       " past the record (94 data bytes)");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(h->n_protocols, 1);
	assert_false(h->protocols[0].decoded);
	assert_null(h->protocols[0].rfip.hostname);
	assert_int_equal(h->protocols[0].rfip.port, 0);
	hf_smbios_free(s);
}

static void test_bad_specific_len(void **state)
{
	struct hf_smbios *s = load_bad("bad-specific-len.bin", "the interface-specific data (200"
				       " bytes) runs past the end of the structure (12 bytes)");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_true(h->malformed);
	assert_int_equal(h->specific_len, 200);
	assert_int_equal(h->device.type, 0);
	assert_false(h->device.decoded);
	assert_int_equal(h->n_protocols, 0);
	hf_smbios_free(s);
}

static void test_bad_v2_len(void **state)
{
	struct hf_smbios *s = load_bad("bad-v2-len.bin", "USB v2 device descriptor length 32"
				       " runs past the interface data (13 bytes)");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_int_equal(h->device.type, HF_SMBIOS_DEV_USB_V2);
	assert_false(h->device.decoded);
	assert_false(h->device.has_mac);
	assert_int_equal(h->device.vendor_id, 0);
	/* the protocol records are located by n, not by the broken descriptor */
	assert_rfip(&h->protocols[0], &ilo_static);
	hf_smbios_free(s);
}

static void test_bad_usb_serial(void **state)
{
	struct hf_smbios *s = load_bad("bad-usb-serial.bin", "USB serial number descriptor of 40"
				       " bytes does not fit");
	const struct hf_smbios_hostif *h = &s->hostif[0];

	assert_ilo_usb(&h->device, NULL);
	assert_rfip(&h->protocols[0], &ilo_static);
	hf_smbios_free(s);
}

/* ---- malformed tables: the walk stops, what came before stays ---- */

static void test_bad_tables(void **state)
{
	struct hf_smbios *s;

	s = load_bad("bad-struct-truncated.bin", "structure 4 at offset 0x");
	assert_has(s->errors, s->n_errors, "runs past the end of the table");
	assert_int_equal(s->n_structures, 3);
	assert_int_equal(s->n_hostif, 0);
	hf_smbios_free(s);

	s = load_bad("bad-no-double-nul.bin", "(type 42, handle 0x0046) has no double NUL");
	assert_int_equal(s->n_structures, 3);
	assert_int_equal(s->n_hostif, 0);
	hf_smbios_free(s);

	s = load_bad("bad-zero-length.bin", "structure 5 at offset 0x");
	assert_has(s->errors, s->n_errors, "has length 0 (below 4)");
	assert_int_equal(s->n_structures, 4);
	assert_int_equal(s->n_hostif, 1);
	assert_rfip(&s->hostif[0].protocols[0], &ilo_static);
	hf_smbios_free(s);
}

/* ---- files that cannot be loaded ---- */

static void assert_load_fails(const char *name, int code, const char *msg)
{
	struct hf_smbios *s = NULL;
	int r = hf_smbios_load(fixture(name), &s, err, sizeof(err));

	if (r != code || !strstr(err, msg))
		fail_msg("%s: %d \"%s\", expected %d \"%s\"", name, r, err, code, msg);
	assert_null(s);
	assert_true(hf_startswith(err, fixture(name)));
}

static void test_load_failures(void **state)
{
	struct hf_smbios *s = NULL;

	assert_load_fails("fail-empty.bin", -EBADMSG, "empty SMBIOS entry point");
	assert_load_fails("fail-garbage.bin", -EBADMSG, "no SMBIOS entry point");
	assert_load_fails("fail-ep-truncated.bin", -EBADMSG, "truncated _SM3_ entry point");
	assert_load_fails("fail-dmi-anchor.bin", -EBADMSG, "without its _DMI_ anchor");
	assert_load_fails("fail-legacy.bin", -ENOTSUP, "legacy DMI entry point");
	assert_load_fails("fail-table-offset.bin", -EBADMSG, "table offset 0x1000 is outside");
	assert_load_fails("fail-table-past-file.bin", -EBADMSG, "its entry point announces");

	assert_int_equal(hf_smbios_load(fixture("no-such.bin"), &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(hf_smbios_load(fixture_dir, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	assert_null(s);
}

/* ---- the kernel's tables, under a fixture root ---- */

static void test_sysfs(void **state)
{
	struct hf_smbios *s = NULL;
	char root[4096];

	snprintf(root, sizeof(root), "%s/sysfs/ok-usb-v1", fixture_dir);
	assert_int_equal(hf_smbios_load_at(root, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s->entry_point, "_SM3_");
	assert_int_equal(s->n_warnings, 0);
	assert_int_equal(s->n_errors, 0);
	assert_int_equal(s->n_hostif, 1);
	assert_ilo_usb(&s->hostif[0].device, "MXQ12345Z7");
	assert_rfip(&s->hostif[0].protocols[0], &ilo_static);
	hf_smbios_free(s);

	snprintf(root, sizeof(root), "%s/sysfs/ok-sm-3x/", fixture_dir);
	assert_int_equal(hf_smbios_load_at(root, NULL, &s, err, sizeof(err)), 0);
	assert_string_equal(s->entry_point, "_SM_");
	assert_int_equal(s->n_hostif, 1);
	assert_rfip(&s->hostif[0].protocols[0], &ilo_dhcp);
	hf_smbios_free(s);

	snprintf(root, sizeof(root), "%s/sysfs/ok-sm-2x", fixture_dir);
	assert_int_equal(hf_smbios_load_at(root, NULL, &s, err, sizeof(err)), 0);
	assert_int_equal(s->n_hostif, 2);
	assert_true(s->hostif[1].pre_3_2);
	hf_smbios_free(s);
	s = NULL;

	snprintf(root, sizeof(root), "%s/sysfs/nothing", fixture_dir);
	assert_int_equal(hf_smbios_load_at(root, NULL, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "sys/firmware/dmi/tables/smbios_entry_point"));
	assert_null(s);
}

/* ---- hand-made buffers through the pure parser ---- */

struct tb {
	uint8_t b[1024];
	size_t len;
};

static void put(struct tb *t, const void *p, size_t n)
{
	assert_true(t->len + n <= sizeof(t->b));
	memcpy(t->b + t->len, p, n);
	t->len += n;
}

static void put8(struct tb *t, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(t, &b, 1);
}

static void put16(struct tb *t, unsigned v)
{
	put8(t, v & 0xff);
	put8(t, v >> 8);
}

static size_t begin(struct tb *t, unsigned type, unsigned handle)
{
	size_t off = t->len;

	put8(t, type);
	put8(t, 0);
	put16(t, handle);
	return off;
}

/* Close the formatted area and append the strings (NULL-terminated list). */
static void end(struct tb *t, size_t off, ...)
{
	const char *s;
	bool any = false;
	va_list ap;

	t->b[off + 1] = (uint8_t)(t->len - off);
	va_start(ap, off);
	while ((s = va_arg(ap, const char *))) {
		put(t, s, strlen(s) + 1);
		any = true;
	}
	va_end(ap);
	put8(t, 0);
	if (!any)
		put8(t, 0);
}

static void eot(struct tb *t)
{
	end(t, begin(t, 127, 0xfeff), NULL);
}

static void ep3(uint8_t ep[24], unsigned major, unsigned minor, uint32_t max)
{
	uint8_t sum = 0;
	int i;

	memset(ep, 0, 24);
	memcpy(ep, "_SM3_", 5);
	ep[6] = 24;
	ep[7] = (uint8_t)major;
	ep[8] = (uint8_t)minor;
	ep[10] = 1;
	for (i = 0; i < 4; i++)
		ep[0x0c + i] = (uint8_t)(max >> (8 * i));
	for (i = 0; i < 24; i++)
		sum += ep[i];
	ep[5] = (uint8_t)-sum;
}

static void ep2(uint8_t ep[31], uint16_t len, uint16_t count)
{
	uint8_t sum = 0;
	int i;

	memset(ep, 0, 31);
	memcpy(ep, "_SM_", 4);
	ep[5] = 31;
	ep[6] = 3;
	ep[7] = 2;
	memcpy(ep + 0x10, "_DMI_", 5);
	ep[0x16] = len & 0xff;
	ep[0x17] = len >> 8;
	ep[0x1c] = count & 0xff;
	ep[0x1d] = count >> 8;
	for (i = 0x10; i < 0x1f; i++)
		sum += ep[i];
	ep[0x15] = (uint8_t)-sum;
	sum = 0;
	for (i = 0; i < 31; i++)
		sum += ep[i];
	ep[4] = (uint8_t)-sum;
}

static struct hf_smbios *parse3(const struct tb *t)
{
	struct hf_smbios *s = NULL;
	uint8_t ep[24];

	ep3(ep, 3, 4, (uint32_t)t->len);
	if (hf_smbios_parse(ep, sizeof(ep), t->b, t->len, &s, err, sizeof(err)) < 0)
		fail_msg("parse: %s", err);
	return s;
}

/* A network Type 42 with this device descriptor and no protocol record. */
static struct hf_smbios *parse_device(const uint8_t *desc, size_t n, const char *string1)
{
	struct tb t = { .len = 0 };
	size_t off = begin(&t, 42, 0x0050);

	put8(&t, HF_SMBIOS_IFTYPE_NETWORK);
	put8(&t, n);
	put(&t, desc, n);
	put8(&t, 0);
	end(&t, off, string1, NULL);
	eot(&t);
	return parse3(&t);
}

static void test_utf16_serial(void **state)
{
	/* "Aé€😀" + lone high surrogate + lone low surrogate, then NUL padding */
	static const uint8_t desc[] = {
		0x02, 0xf0, 0x03, 0x27, 0x29, 2 + 2 * 9, 0x03, 'A', 0, 0xe9, 0x00, 0xac, 0x20,
		0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 'x', 0, 0x00, 0xdc, 0, 0, 'z', 0,
	};
	struct hf_smbios *s = parse_device(desc, sizeof(desc), NULL);

	assert_int_equal(s->n_errors, 0);
	assert_string_equal(s->hostif[0].device.serial,
			    "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbdx\xef\xbf\xbd");
	hf_smbios_free(s);
}

static void test_usb_serial_variants(void **state)
{
	static const uint8_t empty[] = { 0x02, 0xf0, 0x03, 0x27, 0x29, 2, 0x03 };
	static const uint8_t none[] = { 0x02, 0xf0, 0x03, 0x27, 0x29, 0 };
	static const uint8_t wrong_type[] = { 0x02, 0xf0, 0x03, 0x27, 0x29, 4, 0x01, 'A', 0 };
	static const uint8_t odd[] = { 0x02, 0xf0, 0x03, 0x27, 0x29, 3, 0x03, 'A' };
	static const uint8_t short_usb[] = { 0x02, 0xf0, 0x03, 0x27 };
	static const uint8_t short_pci[] = { 0x03, 0x86, 0x80, 0x33, 0x15, 0, 0, 0 };
	static const uint8_t short_oem[] = { 0x81, 0, 0, 0 };
	static const uint8_t unknown[] = { 0x06, 1, 2, 3 };
	static const uint8_t short_v2[] = { 0x05, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0, 0, 0 };
	static const uint8_t lonely_v2[] = { 0x04 };
	static const uint8_t v2_bad_string[] = { 0x04, 13, 0x25, 0x05, 0xa2, 0xa4, 2,
						 1, 2, 3, 4, 5, 6 };
	struct hf_smbios *s;

	s = parse_device(empty, sizeof(empty), NULL);
	assert_int_equal(s->n_errors, 0);
	assert_string_equal(s->hostif[0].device.serial, "");
	hf_smbios_free(s);

	s = parse_device(none, sizeof(none), NULL);
	assert_int_equal(s->n_errors, 0);
	assert_null(s->hostif[0].device.serial);
	assert_true(s->hostif[0].device.decoded);
	hf_smbios_free(s);

	s = parse_device(wrong_type, sizeof(wrong_type), NULL);
	assert_has(s->errors, s->n_errors, "USB serial number descriptor of type 0x01");
	assert_null(s->hostif[0].device.serial);
	hf_smbios_free(s);

	s = parse_device(odd, sizeof(odd), NULL);
	assert_has(s->errors, s->n_errors, "odd length 3");
	hf_smbios_free(s);

	s = parse_device(short_usb, sizeof(short_usb), NULL);
	assert_has(s->errors, s->n_errors, "USB device descriptor of 4 bytes");
	assert_false(s->hostif[0].device.decoded);
	assert_int_equal(s->hostif[0].device.vendor_id, 0);
	hf_smbios_free(s);

	s = parse_device(short_pci, sizeof(short_pci), NULL);
	assert_has(s->errors, s->n_errors, "PCI device descriptor of 8 bytes");
	assert_false(s->hostif[0].device.decoded);
	hf_smbios_free(s);

	s = parse_device(short_oem, sizeof(short_oem), NULL);
	assert_has(s->errors, s->n_errors, "OEM device descriptor of 4 bytes");
	assert_false(s->hostif[0].device.has_iana);
	hf_smbios_free(s);

	s = parse_device(unknown, sizeof(unknown), NULL);
	assert_int_equal(s->n_errors, 0);
	assert_has(s->warnings, s->n_warnings, "unknown device type 0x06");
	assert_int_equal(s->hostif[0].device.type, 6);
	assert_false(s->hostif[0].device.decoded);
	assert_string_equal(hf_smbios_device_type_name(6), "unknown");
	hf_smbios_free(s);

	s = parse_device(short_v2, sizeof(short_v2), NULL);
	assert_has(s->errors, s->n_errors, "PCI v2 device descriptor of 19 bytes (at least 20");
	assert_false(s->hostif[0].device.has_location);
	hf_smbios_free(s);

	s = parse_device(lonely_v2, sizeof(lonely_v2), NULL);
	assert_has(s->errors, s->n_errors, "USB v2 device descriptor of 1 bytes, without its"
		   " length");
	hf_smbios_free(s);

	s = parse_device(v2_bad_string, sizeof(v2_bad_string), "only one");
	assert_int_equal(s->n_errors, 0);
	assert_has(s->warnings, s->n_warnings, "the serial number string 2 does not exist");
	assert_true(s->hostif[0].device.decoded);
	assert_null(s->hostif[0].device.serial);
	hf_smbios_free(s);
}

/* A Redfish-over-IP record of exactly 91 + extra bytes. */
static struct hf_smbios *parse_rfip(const uint8_t *name, uint8_t hlen, size_t extra)
{
	struct tb t = { .len = 0 };
	size_t off = begin(&t, 42, 0x0051);
	uint8_t data[91] = { 0 };

	put8(&t, HF_SMBIOS_IFTYPE_NETWORK);
	put8(&t, 0); /* no device descriptor */
	put8(&t, 1);
	put8(&t, HF_SMBIOS_PROTO_REDFISH_OVER_IP);
	put8(&t, 91 + extra);
	data[17] = 7; /* a reserved address format */
	data[51] = HF_SMBIOS_IPFMT_IPV4;
	data[52] = 10;
	data[55] = 1;
	data[84] = 0xbb; /* port 443 */
	data[85] = 0x01;
	data[86] = 0x78; /* VLAN 0x12345678 */
	data[87] = 0x56;
	data[88] = 0x34;
	data[89] = 0x12;
	data[90] = hlen;
	put(&t, data, sizeof(data));
	put(&t, name, extra);
	end(&t, off, NULL);
	eot(&t);
	return parse3(&t);
}

static void test_rfip_edges(void **state)
{
	struct hf_smbios *s;
	const struct hf_smbios_rfip *rf;

	s = parse_rfip((const uint8_t *)"", 0, 0);
	assert_int_equal(s->n_errors, 0);
	rf = &s->hostif[0].protocols[0].rfip;
	assert_true(s->hostif[0].protocols[0].decoded);
	assert_string_equal(rf->hostname, "");
	assert_string_equal(rf->uuid, "00000000-0000-0000-0000-000000000000");
	assert_string_equal(rf->host_ip, ""); /* format 7: not rendered */
	assert_string_equal(hf_smbios_ip_format_name(rf->host_ip_format), "reserved");
	assert_string_equal(rf->service_ip, "10.0.0.1");
	assert_int_equal(rf->port, 443);
	assert_int_equal(rf->vlan, 0x12345678);
	assert_int_equal(s->hostif[0].device.type, 0);
	hf_smbios_free(s);

	/* an embedded NUL ends the hostname; the record may be longer than the name */
	s = parse_rfip((const uint8_t *)"ab\0cd\0\0\0", 5, 8);
	assert_int_equal(s->n_errors, 0);
	assert_string_equal(s->hostif[0].protocols[0].rfip.hostname, "ab");
	assert_int_equal(s->hostif[0].protocols[0].rfip.hostname_len, 5);
	hf_smbios_free(s);

	s = parse_rfip((const uint8_t *)"abc", 4, 3);
	assert_has(s->errors, s->n_errors, "the hostname (4 bytes) runs past the record (94");
	assert_false(s->hostif[0].protocols[0].decoded);
	hf_smbios_free(s);
}

static void test_structure_edges(void **state)
{
	struct tb t = { .len = 0 };
	struct hf_smbios *s;
	size_t off;

	/* too short for an interface type: an error, no record */
	off = begin(&t, 42, 0x0060);
	end(&t, off, NULL);
	/* too short for n */
	off = begin(&t, 42, 0x0061);
	put8(&t, HF_SMBIOS_IFTYPE_KCS);
	end(&t, off, NULL);
	/* n = 0 and no record count */
	off = begin(&t, 42, 0x0062);
	put8(&t, HF_SMBIOS_IFTYPE_KCS);
	put8(&t, 0);
	end(&t, off, NULL);
	/* a record header cut by the end of the structure */
	off = begin(&t, 42, 0x0063);
	put8(&t, HF_SMBIOS_IFTYPE_NETWORK);
	put8(&t, 0);
	put8(&t, 2);
	put8(&t, HF_SMBIOS_PROTO_IPMI);
	put8(&t, 0);
	put8(&t, HF_SMBIOS_PROTO_IPMI);
	end(&t, off, NULL);
	/* an OEM interface type with data and no records */
	off = begin(&t, 42, 0x0064);
	put8(&t, HF_SMBIOS_IFTYPE_OEM);
	put8(&t, 2);
	put16(&t, 0xbeef);
	put8(&t, 0);
	end(&t, off, NULL);
	eot(&t);
	s = parse3(&t);

	assert_int_equal(s->n_errors, 4);
	assert_has(s->errors, s->n_errors, "handle 0x0060: structure of 4 bytes, without an"
		   " interface type");
	assert_has(s->errors, s->n_errors, "handle 0x0061: structure of 5 bytes, without its"
		   " interface data length");
	assert_has(s->errors, s->n_errors, "handle 0x0062: no protocol record count");
	assert_has(s->errors, s->n_errors, "handle 0x0063: protocol record 2 of 2 starts past");
	assert_int_equal(s->n_hostif, 4);
	assert_int_equal(s->hostif[0].handle, 0x0061);
	assert_true(s->hostif[0].malformed);
	assert_int_equal(s->hostif[2].n_protocols, 1);
	assert_int_equal(s->hostif[3].interface_type, HF_SMBIOS_IFTYPE_OEM);
	assert_false(s->hostif[3].malformed);
	assert_int_equal(s->hostif[3].specific_len, 2);
	assert_int_equal(s->hostif[3].device.type, 0); /* only network data is decoded */
	hf_smbios_free(s);
}

static void test_many_type42(void **state)
{
	struct tb t = { .len = 0 };
	struct hf_smbios *s;
	size_t off;
	unsigned i;

	for (i = 0; i < 70; i++) {
		off = begin(&t, 42, i);
		put8(&t, HF_SMBIOS_IFTYPE_NETWORK);
		put8(&t, 0);
		put8(&t, 255); /* claims 255 records, has none */
		end(&t, off, NULL);
	}
	eot(&t);
	s = parse3(&t);
	assert_int_equal(s->n_structures, 71);
	assert_int_equal(s->n_hostif, 64);
	assert_int_equal(s->n_errors, 65);
	assert_has(s->errors, s->n_errors, "more than 64 Type 42 structures: the others are not"
		   " decoded");
	assert_has(s->errors, s->n_errors, "handle 0x003f: protocol record 1 of 255 starts past");
	assert_int_equal(s->hostif[63].protocol_count, 255);
	assert_int_equal(s->hostif[63].n_protocols, 0);
	hf_smbios_free(s);
}

static void test_strings(void **state)
{
	static const uint8_t set[] = "one\0\0three\0";
	struct hf_smbios_struct st = { .strings = set, .strings_len = sizeof(set) - 1 };
	size_t len = 0;

	assert_null(hf_smbios_struct_string(&st, 0, &len));
	assert_string_equal(hf_smbios_struct_string(&st, 1, &len), "one");
	assert_int_equal(len, 3);
	assert_string_equal(hf_smbios_struct_string(&st, 2, &len), "");
	assert_string_equal(hf_smbios_struct_string(&st, 3, &len), "three");
	assert_null(hf_smbios_struct_string(&st, 4, &len));
	st.strings_len = 0;
	assert_null(hf_smbios_struct_string(&st, 1, NULL));
	/* a set that does not end with a NUL yields nothing past it */
	st.strings = (const uint8_t *)"abc";
	st.strings_len = 3;
	assert_null(hf_smbios_struct_string(&st, 1, NULL));
}

static void test_table_edges(void **state)
{
	struct hf_smbios *s = NULL;
	struct tb t = { .len = 0 };
	uint8_t ep[31], ep_sm3[24];
	size_t used;

	end(&t, begin(&t, 1, 1), "x", NULL);
	eot(&t);
	used = t.len;
	put(&t, "\x55\x55\x55\x55\x55\x55\x55\x55", 8); /* past the _SM3_ maximum: ignored */
	ep3(ep_sm3, 3, 7, (uint32_t)used);
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, t.len, &s, err, sizeof(err)), 0);
	assert_int_equal(s->n_structures, 2);
	assert_int_equal(s->n_warnings, 0);
	assert_string_equal(s->version, "3.7");
	hf_smbios_free(s);

	/* _SM3_: the table may be shorter than the maximum; no end-of-table is a warning */
	ep3(ep_sm3, 3, 4, 4096);
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, 7, &s, err, sizeof(err)), 0);
	assert_int_equal(s->n_structures, 1);
	assert_int_equal(s->n_warnings, 1);
	assert_has(s->warnings, s->n_warnings, "no end-of-table structure");
	hf_smbios_free(s);

	/* stray bytes after the last structure */
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, 9, &s, err, sizeof(err)), 0);
	assert_int_equal(s->n_warnings, 2);
	assert_has(s->warnings, s->n_warnings, "2 stray bytes at the end of the table");
	hf_smbios_free(s);

	/* _SM_: the count is checked, the length is exact */
	ep2(ep, (uint16_t)used, 3);
	assert_int_equal(hf_smbios_parse(ep, 31, t.b, used, &s, err, sizeof(err)), 0);
	assert_has(s->warnings, s->n_warnings, "announces 3 structures, the table holds 2");
	hf_smbios_free(s);
	s = NULL;
	assert_int_equal(used, 13);
	assert_int_equal(hf_smbios_parse(ep, 31, t.b, used - 1, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "the SMBIOS table holds 12 bytes, its entry point announces"
				    " 13"));
	assert_null(s);

	/* entry point problems */
	assert_int_equal(hf_smbios_parse(NULL, 0, t.b, used, &s, err, sizeof(err)), -EBADMSG);
	assert_int_equal(hf_smbios_parse(ep, 30, t.b, used, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "truncated _SM_ entry point (30 of 31 bytes)"));
	ep[5] = 0x40;
	assert_int_equal(hf_smbios_parse(ep, 31, t.b, used, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "_SM_ entry point length 64 is invalid"));
	ep_sm3[6] = 0x10;
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, used, &s, err, sizeof(err)), -EBADMSG);
	ep3(ep_sm3, 3, 4, 0);
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, used, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "announces an empty table"));
	ep3(ep_sm3, 3, 4, 100);
	assert_int_equal(hf_smbios_parse(ep_sm3, 24, t.b, 0, &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "the SMBIOS table is empty"));
	assert_int_equal(hf_smbios_parse_dump(NULL, 0, &s, err, sizeof(err)), -EBADMSG);
	assert_null(s);
}

static void test_names(void **state)
{
	assert_string_equal(hf_smbios_interface_type_name(0x40), "network");
	assert_string_equal(hf_smbios_interface_type_name(0x02), "kcs");
	assert_string_equal(hf_smbios_interface_type_name(0x05), "uart");
	assert_string_equal(hf_smbios_interface_type_name(0x20), "mctp");
	assert_string_equal(hf_smbios_interface_type_name(0xf0), "oem");
	assert_string_equal(hf_smbios_interface_type_name(0x41), "unknown");
	assert_string_equal(hf_smbios_device_type_name(2), "usb");
	assert_string_equal(hf_smbios_device_type_name(3), "pci");
	assert_string_equal(hf_smbios_device_type_name(4), "usb-v2");
	assert_string_equal(hf_smbios_device_type_name(5), "pci-v2");
	assert_string_equal(hf_smbios_device_type_name(0xff), "oem");
	assert_string_equal(hf_smbios_protocol_name(2), "ipmi");
	assert_string_equal(hf_smbios_protocol_name(3), "mctp");
	assert_string_equal(hf_smbios_protocol_name(4), "redfish-over-ip");
	assert_string_equal(hf_smbios_protocol_name(0xf0), "oem");
	assert_string_equal(hf_smbios_protocol_name(0), "unknown");
	assert_string_equal(hf_smbios_ip_assignment_name(0), "unknown");
	assert_string_equal(hf_smbios_ip_assignment_name(1), "static");
	assert_string_equal(hf_smbios_ip_assignment_name(2), "dhcp");
	assert_string_equal(hf_smbios_ip_assignment_name(3), "autoconf");
	assert_string_equal(hf_smbios_ip_assignment_name(4), "host-selected");
	assert_string_equal(hf_smbios_ip_assignment_name(5), "reserved");
	assert_string_equal(hf_smbios_ip_format_name(1), "ipv4");
	assert_string_equal(hf_smbios_ip_format_name(2), "ipv6");
	hf_smbios_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usb_v1),
		cmocka_unit_test(test_pci_v1),
		cmocka_unit_test(test_usb_v2),
		cmocka_unit_test(test_usb_v2_13),
		cmocka_unit_test(test_pci_v2),
		cmocka_unit_test(test_pci_v2_13),
		cmocka_unit_test(test_oem),
		cmocka_unit_test(test_sm_2x),
		cmocka_unit_test(test_sm_3x),
		cmocka_unit_test(test_v3_1),
		cmocka_unit_test(test_multi_proto),
		cmocka_unit_test(test_kcs_network),
		cmocka_unit_test(test_warn_checksums),
		cmocka_unit_test(test_bad_rfip_short),
		cmocka_unit_test(test_bad_proto_past),
		cmocka_unit_test(test_bad_hostname_len),
		cmocka_unit_test(test_bad_specific_len),
		cmocka_unit_test(test_bad_v2_len),
		cmocka_unit_test(test_bad_usb_serial),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_load_failures),
		cmocka_unit_test(test_sysfs),
		cmocka_unit_test(test_utf16_serial),
		cmocka_unit_test(test_usb_serial_variants),
		cmocka_unit_test(test_rfip_edges),
		cmocka_unit_test(test_structure_edges),
		cmocka_unit_test(test_many_type42),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_table_edges),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, make_fixtures, remove_fixtures);
}
