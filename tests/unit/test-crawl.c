/* SPDX-License-Identifier: MIT */
/*
 * test-crawl.c - which links a crawl follows (lib/features/crawl-link.c) and how it writes its output
 * tree (lib/features/crawl-fs.c), with the hostile inputs a BMC could send and the symbolic links
 * someone could plant in the output directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawl-private.h"
#include "hostfish-private.h"

#define ORIGIN "https://bmc.example:443"
#define ROOT "/redfish/v1"

static int classify(const char *link, char **ret, const char **why)
{
	return hf_crawl_classify(ORIGIN, ROOT, strlen(ROOT), link, strlen(link), ret, why);
}

static void follows(const char *link, const char *path)
{
	const char *why = "unset";
	char *ret = NULL;

	assert_int_equal(classify(link, &ret, &why), HF_CRAWL_FOLLOW);
	assert_non_null(ret);
	assert_string_equal(ret, path);
	assert_null(why);
	free(ret);
}

static void refuses(const char *link, const char *reason)
{
	const char *why = NULL;
	char *ret = (char *)"unset";

	assert_int_equal(classify(link, &ret, &why), HF_CRAWL_REFUSE);
	assert_null(ret);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("%s: reason '%s', expected '%s'", link, why, reason);
}

static void ignores(const char *link)
{
	const char *why = NULL;
	char *ret = (char *)"unset";

	assert_int_equal(classify(link, &ret, &why), HF_CRAWL_IGNORE);
	assert_null(ret);
}

static void test_follow(void **state)
{
	(void)state;
	follows("/redfish/v1/", "/redfish/v1/");
	follows("/redfish/v1", "/redfish/v1");
	follows("/redfish/v1/Systems/1/", "/redfish/v1/Systems/1/");
	follows("/redfish/v1/Chassis/1/Power#/PowerSupplies/0", "/redfish/v1/Chassis/1/Power");
	follows("/redfish/v1/$metadata", "/redfish/v1/$metadata");
	follows("/redfish/v1/Sessions/a%20b/", "/redfish/v1/Sessions/a%20b/");
	follows("/redfish/v1/%252e%252e/", "/redfish/v1/%252e%252e/"); /* a literal "%2e" */
	follows("/redfish/v1/Registries/%23SUTReg.v2_9_0/", "/redfish/v1/Registries/%23SUTReg.v2_9_0/");
	follows("/redfish/v1/a.b/..c/.../", "/redfish/v1/a.b/..c/.../");
	/* a URL of this BMC: its path, as written */
	follows("https://bmc.example/redfish/v1/Systems/", "/redfish/v1/Systems/");
	follows("HTTPS://BMC.EXAMPLE:443/redfish/v1/Systems/", "/redfish/v1/Systems/");
}

static void test_refuse(void **state)
{
	char nul[] = "/redfish/v1/a\0/../../x";
	const char *why = NULL;
	char *ret = NULL;

	(void)state;
	refuses("/redfish/v1/../../etc/", "dot segment");
	refuses("/redfish/v1/..", "dot segment");
	refuses("/redfish/v1/./Systems/", "dot segment");
	refuses("/redfish/v1/Systems/.", "dot segment");
	refuses("/redfish/v1//Systems/", "empty path segment");
	refuses("/redfish/v1/Systems//", "empty path segment");
	refuses("/redfish/v1/%2e%2e/x", "percent-encoded");
	refuses("/redfish/v1/%2E%2e/x", "percent-encoded");
	refuses("/redfish/v1/%2e/x", "percent-encoded");
	refuses("/redfish/v1/a%2fb/", "percent-encoded");
	refuses("/redfish/v1/a%2Fb/", "percent-encoded");
	refuses("/redfish/v1/a%5cb/", "percent-encoded");
	refuses("/redfish/v1/a%00b/", "percent-encoded");
	refuses("/redfish/v1/a%0ab/", "percent-encoded");
	refuses("/redfish/v1/a%7f/", "percent-encoded");
	refuses("/redfish/v1/a%2/", "malformed percent-encoding");
	refuses("/redfish/v1/a%/", "malformed percent-encoding");
	refuses("/redfish/v1/a%zz/", "malformed percent-encoding");
	refuses("/redfish/v1/a\\b/", "backslash");
	refuses("/redfish/v1/..\\..\\x", "backslash");
	refuses("/redfish/v1/a\tb/", "invalid characters");
	refuses("/redfish/v1/a b/", "invalid characters");
	refuses("/redfish/v1/x?$expand=*", "query string");
	refuses("Systems/", "not an absolute path");
	refuses("", "not an absolute path");
	refuses("#/x", "not an absolute path");
	refuses("https://evil.example/redfish/v1/", "another host");
	refuses("https://bmc.example:8443/redfish/v1/", "another host");
	refuses("http://bmc.example/redfish/v1/", "another host");
	refuses("//evil.example/redfish/v1/", "scheme-relative");
	refuses("https://user@bmc.example/redfish/v1/", "malformed");
	refuses("file:///etc/passwd", "malformed");
	/* a NUL inside the JSON string */
	assert_int_equal(hf_crawl_classify(ORIGIN, ROOT, strlen(ROOT), nul, sizeof(nul) - 1, &ret,
					   &why),
			 HF_CRAWL_REFUSE);
	assert_string_equal(why, "NUL character");
	/* no origin (in-band): absolute URLs cannot be checked */
	assert_int_equal(hf_crawl_classify(NULL, ROOT, strlen(ROOT),
					   "https://bmc.example/redfish/v1/", 31, &ret, &why),
			 HF_CRAWL_REFUSE);
}

