/* SPDX-License-Identifier: MIT */
/*
 * fuzz-smbios.c - the SMBIOS reader and Type 42 decoder with whatever firmware or a file puts
 * there.
 *
 * Input: a "dmidecode --dump-bin" image: the entry point at offset 0, the table at the offset
 * the entry point's table address names (20h in real dumps).  The same bytes are also parsed
 * the way the sysfs loader hands them over: the first 32 bytes as the entry point file, the
 * rest as the DMI file.  Seeds: tests/fuzz/corpus/smbios/README.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostfish-private.h"
#include "lib/host/smbios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DUMP_TABLE_OFFSET 32

/* Touch every string and check the invariants callers rely on. */
static void check(const struct hf_smbios *s)
{
	size_t i, j, n = strlen(s->version) + strlen(s->entry_point);

	for (i = 0; i < s->n_warnings; i++)
		n += strlen(s->warnings[i]);
	for (i = 0; i < s->n_errors; i++)
		n += strlen(s->errors[i]);
	for (i = 0; i < s->n_hostif; i++) {
		const struct hf_smbios_hostif *h = &s->hostif[i];

		if (h->n_protocols > h->protocol_count)
			abort();
		if (h->pre_3_2 && (h->n_protocols || h->device.decoded || h->specific_len))
			abort();
		if (h->device.serial)
			n += strlen(h->device.serial);
		for (j = 0; j < h->n_protocols; j++) {
			const struct hf_smbios_protocol *p = &h->protocols[j];

			if (!p->decoded) {
				if (p->rfip.hostname)
					abort();
				continue;
			}
			if (p->type != HF_SMBIOS_PROTO_REDFISH_OVER_IP || !p->rfip.hostname ||
			    p->length < HF_SMBIOS_RFIP_MIN ||
			    strlen(p->rfip.hostname) > p->rfip.hostname_len ||
			    p->rfip.hostname_len > p->length - HF_SMBIOS_RFIP_MIN)
				abort();
			n += strlen(p->rfip.uuid) + strlen(p->rfip.host_ip) +
			     strlen(p->rfip.service_mask);
		}
		if (h->malformed && s->n_errors == 0)
			abort();
	}
	if (n == (size_t)-1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hf_smbios *s = NULL;
	char err[256];

	if (size > 1 << 20)
		return 0;
	if (hf_smbios_parse_dump(data, size, &s, err, sizeof(err)) == 0) {
		check(s);
		hf_smbios_free(s);
	} else if (strlen(err) == 0) {
		abort(); /* every failure says why */
	}
	s = NULL;
	if (size >= DUMP_TABLE_OFFSET &&
	    hf_smbios_parse(data, DUMP_TABLE_OFFSET, data + DUMP_TABLE_OFFSET,
			    size - DUMP_TABLE_OFFSET, &s, err, sizeof(err)) == 0) {
		check(s);
		hf_smbios_free(s);
	}
	return 0;
}
