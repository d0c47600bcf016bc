/*
 * registry.c - the DMTF Base message registry built into the library, used to complete
 * iLO's short-form errors (MessageId only) when the BMC's own registries are not at hand.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hostfish-private.h"

#include "base-registry.h"

const struct hf_registry_entry *hf_registry_lookup(const char *message_id)
{
	const char *name;
	size_t i;

	/* "Base.<major>.<minor>.<Name>": any version of the Base registry */
	if (!message_id || strncmp(message_id, "Base.", 5) != 0)
		return NULL;
	name = strrchr(message_id, '.');
	if (!name || !name[1])
		return NULL;
	name++;
	for (i = 0; i < HF_ARRAY_SIZE(base_registry); i++)
		if (strcmp(base_registry[i].id, name) == 0)
			return &base_registry[i];
	return NULL;
}

char *hf_registry_format(const char *message, const char *const *args, size_t nargs)
{
	struct hf_buf b = { 0 };
	const char *p = message;

	while (*p) {
		const char *pct = strchr(p, '%');

		if (!pct) {
			if (hf_buf_appends(&b, p) < 0)
				goto fail;
			break;
		}
		if (hf_buf_append(&b, p, (size_t)(pct - p)) < 0)
			goto fail;
		if (pct[1] >= '1' && pct[1] <= '9') {
			size_t idx = (size_t)(pct[1] - '1');

			/* a missing argument stays visible as %N rather than vanishing */
			if (idx < nargs && args[idx]) {
				if (hf_buf_appends(&b, args[idx]) < 0)
					goto fail;
			} else if (hf_buf_append(&b, pct, 2) < 0) {
				goto fail;
			}
			p = pct + 2;
		} else {
			if (hf_buf_append(&b, "%", 1) < 0)
				goto fail;
			p = pct + 1;
		}
	}
	return hf_buf_steal(&b);
fail:
	hf_buf_free(&b);
	return NULL;
}