static void test_bounds(void **state)
{
	char path[2048], *p;
	int i;

	(void)state;
	/* 32 segments pass, 33 do not */
	p = path + sprintf(path, "/redfish/v1");
	for (i = 2; i < HF_CRAWL_MAX_DEPTH; i++)
		p += sprintf(p, "/s");
	follows(path, path);
	strcpy(p, "/s");
	refuses(path, "too deep");
	/* a 255-byte segment passes, 256 does not */
	p = path + sprintf(path, "/redfish/v1/");
	memset(p, 'a', HF_CRAWL_MAX_SEGMENT);
	p[HF_CRAWL_MAX_SEGMENT] = '\0';
	follows(path, path);
	strcat(path, "a");
	refuses(path, "segment too long");
	/* paths over 1024 bytes */
	p = path + sprintf(path, "/redfish/v1");
	while (p - path < HF_CRAWL_MAX_PATH)
		p += sprintf(p, "/%0100d", 0);
	refuses(path, "too long");
}

static void test_scope(void **state)
{
	const char *why;
	char *ret;

	(void)state;
	ignores("/redfish/v2/");
	ignores("/redfish/");
	ignores("/redfish/v1x/");
	ignores("https://bmc.example");
	ignores("https://bmc.example/");
	assert_int_equal(hf_crawl_classify(ORIGIN, "/redfish/v1/Systems", 19, "/redfish/v1/Chassis/",
					   20, &ret, &why),
			 HF_CRAWL_IGNORE);
	assert_int_equal(hf_crawl_classify(ORIGIN, "/redfish/v1/Systems", 19,
					   "/redfish/v1/SystemsX/", 21, &ret, &why),
			 HF_CRAWL_IGNORE);
	assert_int_equal(hf_crawl_classify(ORIGIN, "/redfish/v1/Systems", 19,
					   "/redfish/v1/Systems/", 20, &ret, &why),
			 HF_CRAWL_FOLLOW);
	free(ret);
}

/* ---- the output tree ---- */

