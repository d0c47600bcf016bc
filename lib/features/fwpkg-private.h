/* SPDX-License-Identifier: MIT */
/*
 * fwpkg-private.h - HPE .fwpkg firmware packages (zip archives holding payload.json), read
 * with libzip, and their classification as HPE's flashfwpkg does it.
 */
#ifndef HOSTFISH_FWPKG_PRIVATE_H
#define HOSTFISH_FWPKG_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

/* payload.json larger than this is refused (real ones are a few KiB) */
#define HF_FWPKG_MAX_PAYLOAD (1u << 20)
#define HF_FWPKG_MAX_IMAGES 64
#define HF_FWPKG_MAX_TARGETS 64
/* HPE's section size: components over it with a compsig go in parts of it */
#define HF_FLASH_SECTION_SIZE ((uint64_t)32 << 20)

/* a component type of HPE's tools: A direct, B direct + reset, C UEFI via the task queue,
 * D not flashable through the BMC */
struct hf_fwpkg_image {
	const char *file; /* FileName, borrowed from the payload */
	bool direct, reset, uefi;
	char type; /* 'A', 'B', 'C', 'D' */
	uint64_t size; /* of the entry in the zip */
	char *compsig; /* name of its signature entry in the zip, or NULL */
};

struct hf_fwpkg {
	struct zip *zip;
	struct json_object *payload;
	bool by_bmc, by_uefi, by_agent;
	bool v2; /* PackageFormat FWPKG-v2 */
	const char *targets[HF_FWPKG_MAX_TARGETS]; /* Devices.Device[].Target, borrowed */
	size_t n_targets;
	struct hf_fwpkg_image img[HF_FWPKG_MAX_IMAGES];
	size_t n_img;
	/* 'A'..'D' as HPE's rule gives it; 'I' (inventory): a Uefi+Bmc package, decided by the
	 * FirmwareInventory (hf_fwpkg_classify_inventory) */
	char type;
};

/*
 * Open and check a package: a regular file that is a consistent zip archive (libzip's
 * ZIP_CHECKCONS) holding a payload.json that parses and has UpdatableBy, Devices.Device[] and
 * each device's FirmwareImages[] with FileName, DirectFlashOk (and, when it is false,
 * UefiFlashable); every FileName must be in the archive.  Returns 0, or -EINVAL with the
 * reason in err.
 */
int hf_fwpkg_open(const char *path, struct hf_fwpkg **ret, char *err, size_t errlen);
void hf_fwpkg_free(struct hf_fwpkg *p);

/*
 * A Uefi+Bmc package: the type from the FirmwareInventory's members (an array of the
 * members' JSON, borrowed), as HPE's tool decides it: each member whose Oem.Hpe.Targets holds
 * a device's Target counts; without DeviceContext it is an error (-EAGAIN: iLO is still
 * discovering devices); Updateable members make it B, the others C, both "BC" (*type2 = 'C'
 * then).  Matched members' @odata.id go into targets (borrowed from inventory).  -ENODEV when
 * no member matches.
 */
int hf_fwpkg_classify_inventory(struct hf_fwpkg *p, struct json_object *inventory,
				const char **targets, size_t max, size_t *n, char *type2);

/* The @odata.id of the inventory members holding a device's Target (borrowed); how many. */
size_t hf_fwpkg_targets(struct hf_fwpkg *p, struct json_object *inventory, const char **targets,
			size_t max);

/* The Version of the package's first device whose Target this FirmwareInventory member's
 * Oem.Hpe.Targets holds (borrowed from the payload), or NULL. */
const char *hf_fwpkg_device_version(struct hf_fwpkg *p, struct json_object *member);

/* Reading one entry of the archive, as hf_multipart stream segments do. */
struct hf_zip_reader {
	struct zip_file *f;
	uint64_t left; /* bytes this reader may still give (a section) */
};
int hf_fwpkg_entry_open(struct hf_fwpkg *p, const char *name, struct zip_file **ret);
int hf_zip_read(void *reader, void *buf, size_t len, size_t *got);

#endif /* HOSTFISH_FWPKG_PRIVATE_H */
