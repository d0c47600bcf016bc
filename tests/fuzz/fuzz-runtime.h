/* SPDX-License-Identifier: MIT */
/*
 * fuzz-runtime.h - a private $HOSTFISH_RUNTIME_DIR for targets that run whole clients: the
 * journal and slot files go under /dev/shm (else $TMPDIR, else /tmp), the journal's entries
 * are removed after each input so that the directory does not grow over millions of runs,
 * and the directory is removed at exit.
 */
#ifndef HOSTFISH_FUZZ_RUNTIME_H
#define HOSTFISH_FUZZ_RUNTIME_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_runtime_dir[256];

static void fuzz_rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[1024];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			fuzz_rm_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

static void fuzz_runtime_cleanup(void)
{
	if (fuzz_runtime_dir[0])
		fuzz_rm_tree(fuzz_runtime_dir);
}

/* Once per process, before the first client. */
static void fuzz_runtime_setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

	if (fuzz_runtime_dir[0])
		return;
	snprintf(fuzz_runtime_dir, sizeof(fuzz_runtime_dir), "%s/hf-fuzz-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(fuzz_runtime_dir))
		abort();
	setenv("HOSTFISH_RUNTIME_DIR", fuzz_runtime_dir, 1);
	setenv("HOSTFISH_STATE_DIR", fuzz_runtime_dir, 1);
	atexit(fuzz_runtime_cleanup);
}

/* After each input. */
static void fuzz_runtime_forget_journal(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/journal", fuzz_runtime_dir);
	fuzz_rm_tree(path);
}

#endif /* HOSTFISH_FUZZ_RUNTIME_H */
