/* SPDX-License-Identifier: MIT */
/*
 * cert.c - "hostfish cert ..." (the BMC's HTTPS certificate, certificate login set-up) and
 * "hostfish license ...": public API only.  Every argument is checked before the first
 * request: bad input exits 1 with nothing sent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

#define PEM_FILE_MAX ((size_t)64 << 10) /* the library's bound on a certificate */
#define CSR_WAIT_MAX_S 3600L

static const char cert_usage[] =
	"usage: hostfish cert https csr --common-name CN --country CC --state ST --city L\n"
	"                               --org O [--org-unit OU] [--include-ip] [--out FILE]\n"
	"                               [--wait SEC]\n"
	"       hostfish cert https import [--wait] [--wait-timeout SEC] FILE\n"
	"       hostfish cert https show\n"
	"       hostfish cert login enable|disable\n"
	"       hostfish cert ca-import FILE\n"
	"       hostfish cert user-map USER FILE";

/*
 * A certificate file (or - for stdin), at most PEM_FILE_MAX bytes.  Returns 0 with *ret
 * (caller frees), or prints why and returns -1.
 */
static int read_pem_file(const char *path, char **ret, size_t *ret_len)
{
	size_t cap = PEM_FILE_MAX + 1, len = 0;
	char *buf = malloc(cap + 1);
	int fd;

	if (!buf) {
		cli_error("out of memory");
		return -1;
	}
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot open %s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > PEM_FILE_MAX) {
		cli_error("%s is larger than %zu bytes: not a certificate", path, PEM_FILE_MAX);
		goto fail;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return -1;
}

/* --out FILE: refuse, before anything is sent, what could not be written safely. */
static int check_out_path(const char *path)
{
	struct stat st;
	char *copy, *dir;
	int r = 0;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			cli_error("--out %s is a symbolic link: refusing to follow it", path);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			cli_error("--out %s is not a regular file", path);
			return -1;
		}
	} else if (errno != ENOENT) {
		cli_error("--out %s: %s", path, strerror(errno));
		return -1;
	}
	copy = strdup(path);
	if (!copy)
		return -1;
	dir = dirname(copy);
	if (access(dir, W_OK) < 0) {
		cli_error("--out %s: cannot write in %s: %s", path, dir, strerror(errno));
		r = -1;
	}
	free(copy);
	return r;
}

