/* SPDX-License-Identifier: MIT */
/*
 * fuzz-main.c - replays a fuzz target's corpus without libFuzzer, so that "make check" keeps
 * every past finding fixed.  Each corpus file is one TAP result: "ok" when the target
 * returned (a crash or sanitizer report fails the whole program).
 *
 * Usage: fuzz-X [FILE|DIR]...   (default: the corpus directory compiled in as CORPUS_DIR)
 * Built with --enable-fuzzing, the same target links with libFuzzer instead of this file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_tests;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		printf("not ok %d - %s: %s\n", ++n_tests, path, strerror(errno));
		return 1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				printf("not ok %d - %s: out of memory\n", ++n_tests, path);
				return 1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* an exact-size copy, so that an over-read hits the sanitizer's redzone */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact) {
			memcpy(exact, buf, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
	}
	free(buf);
	printf("ok %d - %s\n", ++n_tests, path);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int failed = 0;
	DIR *d;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d)
		return run_file(path);
	while ((de = readdir(d))) {
		char **p;

		if (de->d_name[0] == '.')
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (!p)
			break;
		names = p;
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp); /* stable numbering across runs */
	for (i = 0; i < n; i++) {
		failed |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		failed = run_path(CORPUS_DIR);
	for (i = 1; i < argc; i++)
		failed |= run_path(argv[i]);
	printf("1..%d\n", n_tests);
	return failed;
}
