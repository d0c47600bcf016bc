/* SPDX-License-Identifier: MIT */
/*
 * test-netif.c - the host interface's NIC lookup (lib/host/netif.c) on sysfs fixture trees
 * that the test builds itself, and libpci's error hook (it must not exit the process).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/host/netif.h"

static char root[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2], dir[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* usb0: HPE's vNIC (USB 03f0:2927, cdc_eem); eno1: an Intel PCI NIC; veth0: no device */
static int setup(void **state)
{
	snprintf(root, sizeof(root), "%s/hostfish-netif.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(root));
	put("sys/devices/usb1/1-1/idVendor", "03f0\n");
	put("sys/devices/usb1/1-1/idProduct", "2927\n");
	put("sys/devices/usb1/1-1/serial", "MXQ12345Z7\n");
	put("sys/devices/usb1/1-1/1-1:1.0/uevent", "DRIVER=cdc_eem\n");
	put("sys/bus/usb/drivers/cdc_eem/.keep", "");
	link_to("sys/devices/usb1/1-1/1-1:1.0/driver", "../../../../bus/usb/drivers/cdc_eem");
	put("sys/devices/usb1/1-1/1-1:1.0/net/usb0/address", "72:45:77:aa:f7:87\n");
	put("sys/devices/usb1/1-1/1-1:1.0/net/usb0/operstate", "down\n");
	put("sys/devices/usb1/1-1/1-1:1.0/net/usb0/ifindex", "3\n");
	put("sys/class/net/.keep", "");
	link_to("sys/class/net/usb0", "../../devices/usb1/1-1/1-1:1.0/net/usb0");
	link_to("sys/devices/usb1/1-1/1-1:1.0/net/usb0/device", "../..");

	put("sys/devices/pci0000:00/0000:01:00.0/vendor", "0x8086\n");
	put("sys/devices/pci0000:00/0000:01:00.0/device", "0x1521\n");
	put("sys/devices/pci0000:00/0000:01:00.0/subsystem_vendor", "0x103c\n");
	put("sys/devices/pci0000:00/0000:01:00.0/subsystem_device", "0x22e8\n");
	put("sys/devices/pci0000:00/0000:01:00.0/net/eno1/address", "94:40:c9:00:00:01\n");
	put("sys/devices/pci0000:00/0000:01:00.0/net/eno1/operstate", "up\n");
	link_to("sys/class/net/eno1", "../../devices/pci0000:00/0000:01:00.0/net/eno1");
	link_to("sys/devices/pci0000:00/0000:01:00.0/net/eno1/device", "../..");

	put("sys/devices/virtual/net/veth0/address", "0a:00:00:00:00:02\n");
	put("sys/devices/virtual/net/veth0/operstate", "up\n");
	link_to("sys/class/net/veth0", "../../devices/virtual/net/veth0");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_by_usb_ids(void **state)
{
	struct hf_smbios_device d = { .type = HF_SMBIOS_DEV_USB, .decoded = true,
				      .vendor_id = 0x03f0, .product_id = 0x2927 };
	struct hf_netif n;
	char why[512] = "";

	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), 0);
	assert_string_equal(n.name, "usb0");
	assert_string_equal(n.matched_by, "usb");
	assert_string_equal(n.mac, "72:45:77:aa:f7:87");
	assert_string_equal(n.driver, "cdc_eem");
	assert_string_equal(n.operstate, "down");
	assert_int_equal(n.ifindex, 3);
	assert_int_equal(n.n_addrs, 0); /* addresses only for the running system */
	hf_netif_clear(&n);

	d.serial = (char *)"MXQ12345Z7";
	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), 0);
	hf_netif_clear(&n);
	d.serial = (char *)"OTHER";
	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "USB 03f0:2927 serial OTHER"));
}

static void test_by_mac(void **state)
{
	struct hf_smbios_device d = { .type = HF_SMBIOS_DEV_USB_V2, .decoded = true,
				      .vendor_id = 0x1d6b, .product_id = 0x0104, .has_mac = true,
				      .mac = { 0x0a, 0, 0, 0, 0, 2 } };
	struct hf_netif n;
	char why[512] = "";

	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), 0);
	assert_string_equal(n.name, "veth0");
	assert_string_equal(n.matched_by, "mac");
	assert_string_equal(n.driver, "");
	hf_netif_clear(&n);

	d.mac[5] = 9; /* no such MAC, no such USB device */
	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "MAC 0a:00:00:00:00:09"));
	assert_non_null(strstr(why, "USB 1d6b:0104"));
}

static void test_by_pci_ids(void **state)
{
	struct hf_smbios_device d = { .type = HF_SMBIOS_DEV_PCI, .decoded = true,
				      .vendor_id = 0x8086, .device_id = 0x1521,
				      .subsystem_vendor_id = 0x103c, .subsystem_id = 0x22e8 };
	struct hf_netif n;
	char why[512] = "";

	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), 0);
	assert_string_equal(n.name, "eno1");
	assert_string_equal(n.matched_by, "pci");
	hf_netif_clear(&n);
	d.subsystem_id = 0x22e9;
	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "PCI 8086:1521 subsystem 103c:22e9"));
}

static void test_oem_and_missing_tree(void **state)
{
	struct hf_smbios_device d = { .type = 0x80, .decoded = true, .has_iana = true, .iana = 11 };
	struct hf_netif n;
	char why[512] = "", other[PATH_MAX + 16];

	assert_int_equal(hf_netif_find(root, &d, &n, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "names no NIC"));
	d.type = HF_SMBIOS_DEV_USB;
	snprintf(other, sizeof(other), "%s/nothing", root);
	assert_int_equal(hf_netif_find(other, &d, &n, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "cannot list"));
}

static void test_pci_error_hook(void **state)
{
	struct hf_pci_bmc *list = (void *)1;
	char why[512] = "", other[PATH_MAX + 16];
	int r;

	/* libpci's default error handler would exit(1) here */
	snprintf(other, sizeof(other), "%s/nothing", root);
	r = hf_netif_bmc_pci(other, &list, why, sizeof(why));
	if (r == -EIO) {
		assert_non_null(strstr(why, "libpci: "));
		assert_null(list);
	} else {
		assert_int_equal(r, 0); /* a libpci that reports an empty bus instead */
	}
}

static void test_format_mac(void **state)
{
	const uint8_t m[6] = { 0x72, 0x45, 0x77, 0xaa, 0xf7, 0x87 };
	char out[18];

	hf_netif_format_mac(m, out);
	assert_string_equal(out, "72:45:77:aa:f7:87");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_usb_ids),  cmocka_unit_test(test_by_mac),
		cmocka_unit_test(test_by_pci_ids),  cmocka_unit_test(test_oem_and_missing_tree),
		cmocka_unit_test(test_pci_error_hook), cmocka_unit_test(test_format_mac),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
