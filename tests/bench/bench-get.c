/* SPDX-License-Identifier: MIT */
/*
 * bench-get.c - sequential GETs for tests/bench/agent-bench.sh (a benchmark, not a test).
 *
 *   bench-get direct URL CAFILE USER PATH N      through libhostfish (public API), one
 *                                               session, one keep-alive connection;
 *                                               the password comes from HOSTFISH_PASSWORD
 *   bench-get agent SOCKET PATH N [THREADS]      through hostfishd: HTTP/1.1 keep-alive on its
 *                                               Unix socket, one connection per thread
 *   bench-get curl URL CAFILE USER PATH N        the baseline: libcurl alone, one easy handle
 *                                               (one keep-alive connection), Basic auth, the
 *                                               body collected in memory, nothing parsed
 *
 * Prints one line: requests=N failures=F seconds=S rps=R median_us=M p95_us=P
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hostfish.h>

#define RESP_MAX (4 << 20)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(double *lat, long n, long failures, double seconds)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("requests=%ld failures=%ld seconds=%.3f rps=%.1f median_us=%.1f p95_us=%.1f\n", n,
	       failures, seconds, n / seconds, n ? lat[n / 2] : 0.0,
	       n ? lat[(long)(n * 0.95) < n ? (long)(n * 0.95) : n - 1] : 0.0);
}

static int run_direct(int argc, char **argv)
{
	hf_options o = HF_OPTIONS_INIT;
	hf_client *c = NULL;
	long n, i, failures = 0;
	double *lat, t0;

	if (argc != 7)
		return 2;
	n = atol(argv[6]);
	lat = calloc((size_t)n + 1, sizeof(*lat));
	o.url = argv[2];
	o.ca_file = argv[3];
	o.username = argv[4];
	o.password = getenv("HOSTFISH_PASSWORD");
	o.max_connections = 1;
	if (!lat || hf_client_new(&c, &o) < 0) {
		fprintf(stderr, "bench-get: cannot create the client\n");
		free(lat);
		return 1;
	}
	t0 = now_us();
	for (i = 0; i < n; i++) {
		hf_response *r = NULL;
		double t = now_us();

		if (hf_get(c, argv[5], &r) < 0 || hf_response_status(r) != 200)
			failures++;
		lat[i] = now_us() - t;
		hf_response_free(r);
	}
	report(lat, n, failures, (now_us() - t0) / 1e6);
	hf_client_logout(c);
	hf_client_free(c);
	free(lat);
	return failures ? 1 : 0;
}

struct agent_job {
	const char *socket;
	const char *path;
	long n;
	double *lat;
	long failures;
};

/* One keep-alive GET: 0, or -1. */
static int agent_get(int fd, const char *path, char *buf)
{
	char req[1024];
	size_t len = 0, head = 0, want;
	char *end, *cl;
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);

	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		return -1;
	for (;;) {
		ssize_t r = recv(fd, buf + len, RESP_MAX - 1 - len, 0);

		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
	}
	head = (size_t)(end - buf) + 4;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1;
	want = head + strtoul(cl + 17, NULL, 10);
	if (want >= RESP_MAX)
		return -1;
	while (len < want) {
		ssize_t r = recv(fd, buf + len, want - len, 0);

		if (r <= 0)
			return -1;
		len += (size_t)r;
	}
	return strncmp(buf, "HTTP/1.1 200 ", 13) == 0 ? 0 : -1;
}

static void *agent_worker(void *arg)
{
	struct agent_job *j = arg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = malloc(RESP_MAX);
	long i;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", j->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		j->failures = j->n;
		free(buf);
		return NULL;
	}
	for (i = 0; i < j->n; i++) {
		double t = now_us();

		if (agent_get(fd, j->path, buf) < 0) {
			j->failures++;
			close(fd);
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
				break;
		}
		j->lat[i] = now_us() - t;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int run_agent(int argc, char **argv)
{
	long n, threads = 1, i, failures = 0;
	struct agent_job *jobs;
	pthread_t *tids;
	double *lat, t0;

	if (argc != 5 && argc != 6)
		return 2;
	n = atol(argv[4]);
	if (argc == 6)
		threads = atol(argv[5]);
	if (n < 1 || threads < 1 || threads > 64)
		return 2;
	lat = calloc((size_t)(n * threads), sizeof(*lat));
	jobs = calloc((size_t)threads, sizeof(*jobs));
	tids = calloc((size_t)threads, sizeof(*tids));
	if (!lat || !jobs || !tids) {
		free(lat);
		free(jobs);
		free(tids);
		return 1;
	}
	t0 = now_us();
	for (i = 0; i < threads; i++) {
		jobs[i] = (struct agent_job){ argv[2], argv[3], n, lat + i * n, 0 };
		pthread_create(&tids[i], NULL, agent_worker, &jobs[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(tids[i], NULL);
		failures += jobs[i].failures;
	}
	report(lat, n * threads, failures, (now_us() - t0) / 1e6);
	free(lat);
	free(jobs);
	free(tids);
	return failures ? 1 : 0;
}

struct body {
	char *data;
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n >= RESP_MAX)
		return 0;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return n;
}

static int run_curl(int argc, char **argv)
{
	char userpwd[512], *url;
	struct body b = { 0 };
	long n, i, failures = 0, code;
	double *lat, t0;
	CURL *h;

	if (argc != 7)
		return 2;
	n = atol(argv[6]);
	if (n < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 2;
	lat = calloc((size_t)n + 1, sizeof(*lat));
	b.data = malloc(RESP_MAX);
	url = malloc(strlen(argv[2]) + strlen(argv[5]) + 1);
	h = curl_easy_init();
	if (!lat || !b.data || !url || !h) {
		fprintf(stderr, "bench-get: out of memory\n");
		n = -1; /* clean up below */
	}
	if (n < 0)
		goto out;
	sprintf(url, "%s%s", argv[2], argv[5]);
	snprintf(userpwd, sizeof(userpwd), "%s:%s", argv[4],
		 getenv("HOSTFISH_PASSWORD") ? getenv("HOSTFISH_PASSWORD") : "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, argv[3]);
	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		double t = now_us();

		b.len = 0;
		code = 0;
		if (curl_easy_perform(h) != CURLE_OK ||
		    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200)
			failures++;
		lat[i] = now_us() - t;
	}
	report(lat, n, failures, (now_us() - t0) / 1e6);
out:
	if (h)
		curl_easy_cleanup(h);
	curl_global_cleanup();
	free(url);
	free(b.data);
	free(lat);
	return n < 0 || failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc > 1 && strcmp(argv[1], "direct") == 0)
		r = run_direct(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "agent") == 0)
		r = run_agent(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "curl") == 0)
		r = run_curl(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: bench-get direct URL CAFILE USER PATH N\n"
				"       bench-get agent SOCKET PATH N [THREADS]\n"
				"       bench-get curl URL CAFILE USER PATH N\n");
	return r;
}
