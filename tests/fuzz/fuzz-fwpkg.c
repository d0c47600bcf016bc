/* SPDX-License-Identifier: MIT */
/*
 * fuzz-fwpkg.c - .fwpkg packages as hostfish reads them before a flash (lib/features/fwpkg.c):
 * the input is the whole file (a zip archive, or not); libzip opens it, payload.json is parsed
 * and checked, the images classified, a fixed FirmwareInventory matched, and each image's
 * entry read (the first 1 MiB: a deflate bomb costs time, not memory, and is not what this
 * looks for).  The file is a memfd reached through /proc/self/fd, as a path is what
 * hf_fwpkg_open() takes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zip.h>

#include "fwpkg-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char inventory_json[] =
	"[{\"@odata.id\": \"/redfish/v1/UpdateService/FirmwareInventory/1/\", \"Updateable\": "
	"true, \"Oem\": {\"Hpe\": {\"Targets\": [\"c0bcf2b9-1141-49af-aab8-c73791f0349c\"], "
	"\"DeviceContext\": \"System Board\"}}}, {\"@odata.id\": "
	"\"/redfish/v1/UpdateService/FirmwareInventory/15/\", \"Updateable\": false, \"Oem\": "
	"{\"Hpe\": {\"Targets\": [\"a6b1a447-382a-5a4f-102b-0538159000e4\"], \"DeviceContext\": "
	"\"Slot=3:Bus=2\"}}}]";

static void read_entries(struct hf_fwpkg *p)
{
	static char buf[65536];
	size_t i, got;

	for (i = 0; i < p->n_img; i++) {
		struct hf_zip_reader z = { .left = 1u << 20 };

		if (hf_fwpkg_entry_open(p, p->img[i].file, &z.f) < 0)
			continue;
		while (hf_zip_read(&z, buf, sizeof(buf), &got) == 0 && got > 0)
			;
		zip_fclose(z.f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *inventory;
	struct hf_fwpkg *p = NULL;
	const char *targets[8];
	char path[64], err[512], type2;
	size_t n;
	int fd;

	if (size > (4 << 20))
		return 0;
	if (!inventory)
		inventory = json_tokener_parse(inventory_json);
	fd = memfd_create("fuzz-fwpkg", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (hf_fwpkg_open(path, &p, err, sizeof(err)) == 0) {
		if (p->type == 'I')
			(void)hf_fwpkg_classify_inventory(p, inventory, targets, 8, &n, &type2);
		(void)hf_fwpkg_targets(p, inventory, targets, 8);
		read_entries(p);
		hf_fwpkg_free(p);
	} else {
		(void)strlen(err);
	}
	close(fd);
	return 0;
}
