/* SPDX-License-Identifier: MIT */
/*
 * chif-lib.c - dlopen() of HPE's CHIF channel library, the kmod/systemd way: the symbols are
 * listed once (HF_CHIF_SYMBOLS), resolved all at once with RTLD_NOW, and a missing library or
 * symbol is "backend unavailable" with dlerror()'s words kept, never a crash.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostfish-private.h"
#include "chif.h"

#define HOW_TO_GET                                                                        \
	"install HPE's iLOrest package (ilorest, which ships ilorest_chif.so) or give the " \
	"library with --chif-library FILE"

/* Append "a (b);" or " a" (b NULL) to the message. */
static size_t add(char *err, size_t errlen, size_t used, const char *a, const char *b)
{
	int n;

	if (used >= errlen)
		return used;
	n = b ? snprintf(err + used, errlen - used, " %s (%s);", a, b)
	      : snprintf(err + used, errlen - used, "%s", a);
	return n < 0 ? used : used + (size_t)n;
}

static int resolve(struct hf_chif_lib *lib, char *err, size_t errlen)
{
	const char *e;

#define HF_CHIF_SYM_RESOLVE(ret, name, args)                                                 \
	dlerror();                                                                           \
	*(void **)&lib->sym_##name = dlsym(lib->dl, #name);                                  \
	if (!lib->sym_##name) {                                                              \
		e = dlerror();                                                               \
		snprintf(err, errlen,                                                        \
			 "CHIF library %s lacks the entry point %s (%s): it is not HPE's "  \
			 "ilorest_chif library or too old; " HOW_TO_GET,                     \
			 lib->path, #name, e ? e : "symbol is NULL");                        \
		return -ENOTSUP;                                                             \
	}
	HF_CHIF_SYMBOLS(HF_CHIF_SYM_RESOLVE)
#undef HF_CHIF_SYM_RESOLVE
	return 0;
}

int hf_chif_lib_open(const char *path, struct hf_chif_lib *lib, char *err, size_t errlen)
{
	static const char *const defaults[] = { HF_CHIF_DEFAULT_LIBRARIES };
	const char *env = secure_getenv(HF_CHIF_LIBRARY_ENV);
	const char *const *names = defaults;
	size_t n = HF_ARRAY_SIZE(defaults), i, used;
	int r;

	memset(lib, 0, sizeof(*lib));
	if (!path && env && *env)
		path = env;
	if (path) {
		names = &path;
		n = 1;
	}
	used = add(err, errlen, 0, "CHIF vendor library not found; tried:", NULL);
	for (i = 0; i < n; i++) {
		const char *e;

		dlerror();
		/* names is &path with n == 1 when a path was given: index 0 only */
		/* cppcheck-suppress objectIndex */
		lib->dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		if (lib->dl) {
			/* cppcheck-suppress objectIndex */
			snprintf(lib->path, sizeof(lib->path), "%s", names[i]);
			r = resolve(lib, err, errlen);
			if (r < 0) {
				hf_chif_lib_close(lib);
				return r;
			}
			err[0] = '\0';
			return 0;
		}
		e = dlerror();
		used = add(err, errlen, used, names[i], e ? e : "unknown error");
	}
	add(err, errlen, used, " " HOW_TO_GET, NULL);
	return -ENOTSUP;
}

void hf_chif_lib_close(struct hf_chif_lib *lib)
{
	if (lib->dl)
		dlclose(lib->dl);
	memset(lib, 0, sizeof(*lib));
}