struct tree {
	char dir[64];
	int fd;
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	strcpy(t->dir, "/tmp/hostfish-test-crawl.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = t;
	return t->fd < 0 ? -1 : 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	close(t->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_write(void **state)
{
	struct tree *t = *state;
	const char *what = NULL;
	char path[256], buf[64];
	struct stat st;

	assert_int_equal(hf_crawl_write(t->fd, false, 1, "/redfish/v1/Systems/1", 21,
					"index.json", "{}", 2, &what),
			 0);
	snprintf(path, sizeof(path), "%s/redfish/v1/Systems/1/index.json", t->dir);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "{}");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~(mode_t)umask(022));
	/* no temporary file is left */
	snprintf(path, sizeof(path), "%s/redfish/v1/Systems/1/.index.json.1.tmp", t->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	/* without force an existing file stays */
	assert_int_equal(hf_crawl_write(t->fd, false, 2, "/redfish/v1/Systems/1", 21,
					"index.json", "{\"x\":1}", 7, &what),
			 -EEXIST);
	assert_true(hf_crawl_write_error_is_local(EEXIST));
	snprintf(path, sizeof(path), "%s/redfish/v1/Systems/1/index.json", t->dir);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "{}");
	/* with force it is replaced */
	assert_int_equal(hf_crawl_write(t->fd, true, 3, "/redfish/v1/Systems/1", 21,
					"index.json", "{\"x\":1}", 7, &what),
			 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "{\"x\":1}");
	/* a key that was not checked is refused, not walked */
	assert_int_equal(hf_crawl_write(t->fd, true, 4, "/redfish//v1", 12, "index.json", "{}", 2,
					&what),
			 -EINVAL);
}

static void test_write_planted_links(void **state)
{
	struct tree *t = *state;
	const char *what = NULL;
	char path[256], target[256], buf[64];
	int r;

	/* outside: a directory and a file the crawl must never touch */
	snprintf(target, sizeof(target), "%s/outside", t->dir);
	assert_int_equal(mkdir(target, 0700), 0);
	snprintf(path, sizeof(path), "%s/outside/victim", t->dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("victim", f);
		fclose(f);
	}
	assert_int_equal(hf_crawl_write(t->fd, false, 1, "/redfish/v1", 11, "index.json", "{}", 2,
					&what),
			 0);
	/* a directory link: the write fails, nothing appears in the target */
	snprintf(path, sizeof(path), "%s/redfish/v1/Evil", t->dir);
	assert_int_equal(symlink(target, path), 0);
	/* O_NOFOLLOW | O_DIRECTORY on a link: ENOTDIR (or ELOOP) */
	r = hf_crawl_write(t->fd, true, 2, "/redfish/v1/Evil", 16, "index.json", "{}", 2, &what);
	assert_true(r == -ENOTDIR || r == -ELOOP);
	assert_true(hf_crawl_write_error_is_local(-r));
	assert_non_null(strstr(what, "symbolic link"));
	r = hf_crawl_write(t->fd, true, 3, "/redfish/v1/Evil/x", 18, "index.json", "{}", 2, &what);
	assert_true(r == -ENOTDIR || r == -ELOOP);
	snprintf(path, sizeof(path), "%s/outside/index.json", t->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/outside/x", t->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	/* a file link: without force it stays, with force the link itself is replaced */
	assert_int_equal(mkdir(strcat(strcpy(path, t->dir), "/redfish/v1/F"), 0755), 0);
	snprintf(target, sizeof(target), "%s/outside/victim", t->dir);
	snprintf(path, sizeof(path), "%s/redfish/v1/F/index.json", t->dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(hf_crawl_write(t->fd, false, 4, "/redfish/v1/F", 13, "index.json",
					"{\"a\":1}", 7, &what),
			 -EEXIST);
	assert_int_equal(hf_crawl_write(t->fd, true, 5, "/redfish/v1/F", 13, "index.json",
					"{\"a\":1}", 7, &what),
			 0);
	read_file(target, buf, sizeof(buf));
	assert_string_equal(buf, "victim");
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "{\"a\":1}");
	/* a planted temporary name: O_EXCL refuses it, the target stays */
	snprintf(path, sizeof(path), "%s/redfish/v1/F/.index.json.6.tmp", t->dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(hf_crawl_write(t->fd, true, 6, "/redfish/v1/F", 13, "index.json", "{}", 2,
					&what),
			 -EEXIST);
	read_file(target, buf, sizeof(buf));
	assert_string_equal(buf, "victim");
}

static void test_outdir(void **state)
{
	struct tree *t = *state;
	const char *what = NULL;
	char path[256];
	struct stat st;
	int fd = -1;

	/* created with its parents, 0700 */
	snprintf(path, sizeof(path), "%s/a/b/out", t->dir);
	assert_int_equal(hf_crawl_outdir_open(path, false, &fd, &what), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	close(fd);
	/* existing and empty: accepted; not empty: refused unless forced */
	assert_int_equal(hf_crawl_outdir_open(path, false, &fd, &what), 0);
	close(fd);
	assert_int_equal(hf_crawl_outdir_open(t->dir, false, &fd, &what), -EEXIST);
	assert_string_equal(what, "not empty");
	assert_int_equal(hf_crawl_outdir_open(t->dir, true, &fd, &what), 0);
	close(fd);
	/* a file is not a directory */
	snprintf(path, sizeof(path), "%s/file", t->dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	assert_int_equal(hf_crawl_outdir_open(path, true, &fd, &what), -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_scope),
		cmocka_unit_test_setup_teardown(test_write, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_write_planted_links, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_outdir, tree_setup, tree_teardown),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