static int write_out(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		cli_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("cannot write %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if ((len && text[len - 1] != '\n' && write(fd, "\n", 1) != 1) || close(fd) < 0) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_csr(struct cli *cli, int argc, char **argv)
{
	enum { O_CN = 1, O_C, O_ST, O_L, O_O, O_OU, O_IP, O_OUT, O_WAIT };
	static const struct option opts[] = {
		{ "common-name", required_argument, NULL, O_CN },
		{ "country", required_argument, NULL, O_C },
		{ "state", required_argument, NULL, O_ST },
		{ "city", required_argument, NULL, O_L },
		{ "org", required_argument, NULL, O_O },
		{ "org-unit", required_argument, NULL, O_OU },
		{ "include-ip", no_argument, NULL, O_IP },
		{ "out", required_argument, NULL, O_OUT },
		{ "wait", required_argument, NULL, O_WAIT },
		{ NULL, 0, NULL, 0 },
	};
	hf_csr_params p = { HF_CSR_PARAMS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
	struct cli_progress *pg;
	const char *out = NULL;
	long wait_s = 600;
	char *pem = NULL;
	int c, r;

	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_CN:
			p.common_name = optarg;
			break;
		case O_C:
			p.country = optarg;
			break;
		case O_ST:
			p.state = optarg;
			break;
		case O_L:
			p.city = optarg;
			break;
		case O_O:
			p.org = optarg;
			break;
		case O_OU:
			p.org_unit = optarg;
			break;
		case O_IP:
			p.include_ip = 1;
			break;
		case O_OUT:
			out = optarg;
			break;
		case O_WAIT:
			if (!tools_parse_long(optarg, 1, CSR_WAIT_MAX_S, &wait_s)) {
				cli_error("--wait: expected seconds between 1 and %ld", CSR_WAIT_MAX_S);
				return EXIT_USAGE;
			}
			break;
		default:
			cli_error("%s", cert_usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("%s", cert_usage);
		return EXIT_USAGE;
	}
	if (out && check_out_path(out) < 0)
		return EXIT_USAGE;
	pg = cli_progress_new(cli, "waiting for the BMC's CSR", "s");
	r = hf_https_csr(cli->client, &p, wait_s * 1000, cli_progress_cb, pg, &pem);
	cli_progress_end(pg);
	if (r < 0)
		return cli_report_error(cli, r, "cert https csr");
	if (out) {
		r = write_out(out, pem) < 0 ? EXIT_USAGE : EXIT_OK;
		if (r == EXIT_OK)
			fprintf(stderr, "hostfish: certificate signing request written to %s\n", out);
	} else {
		fputs(pem, stdout);
		if (*pem && pem[strlen(pem) - 1] != '\n')
			putchar('\n');
		r = EXIT_OK;
	}
	free(pem);
	return r;
}

static int cmd_https_show(struct cli *cli)
{
	struct json_object *info = NULL, *v;
	int r = hf_https_cert_info(cli->client, &info);

	if (r < 0)
		return cli_report_error(cli, r, "cert https show");
	if (cli->json) {
		cli_print_json(info);
	} else {
		static const struct {
			const char *label, *key;
		} rows[] = {
			{ "Subject", "subject" },	  { "Issuer", "issuer" },
			{ "Serial", "serial" },		  { "Valid from", "not_before" },
			{ "Valid until", "not_after" },
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			printf("%-12s %s\n", rows[i].label,
			       json_object_object_get_ex(info, rows[i].key, &v) && v
				       ? json_object_get_string(v)
				       : "unknown");
		if (json_object_object_get_ex(info, "sha256_fingerprint", &v) && v) {
			struct json_object *src = NULL;

			json_object_object_get_ex(info, "fingerprint_source", &src);
			printf("%-12s %s (%s)\n", "SHA-256", json_object_get_string(v),
			       src && strcmp(json_object_get_string(src), "tls") == 0
				       ? "of the certificate the BMC presents in TLS"
				       : "of the certificate the BMC returned");
		} else {
			json_object_object_get_ex(info, "fingerprint_note", &v);
			printf("%-12s unknown (%s)\n", "SHA-256",
			       v ? json_object_get_string(v) : "not available");
		}
	}
	json_object_put(info);
	return EXIT_OK;
}

/* FILE argument -> the library call; USER for user-map (NULL otherwise). */
static int cmd_with_pem(struct cli *cli, const char *what, const char *user, const char *file)
{
	char *pem = NULL, *fp = NULL;
	size_t len = 0;
	int r;

	if (read_pem_file(file, &pem, &len) < 0)
		return EXIT_USAGE;
	if (strcmp(what, "https") == 0)
		r = hf_https_cert_import(cli->client, pem, len);
	else if (strcmp(what, "ca") == 0)
		r = hf_cert_ca_import(cli->client, pem, len);
	else
		r = hf_cert_user_map(cli->client, user, pem, len, &fp);
	free(pem);
	if (r < 0)
		return cli_report_error(cli, r, "cert");
	if (strcmp(what, "https") == 0)
		printf("certificate imported: the BMC presents it after its reset (an iLO resets "
		       "itself to apply it)\n");
	else if (strcmp(what, "ca") == 0)
		printf("CA certificate imported for certificate login\n");
	else
		printf("certificate %s mapped to user %s\n", fp, user);
	free(fp);
	return EXIT_OK;
}

/* cert https import [--wait] [--wait-timeout SEC] FILE (argv[0] is "import") */
static int cmd_https_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "wait-timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_progress *p;
	long timeout_s = 300;
	bool wait = false;
	char *pem = NULL;
	size_t len = 0;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'T' && cli_parse_wait_timeout(optarg, &timeout_s)) {
			wait = true;
		} else if (c == 'w') {
			wait = true;
		} else {
			cli_error("%s", cert_usage);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_error("%s", cert_usage);
		return EXIT_USAGE;
	}
	if (!wait)
		return cmd_with_pem(cli, "https", NULL, argv[optind]);
	if (read_pem_file(argv[optind], &pem, &len) < 0)
		return EXIT_USAGE;
	p = cli_progress_new(cli, "waiting for the BMC's reset", "s");
	r = hf_https_cert_import_wait(cli->client, pem, len, timeout_s, cli_progress_cb, p);
	cli_progress_end(p);
	free(pem);
	if (r < 0)
		return cli_report_error(cli, r, "cert https import");
	printf("certificate imported; the BMC reset and now presents it\n");
	return EXIT_OK;
}

int cmd_cert(struct cli *cli, int argc, char **argv)
{
	const char *a0 = argc > 0 ? argv[0] : "", *a1 = argc > 1 ? argv[1] : "";
	int r;

	if (strcmp(a0, "https") == 0 && strcmp(a1, "csr") == 0)
		return cmd_csr(cli, argc - 1, argv + 1);
	if (strcmp(a0, "https") == 0 && strcmp(a1, "import") == 0)
		return cmd_https_import(cli, argc - 1, argv + 1);
	if (strcmp(a0, "https") == 0 && strcmp(a1, "show") == 0 && argc == 2)
		return cmd_https_show(cli);
	if (strcmp(a0, "login") == 0 && argc == 2 &&
	    (strcmp(a1, "enable") == 0 || strcmp(a1, "disable") == 0)) {
		r = hf_cert_login_set(cli->client, strcmp(a1, "enable") == 0);
		if (r < 0)
			return cli_report_error(cli, r, "cert login");
		printf("certificate login %sd\n", a1);
		return EXIT_OK;
	}
	if (strcmp(a0, "ca-import") == 0 && argc == 2)
		return cmd_with_pem(cli, "ca", NULL, argv[1]);
	if (strcmp(a0, "user-map") == 0 && argc == 3)
		return cmd_with_pem(cli, "user", argv[1], argv[2]);
	cli_error("%s", cert_usage);
	return EXIT_USAGE;
}

/* The BMC's LicenseKey with all but its last group hidden, whatever the BMC sent. */
static void masked_key(const char *key, char *out, size_t outlen)
{
	size_t len = key ? strlen(key) : 0;

	if (len == 0)
		snprintf(out, outlen, "none");
	else if (len == 29)
		snprintf(out, outlen, "XXXXX-XXXXX-XXXXX-XXXXX-%s", key + 24);
	else
		snprintf(out, outlen, "(%zu characters, hidden)", len);
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static int cmd_license_show(struct cli *cli)
{
	struct json_object *lic = NULL;
	const char *v;
	char key[64];
	int r = hf_license_info(cli->client, &lic);

	if (r < 0)
		return cli_report_error(cli, r, "license");
	masked_key(jstr(lic, "LicenseKey"), key, sizeof(key));
	if (cli->json) {
		struct json_object *o = json_object_new_object();

		if (!o) {
			json_object_put(lic);
			return EXIT_TRANSPORT;
		}
#define ADD(name, val) json_object_object_add(o, name, (val) ? json_object_new_string(val) : NULL)
		ADD("license", jstr(lic, "License"));
		ADD("type", jstr(lic, "LicenseType"));
		ADD("tier", jstr(lic, "LicenseTier"));
		ADD("expires", jstr(lic, "LicenseExpire"));
		ADD("installed", jstr(lic, "LicenseInstallDate"));
		json_object_object_add(o, "key", json_object_new_string(key));
#undef ADD
		cli_print_json(o);
		json_object_put(o);
	} else {
		printf("License:   %s\n", jstr(lic, "License") ?: "unknown");
		printf("Type:      %s\n", jstr(lic, "LicenseType") ?: "unknown");
		if ((v = jstr(lic, "LicenseTier")) && *v)
			printf("Tier:      %s\n", v);
		if ((v = jstr(lic, "LicenseExpire")) && *v)
			printf("Expires:   %s\n", v);
		if ((v = jstr(lic, "LicenseInstallDate")) && *v)
			printf("Installed: %s\n", v);
		printf("Key:       %s\n", key);
	}
	json_object_put(lic);
	return EXIT_OK;
}

/* KEY, or "-": the first line of stdin (keeps the key out of the process list). */
static int cmd_license_install(struct cli *cli, const char *arg)
{
	char buf[128];
	const char *key = arg;
	int r;

	if (strcmp(arg, "-") == 0) {
		if (!fgets(buf, sizeof(buf), stdin)) {
			cli_error("no licence key on stdin");
			return EXIT_USAGE;
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		key = buf;
	}
	r = hf_license_install(cli->client, key);
	explicit_bzero(buf, sizeof(buf));
	if (r < 0)
		return cli_report_error(cli, r, "license install");
	printf("licence key installed\n");
	return EXIT_OK;
}

int cmd_license(struct cli *cli, int argc, char **argv)
{
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "show") == 0))
		return cmd_license_show(cli);
	if (argc == 2 && strcmp(argv[0], "install") == 0)
		return cmd_license_install(cli, argv[1]);
	cli_error("usage: hostfish license [show]\n"
		  "       hostfish license install KEY|-   (-: the key from stdin)");
	return EXIT_USAGE;
}
