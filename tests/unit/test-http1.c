/* SPDX-License-Identifier: MIT */
/*
 * test-http1.c - raw HTTP/1.1 for the CHIF transport (lib/transport/http1.c): the request text
 * that goes into a blob, and the parsing of the BMC's answer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "lib/transport/http1.h"

#define RAW(s) s, sizeof(s) - 1
#define MAX_BODY ((size_t)1 << 20)

/* ---- serialising ---- */

static struct hf_headers make_headers(const char *const *lines)
{
	struct hf_headers h = { 0 };

	for (; lines && *lines; lines++)
		assert_int_equal(hf_headers_add_line(&h, *lines), 0);
	return h;
}

static void check_request(const char *method, const char *path, const char *const *lines,
			  const char *body, const char *host, const char *expect)
{
	struct hf_headers h = make_headers(lines);
	struct hf_transport_request req = {
		.method = method,
		.path = path,
		.headers = &h,
		.body = body,
		.body_len = body ? strlen(body) : 0,
	};
	struct hf_buf out = { 0 };

	assert_int_equal(hf_http1_serialize(&req, host, 1 << 20, &out), 0);
	assert_int_equal(out.len, strlen(expect));
	assert_memory_equal(out.data, expect, out.len);
	hf_buf_free(&out);
	hf_headers_clear(&h);
}

/* The header list bypasses hf_headers_add_line()'s checks: the serialiser must refuse. */
static void check_request_refused(const char *method, const char *path, const char *name,
				  const char *value, const char *host, size_t body_len, int err)
{
	struct hf_headers h = { 0 };
	struct hf_transport_request req = {
		.method = method,
		.path = path,
		.headers = &h,
		.body = "0123456789",
		.body_len = body_len,
	};
	struct hf_buf out = { 0 };

	assert_int_equal(hf_buf_appends(&out, "untouched"), 0);
	if (name)
		assert_int_equal(hf_headers_add(&h, name, strlen(name), value, strlen(value)), 0);
	assert_int_equal(hf_http1_serialize(&req, host, 1 << 20, &out), err);
	assert_string_equal(out.data, "untouched");
	hf_buf_free(&out);
	hf_headers_clear(&h);
}

static void test_serialize_get(void **state)
{
	static const char *const lines[] = { "OData-Version: 4.0", "X-Auth-Token: abc123",
					     "Accept: application/json", NULL };
	static const char *const conn_close[] = { "Connection: close", NULL };

	check_request("GET", "/redfish/v1/Systems/1/", lines, NULL, "16.1.15.1",
		      "GET /redfish/v1/Systems/1/ HTTP/1.1\r\n"
		      "Host: 16.1.15.1\r\n"
		      "OData-Version: 4.0\r\n"
		      "X-Auth-Token: abc123\r\n"
		      "Accept: application/json\r\n"
		      "Connection: Keep-Alive\r\n"
		      "\r\n");
	/* no host: an empty Host, as HPE's client sends over CHIF; no headers at all */
	check_request("DELETE", "/redfish/v1/SessionService/Sessions/admin1/", NULL, NULL, NULL,
		      "DELETE /redfish/v1/SessionService/Sessions/admin1/ HTTP/1.1\r\n"
		      "Host: \r\n"
		      "Connection: Keep-Alive\r\n"
		      "\r\n");
	/* the caller's Connection replaces ours; a query string is kept */
	check_request("GET", "/redfish/v1/Systems?$expand=.", conn_close, NULL, "bmc",
		      "GET /redfish/v1/Systems?$expand=. HTTP/1.1\r\nHost: bmc\r\n"
		      "Connection: close\r\n\r\n");
}

static void test_serialize_post(void **state)
{
	static const char *const lines[] = { "Content-Type: application/json",
					     "OData-Version: 4.0", NULL };
	static const char *const with_cl[] = { "Content-Type: application/json",
					       "content-length: 2", NULL };

	check_request("POST", "/redfish/v1/SessionService/Sessions/", lines,
		      "{\"UserName\":\"admin\",\"Password\":\"pw\"}", "",
		      "POST /redfish/v1/SessionService/Sessions/ HTTP/1.1\r\n"
		      "Host: \r\n"
		      "Content-Type: application/json\r\n"
		      "OData-Version: 4.0\r\n"
		      "Connection: Keep-Alive\r\n"
		      "Content-Length: 36\r\n"
		      "\r\n"
		      "{\"UserName\":\"admin\",\"Password\":\"pw\"}");
	/* POST, PUT and PATCH always say how long their body is, even when empty */
	check_request("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset/", NULL, NULL,
		      "bmc",
		      "POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset/ HTTP/1.1\r\n"
		      "Host: bmc\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
	check_request("PATCH", "/x", NULL, "", "bmc",
		      "PATCH /x HTTP/1.1\r\nHost: bmc\r\nConnection: Keep-Alive\r\n"
		      "Content-Length: 0\r\n\r\n");
	check_request("PUT", "/x", NULL, "{}", "bmc",
		      "PUT /x HTTP/1.1\r\nHost: bmc\r\nConnection: Keep-Alive\r\n"
		      "Content-Length: 2\r\n\r\n{}");
	/* a body on another method gets a length too */
	check_request("DELETE", "/x", NULL, "{}", "bmc",
		      "DELETE /x HTTP/1.1\r\nHost: bmc\r\nConnection: Keep-Alive\r\n"
		      "Content-Length: 2\r\n\r\n{}");
	/* the caller's matching Content-Length is not repeated */
	check_request("POST", "/x", with_cl, "{}", "bmc",
		      "POST /x HTTP/1.1\r\nHost: bmc\r\nContent-Type: application/json\r\n"
		      "content-length: 2\r\nConnection: Keep-Alive\r\n\r\n{}");
}

static void test_serialize_binary_body(void **state)
{
	static const char body[] = { 0x1f, (char)0x8b, 0, '\r', '\n', 0 };
	struct hf_headers h = { 0 };
	struct hf_transport_request req = {
		.method = "PUT", .path = "/b", .headers = &h, .body = body, .body_len = 6
	};
	struct hf_buf out = { 0 };
	static const char head[] = "PUT /b HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive\r\n"
				   "Content-Length: 6\r\n\r\n";

	assert_int_equal(hf_http1_serialize(&req, "h", 1 << 20, &out), 0);
	assert_int_equal(out.len, sizeof(head) - 1 + 6);
	assert_memory_equal(out.data, head, sizeof(head) - 1);
	assert_memory_equal(out.data + sizeof(head) - 1, body, 6);
	hf_buf_free(&out);
}

static void test_serialize_crlf_refused(void **state)
{
	check_request_refused("GET", "/x", "X-A", "a\r\nX-Evil: 1", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", "X-A", "a\nb", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", "X-A", "a\rb", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", "X-A", "a\x01" "b", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", "X-A", "a\x7f", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x\r\nX-Evil: 1", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x\n", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x y", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x\x80", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "x", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", NULL, NULL, "bmc\r\nX-Evil: 1", 0, -EINVAL);
	check_request_refused("GET", "/x", NULL, NULL, "bmc x", 0, -EINVAL);
	check_request_refused("GET\r\n", "/x", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("G T", "/x", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("", "/x", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused(NULL, "/x", NULL, NULL, "bmc", 0, -EINVAL);
	check_request_refused("GET", NULL, NULL, NULL, "bmc", 0, -EINVAL);
}

static void test_serialize_bad_headers(void **state)
{
	static const char *const bad_names[] = {
		"", "X Auth", "X:Auth", "X\tAuth", "N\xc3\xa4me", "(x)", "X@y", "a/b", "[x]", "x\r\n",
	};
	size_t i;

	for (i = 0; i < HF_ARRAY_SIZE(bad_names); i++)
		check_request_refused("GET", "/x", bad_names[i], "v", "bmc", 0, -EINVAL);
	/* framing is the serialiser's: Host, Transfer-Encoding, a wrong Content-Length */
	check_request_refused("GET", "/x", "Host", "evil", "bmc", 0, -EINVAL);
	check_request_refused("GET", "/x", "host", "bmc", "bmc", 0, -EINVAL);
	check_request_refused("POST", "/x", "Transfer-Encoding", "chunked", "bmc", 2, -EINVAL);
	check_request_refused("POST", "/x", "Content-Length", "3", "bmc", 2, -EINVAL);
	check_request_refused("POST", "/x", "Content-Length", "+2", "bmc", 2, -EINVAL);
	check_request_refused("POST", "/x", "Content-Length", "2 ", "bmc", 2, -EINVAL);
	check_request_refused("POST", "/x", "Content-Length", "", "bmc", 0, -EINVAL);
	check_request_refused("POST", "/x", "Content-Length", "18446744073709551618", "bmc", 2,
			      -EINVAL);
	/* two Content-Length fields, even equal ones */
	{
		static const char *const two[] = { "Content-Length: 2", "Content-Length: 2",
						   NULL };
		struct hf_headers h = make_headers(two);
		struct hf_transport_request req = {
			.method = "POST", .path = "/x", .headers = &h, .body = "{}", .body_len = 2
		};
		struct hf_buf out = { 0 };

		assert_int_equal(hf_http1_serialize(&req, "bmc", 1 << 20, &out), -EINVAL);
		assert_null(out.data);
		hf_headers_clear(&h);
	}
	/* a body length without a body */
	{
		struct hf_transport_request req = { .method = "POST", .path = "/x", .body_len = 3 };
		struct hf_buf out = { 0 };

		assert_int_equal(hf_http1_serialize(&req, "bmc", 1 << 20, &out), -EINVAL);
		assert_null(out.data);
	}
}

static void test_serialize_oversize(void **state)
{
	static const char head[] = "POST /x HTTP/1.1\r\nHost: bmc\r\nConnection: Keep-Alive\r\n"
				   "Content-Length: 10\r\n\r\n";
	struct hf_transport_request req = {
		.method = "POST", .path = "/x", .body = "0123456789", .body_len = 10
	};
	size_t total = sizeof(head) - 1 + 10;
	struct hf_buf out = { 0 };

	assert_int_equal(hf_buf_appends(&out, "old"), 0);
	assert_int_equal(hf_http1_serialize(&req, "bmc", total - 1, &out), -EFBIG);
	assert_string_equal(out.data, "old");
	assert_int_equal(hf_http1_serialize(&req, "bmc", 10, &out), -EFBIG);
	assert_int_equal(hf_http1_serialize(&req, "bmc", 0, &out), -EFBIG);
	assert_string_equal(out.data, "old");
	/* exactly the bound is fine, and replaces the old contents */
	assert_int_equal(hf_http1_serialize(&req, "bmc", total, &out), 0);
	assert_int_equal(out.len, total);
	assert_memory_equal(out.data, head, sizeof(head) - 1);
	assert_memory_equal(out.data + sizeof(head) - 1, "0123456789", 10);
	hf_buf_free(&out);
	/* a body of SIZE_MAX bytes cannot overflow the check */
	req.body_len = SIZE_MAX;
	assert_int_equal(hf_http1_serialize(&req, "bmc", SIZE_MAX, &out), -EFBIG);
	assert_null(out.data);
}

/* ---- parsing ---- */

/* Parse from an exact-size heap copy, so that valgrind sees any over-read. */
static int parse(const char *raw, size_t len, const char *method, size_t max_body,
		 struct hf_transport_response *resp, char *err, size_t errlen)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, raw, len);
	r = hf_http1_parse_response(copy, len, method, max_body, resp, err, errlen);
	free(copy);
	return r;
}

static void parse_ok(const char *raw, size_t len, const char *method,
		     struct hf_transport_response *resp)
{
	char err[256] = "x";

	memset(resp, 0, sizeof(*resp));
	assert_int_equal(parse(raw, len, method, MAX_BODY, resp, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_non_null(resp->reason);
}

static void parse_fails_max(const char *raw, size_t len, const char *method, size_t max_body,
			    int expect, const char *msg)
{
	struct hf_transport_response resp = { 0 };
	char err[256] = "";

	assert_int_equal(parse(raw, len, method, max_body, &resp, err, sizeof(err)), expect);
	if (!strstr(err, msg))
		fail_msg("error \"%s\" does not mention \"%s\"", err, msg);
	/* nothing handed out */
	assert_int_equal(resp.status, 0);
	assert_null(resp.reason);
	assert_int_equal(resp.headers.n, 0);
	assert_null(resp.headers.v);
	assert_null(resp.body.data);
	assert_int_equal(resp.body.len, 0);
}

static void parse_fails(const char *raw, size_t len, int expect, const char *msg)
{
	parse_fails_max(raw, len, "GET", MAX_BODY, expect, msg);
}

static void assert_body(const struct hf_transport_response *resp, const char *body)
{
	assert_int_equal(resp->body.len, strlen(body));
	if (resp->body.len)
		assert_memory_equal(resp->body.data, body, resp->body.len);
}

static void test_parse_200_json(void **state)
{
	struct hf_transport_response resp;

	parse_ok(RAW("HTTP/1.1 200 OK\r\n"
		     "Cache-Control: no-cache\r\n"
		     "Content-Type: application/json; charset=utf-8\r\n"
		     "ETag:   W/\"5D6A0C1B\"  \r\n"
		     "OData-Version:4.0\r\n"
		     "Content-Length: 28\r\n"
		     "\r\n"
		     "{\"@odata.id\":\"/redfish/v1/\"}"),
		 "GET", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.reason, "OK");
	assert_int_equal(resp.headers.n, 5);
	assert_string_equal(resp.headers.v[0].name, "Cache-Control");
	assert_string_equal(resp.headers.v[0].value, "no-cache");
	assert_string_equal(hf_headers_get(&resp.headers, "content-type"),
			    "application/json; charset=utf-8");
	assert_string_equal(hf_headers_get(&resp.headers, "ETag"), "W/\"5D6A0C1B\"");
	assert_string_equal(hf_headers_get(&resp.headers, "OData-Version"), "4.0");
	assert_string_equal(hf_headers_get(&resp.headers, "Content-Length"), "28");
	assert_body(&resp, "{\"@odata.id\":\"/redfish/v1/\"}");
	assert_int_equal(resp.body.data[resp.body.len], '\0');
	hf_transport_response_clear(&resp);
}

static void test_parse_201_session(void **state)
{
	struct hf_transport_response resp;

	parse_ok(RAW("HTTP/1.1 201 Created\r\n"
		     "Content-Type: application/json; charset=utf-8\r\n"
		     "Location: https://16.1.15.1/redfish/v1/SessionService/Sessions/admin0001/\r\n"
		     "X-Auth-Token: 5a3b9e0f6c1d4e2f8a7b6c5d4e3f2a1b\r\n"
		     "Content-Length: 64\r\n"
		     "\r\n"
		     "{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/admin0001/\"}\n\n"),
		 "POST", &resp);
	assert_int_equal(resp.status, 201);
	assert_string_equal(resp.reason, "Created");
	assert_string_equal(hf_headers_get(&resp.headers, "x-auth-token"),
			    "5a3b9e0f6c1d4e2f8a7b6c5d4e3f2a1b");
	assert_string_equal(hf_headers_get(&resp.headers, "Location"),
			    "https://16.1.15.1/redfish/v1/SessionService/Sessions/admin0001/");
	assert_body(&resp, "{\"@odata.id\":\"/redfish/v1/SessionService/Sessions/admin0001/\"}\n\n");
	hf_transport_response_clear(&resp);
}

#define ILO_401_BODY                                                                     \
	"{\"error\":{\"code\":\"iLO.0.10.ExtendedInfo\",\"message\":\"See @Message.ExtendedInfo " \
	"for more information.\",\"@Message.ExtendedInfo\":[{\"MessageId\":"                    \
	"\"Base.1.18.NoValidSession\"}]}}"

static void test_parse_401_ilo(void **state)
{
	struct hf_transport_response resp;
	char raw[1024];
	int n;

	n = snprintf(raw, sizeof(raw),
		     "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; "
		     "charset=utf-8\r\nOData-Version: 4.0\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(ILO_401_BODY), ILO_401_BODY);
	assert_true(n > 0 && (size_t)n < sizeof(raw));
	parse_ok(raw, (size_t)n, "GET", &resp);
	assert_int_equal(resp.status, 401);
	assert_string_equal(resp.reason, "Unauthorized");
	assert_body(&resp, ILO_401_BODY);
	hf_transport_response_clear(&resp);
}

static void test_parse_no_body(void **state)
{
	struct hf_transport_response resp;

	parse_ok(RAW("HTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\n\r\n"), "DELETE", &resp);
	assert_int_equal(resp.status, 204);
	assert_string_equal(resp.reason, "No Content");
	assert_int_equal(resp.headers.n, 1);
	assert_int_equal(resp.body.len, 0);
	assert_null(resp.body.data);
	hf_transport_response_clear(&resp);

	/* HEAD: the length of what GET would return, and no body */
	parse_ok(RAW("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"), "HEAD", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(hf_headers_get(&resp.headers, "Content-Length"), "1234");
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);
	/* the same answer to GET is truncated */
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"), -EPROTO, "truncated");

	/* 304 and 204 have no body whatever their headers say; what follows is ignored */
	parse_ok(RAW("HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\nContent-Length: 5\r\n\r\n"),
		 "GET", &resp);
	assert_int_equal(resp.status, 304);
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);
	parse_ok(RAW("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\nxyz"), "PATCH",
		 &resp);
	assert_int_equal(resp.status, 204);
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);
}

static void test_parse_chunked(void **state)
{
	struct hf_transport_response resp;

	/* several chunks, extensions, upper- and lower-case hex, trailers */
	parse_ok(RAW("HTTP/1.1 200 OK\r\n"
		     "Content-Type: application/json\r\n"
		     "Transfer-Encoding: chunked\r\n"
		     "\r\n"
		     "5\r\n{\"a\":\r\n"
		     "1A;name=value;q=\"quoted ; text\"\r\n\"abcdefghijklmnopqrstuvwx\"\r\n"
		     "1 ; ext\r\n}\r\n"
		     "0000\r\n"
		     "X-Checksum: 1234\r\n"
		     "Expires: never\r\n"
		     "\r\n"),
		 "GET", &resp);
	assert_int_equal(resp.status, 200);
	assert_body(&resp, "{\"a\":\"abcdefghijklmnopqrstuvwx\"}");
	/* trailers are checked and dropped */
	assert_int_equal(resp.headers.n, 2);
	assert_null(hf_headers_get(&resp.headers, "X-Checksum"));
	assert_string_equal(hf_headers_get(&resp.headers, "Transfer-Encoding"), "chunked");
	hf_transport_response_clear(&resp);

	/* a zero-size final chunk without trailers; "Chunked" in any case; hex a..f */
	parse_ok(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
		     "a\r\n0123456789\r\nA\r\nABCDEFGHIJ\r\n0\r\n\r\n"),
		 "GET", &resp);
	assert_body(&resp, "0123456789ABCDEFGHIJ");
	hf_transport_response_clear(&resp);

	/* bare LF line ends throughout; white space around list elements */
	parse_ok(RAW("HTTP/1.1 200 OK\nTransfer-Encoding: chunked ,\n\n3\nabc\n2;x\nde\n0\n\n"),
		 "GET", &resp);
	assert_body(&resp, "abcde");
	hf_transport_response_clear(&resp);

	/* an empty chunked body; an empty list element; a Content-Length is overridden */
	parse_ok(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked\r\nContent-Length: 99\r\n"
		     "\r\n0\r\n\r\n"),
		 "GET", &resp);
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);
}

static void test_parse_close_delimited(void **state)
{
	struct hf_transport_response resp;

	parse_ok(RAW("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld"), "GET",
		 &resp);
	assert_int_equal(resp.status, 200);
	assert_body(&resp, "hello\r\nworld");
	hf_transport_response_clear(&resp);

	/* HTTP/1.1, bare LF line ends, an empty reason with and without its space */
	parse_ok(RAW("HTTP/1.1 500 \nX-A: b\n\n{}"), "GET", &resp);
	assert_int_equal(resp.status, 500);
	assert_string_equal(resp.reason, "");
	assert_string_equal(hf_headers_get(&resp.headers, "X-A"), "b");
	assert_body(&resp, "{}");
	hf_transport_response_clear(&resp);
	parse_ok(RAW("HTTP/1.1 503\r\n\r\n"), "GET", &resp);
	assert_int_equal(resp.status, 503);
	assert_string_equal(resp.reason, "");
	assert_int_equal(resp.headers.n, 0);
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);
}

static void test_parse_interim(void **state)
{
	struct hf_transport_response resp;

	parse_ok(RAW("HTTP/1.1 100 Continue\r\n\r\n"
		     "HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
		 "POST", &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.reason, "OK");
	/* only the final answer's headers */
	assert_int_equal(resp.headers.n, 1);
	assert_null(hf_headers_get(&resp.headers, "Link"));
	assert_body(&resp, "{}");
	hf_transport_response_clear(&resp);

	parse_fails(RAW("HTTP/1.1 100 Continue\r\n\r\n"), -EPROTO, "truncated");
	parse_fails(RAW("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"), -EPROTO,
		    "101");
}

static void test_parse_gzip_intact(void **state)
{
	static const char json[] = "{\"@odata.id\":\"/redfish/v1/Systems/1/\",\"Name\":\"System\"}";
	unsigned char gz[256];
	char raw[512];
	struct hf_transport_response resp;
	struct hf_buf plain = { 0 };
	z_stream zs = { 0 };
	size_t gz_len;
	int n;

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)json;
	zs.avail_in = sizeof(json) - 1;
	zs.next_out = gz;
	zs.avail_out = sizeof(gz);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	gz_len = sizeof(gz) - zs.avail_out;
	deflateEnd(&zs);

	/* in two chunks, so that the transfer decoding has something to join */
	n = snprintf(raw, sizeof(raw),
		     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
		     "\r\n%zx\r\n",
		     (size_t)10);
	memcpy(raw + n, gz, 10);
	n += 10;
	n += snprintf(raw + n, sizeof(raw) - (size_t)n, "\r\n%zx\r\n", gz_len - 10);
	memcpy(raw + n, gz + 10, gz_len - 10);
	n += (int)(gz_len - 10);
	memcpy(raw + n, "\r\n0\r\n\r\n", 7);
	n += 7;

	parse_ok(raw, (size_t)n, "GET", &resp);
	assert_string_equal(hf_headers_get(&resp.headers, "Content-Encoding"), "gzip");
	assert_int_equal(resp.body.len, gz_len);
	assert_memory_equal(resp.body.data, gz, gz_len);
	/* and the client can still decode it */
	assert_int_equal(hf_gunzip(resp.body.data, resp.body.len, 1 << 20, &plain), 0);
	assert_int_equal(plain.len, sizeof(json) - 1);
	assert_memory_equal(plain.data, json, plain.len);
	hf_buf_free(&plain);
	hf_transport_response_clear(&resp);
}

static void test_parse_trailing_and_duplicates(void **state)
{
	struct hf_transport_response resp;

	/* what python-ilorest-library substitutes for an empty answer: extra CRLF at the end */
	parse_ok(RAW("HTTP/1.1 500 Not Found\r\nAllow: GET\r\nCache-Control: no-cache\r\n"
		     "Content-length: 0\r\nContent-type: text/html\r\n"
		     "Server: HP-iLO-Server/1.30\r\nX_HP-CHRP-Service-Version: 1.0.3\r\n\r\n\r\n"),
		 "GET", &resp);
	assert_int_equal(resp.status, 500);
	assert_string_equal(resp.reason, "Not Found");
	assert_string_equal(hf_headers_get(&resp.headers, "X_HP-CHRP-Service-Version"), "1.0.3");
	assert_int_equal(resp.body.len, 0);
	hf_transport_response_clear(&resp);

	/* equal duplicates of Content-Length, as fields and as a list */
	parse_ok(RAW("HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3 , 3\r\n\r\nabcdef"),
		 "GET", &resp);
	assert_body(&resp, "abc");
	hf_transport_response_clear(&resp);

	/* a body of exactly max_body bytes */
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(parse(RAW("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"), "GET", 4,
			       &resp, NULL, 0),
			 0);
	assert_body(&resp, "abcd");
	hf_transport_response_clear(&resp);
}

static void test_parse_bad_status_line(void **state)
{
	parse_fails(RAW(""), -EPROTO, "truncated");
	parse_fails(RAW("HTTP/1.1 200 OK"), -EPROTO, "truncated");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"), -EPROTO, "truncated");
	parse_fails(RAW("HTTP/1.1\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/2 200 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/1.2 200 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("http/1.1 200 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/1.1  200 OK\r\n\r\n"), -EPROTO, "status");
	parse_fails(RAW("HTTP/1.1 200OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/1.1 2000 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/1.1 20 OK\r\n\r\n"), -EPROTO, "status");
	parse_fails(RAW("ICY 200 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("\r\nHTTP/1.1 200 OK\r\n\r\n"), -EPROTO, "status line");
	parse_fails(RAW("HTTP/1.1 099 Low\r\n\r\n"), -EPROTO, "out of range");
	parse_fails(RAW("HTTP/1.1 600 High\r\n\r\n"), -EPROTO, "out of range");
	parse_fails(RAW("HTTP/1.1 2OO OK\r\n\r\n"), -EPROTO, "status code");
	parse_fails(RAW("HTTP/1.1 -20 OK\r\n\r\n"), -EPROTO, "status code");
	parse_fails(RAW("HTTP/1.1 200 O\x01K\r\n\r\n"), -EPROTO, "reason");
	parse_fails(RAW("HTTP/1.1 200 OK\r\r\n\r\n"), -EPROTO, "reason");
	parse_fails(RAW("HTTP/1.1 200 O\0K\r\n\r\n"), -EPROTO, "reason");
	parse_fails(RAW("HTTP/1.1\0200 OK\r\n\r\n"), -EPROTO, "status line");
}

static void test_parse_bad_headers(void **state)
{
	parse_fails(RAW("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A\t: b\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\n: b\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX A: b\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n"), -EPROTO, "obs-fold");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b\r\n\tc\r\n\r\n"), -EPROTO, "obs-fold");
	parse_fails(RAW("HTTP/1.1 200 OK\r\n X-A: b\r\n\r\n"), -EPROTO, "obs-fold");
	/* NUL, CR and other control characters */
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b\0c\r\n\r\n"), -EPROTO, "control character");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX\0A: b\r\n\r\n"), -EPROTO, "malformed HTTP header");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b\rSet-Cookie: c\r\n\r\n"), -EPROTO,
		    "control character");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: \x1b[31m\r\n\r\n"), -EPROTO, "control character");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: \x7f\r\n\r\n"), -EPROTO, "control character");
	/* a header section that never ends */
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b\r\n"), -EPROTO, "truncated");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nX-A: b"), -EPROTO, "truncated");
}

static void test_parse_bad_content_length(void **state)
{
	static const char *const bad[] = {
		"+5", "-5", " 5 5", "5 5", "0x5", "", "5a", "5;", "5.0", "\xd9\xa5", "5,", ",5", "5,,5",
	};
	char raw[128];
	size_t i;
	int n;

	for (i = 0; i < HF_ARRAY_SIZE(bad); i++) {
		n = snprintf(raw, sizeof(raw), "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n12345",
			     bad[i]);
		parse_fails(raw, (size_t)n, -EPROTO, "Content-Length");
	}
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n123456"),
		    -EPROTO, "conflicting");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n123456"), -EPROTO,
		    "conflicting");
	/* far over any bound: too big, not wrapped around */
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\nab"),
		    -EFBIG, "over");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551617\r\n\r\nab"),
		    -EFBIG, "over");
}

static void test_parse_bad_transfer_encoding(void **state)
{
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
		    -EPROTO, "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
		    -EPROTO, "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
		    -EPROTO, "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nab"), -EPROTO,
		    "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n"),
		    -EPROTO, "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\nab"), -EPROTO,
		    "Transfer-Encoding");
	parse_fails(RAW("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), -EPROTO,
		    "HTTP/1.0");
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void test_parse_bad_chunks(void **state)
{
	parse_fails(RAW(CHUNKED_HEAD "ffffffffffffffffff\r\nab\r\n0\r\n\r\n"), -EPROTO,
		    "overflows");
	parse_fails(RAW(CHUNKED_HEAD "10000000000000000\r\nab\r\n0\r\n\r\n"), -EPROTO,
		    "overflows");
	parse_fails(RAW(CHUNKED_HEAD "g\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD "\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD " 2\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD "-2\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD "0x2\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD "2 x\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk size");
	parse_fails(RAW(CHUNKED_HEAD "2;a\x01\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk extension");
	parse_fails(RAW(CHUNKED_HEAD "2;a\0\r\nab\r\n0\r\n\r\n"), -EPROTO, "chunk extension");
	/* truncated chunk data, a missing CRLF after it, a missing last chunk or final CRLF */
	parse_fails(RAW(CHUNKED_HEAD "10\r\nabc"), -EPROTO, "truncated chunk");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc"), -EPROTO, "CRLF");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r"), -EPROTO, "CRLF");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabcd\r\n0\r\n\r\n"), -EPROTO, "CRLF");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r\n"), -EPROTO, "truncated chunked body");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r\n0"), -EPROTO, "truncated chunked body");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r\n0\r\n"), -EPROTO, "truncated");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r\n0\r\nX-T: 1\r\n"), -EPROTO, "trailer");
	parse_fails(RAW(CHUNKED_HEAD "3\r\nabc\r\n0\r\nX-T 1\r\n\r\n"), -EPROTO, "header");
	parse_fails(RAW(CHUNKED_HEAD), -EPROTO, "truncated chunked body");
}

static void test_parse_bounds(void **state)
{
	struct hf_buf raw = { 0 };
	struct hf_transport_response resp;
	size_t i;

	/* the body bound: announced, chunked (summed over chunks) and close-delimited */
	parse_fails_max(RAW("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde"), "GET", 4,
			-EFBIG, "over 4 bytes");
	parse_fails_max(RAW(CHUNKED_HEAD "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "GET", 4, -EFBIG,
			"over 4 bytes");
	parse_fails_max(RAW("HTTP/1.1 200 OK\r\n\r\nabcde"), "GET", 4, -EFBIG, "over 4 bytes");
	/* the bound applies to what is announced, before the data is looked at */
	parse_fails_max(RAW("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\na"), "GET", 4, -EFBIG,
			"over");
	parse_fails_max(RAW(CHUNKED_HEAD "5\r\na"), "GET", 4, -EFBIG, "over");

	/* one header line over 64 KiB */
	assert_int_equal(hf_buf_appends(&raw, "HTTP/1.1 200 OK\r\nX-Big: "), 0);
	for (i = 0; i < HF_HTTP1_MAX_HEADER_BYTES; i++)
		assert_int_equal(hf_buf_append(&raw, "a", 1), 0);
	assert_int_equal(hf_buf_appends(&raw, "\r\n\r\n"), 0);
	parse_fails(raw.data, raw.len, -EFBIG, "header sections over");
	hf_buf_reset(&raw);

	/* 199 fields and the status line: fine; one more: too many */
	assert_int_equal(hf_buf_appends(&raw, "HTTP/1.1 200 OK\r\n"), 0);
	for (i = 0; i < HF_HTTP1_MAX_HEADER_LINES - 1; i++)
		assert_int_equal(hf_buf_printf(&raw, "X-H%zu: %zu\r\n", i, i), 0);
	assert_int_equal(hf_buf_appends(&raw, "\r\n"), 0);
	parse_ok(raw.data, raw.len, "GET", &resp);
	assert_int_equal(resp.headers.n, HF_HTTP1_MAX_HEADER_LINES - 1);
	assert_string_equal(hf_headers_get(&resp.headers, "X-H198"), "198");
	hf_transport_response_clear(&resp);
	raw.len -= 2;
	assert_int_equal(hf_buf_appends(&raw, "X-One-More: 1\r\n\r\n"), 0);
	parse_fails(raw.data, raw.len, -EFBIG, "header sections over");
	hf_buf_reset(&raw);

	/* the bound covers interim answers and trailers too */
	for (i = 0; i < HF_HTTP1_MAX_HEADER_LINES; i++)
		assert_int_equal(hf_buf_appends(&raw, "HTTP/1.1 100 Continue\r\n\r\n"), 0);
	assert_int_equal(hf_buf_appends(&raw, "HTTP/1.1 200 OK\r\n\r\n"), 0);
	parse_fails(raw.data, raw.len, -EFBIG, "header sections over");
	hf_buf_reset(&raw);
	assert_int_equal(hf_buf_appends(&raw, CHUNKED_HEAD "0\r\n"), 0);
	for (i = 0; i < HF_HTTP1_MAX_HEADER_LINES; i++)
		assert_int_equal(hf_buf_appends(&raw, "X-T: 1\r\n"), 0);
	assert_int_equal(hf_buf_appends(&raw, "\r\n"), 0);
	parse_fails(raw.data, raw.len, -EFBIG, "header sections over");
	hf_buf_reset(&raw);

	/* a chunk line over its bound (a long extension) */
	assert_int_equal(hf_buf_appends(&raw, CHUNKED_HEAD "1;x="), 0);
	for (i = 0; i < HF_HTTP1_MAX_CHUNK_LINE; i++)
		assert_int_equal(hf_buf_append(&raw, "e", 1), 0);
	assert_int_equal(hf_buf_appends(&raw, "\r\na\r\n0\r\n\r\n"), 0);
	parse_fails(raw.data, raw.len, -EPROTO, "chunk line over");
	hf_buf_free(&raw);
}

static void test_parse_err_buffer(void **state)
{
	struct hf_transport_response resp = { 0 };
	char err[8];

	/* a short error buffer is truncated, not overrun; none at all is fine */
	assert_int_equal(parse(RAW("HTTP/1.1 2OO OK\r\n\r\n"), "GET", 10, &resp, err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(parse(RAW("HTTP/1.1 2OO OK\r\n\r\n"), "GET", 10, &resp, NULL, 0), -EPROTO);
	assert_null(resp.reason);
	/* no data at all */
	assert_int_equal(hf_http1_parse_response(NULL, 0, "GET", 10, &resp, err, sizeof(err)),
			 -EPROTO);
	assert_int_equal(hf_http1_parse_response(NULL, 5, "GET", 10, &resp, err, sizeof(err)),
			 -EINVAL);
	assert_null(resp.reason);
	/* a NULL method is not HEAD */
	assert_int_equal(parse(RAW("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), NULL, 10,
			       &resp, err, sizeof(err)),
			 0);
	assert_body(&resp, "x");
	hf_transport_response_clear(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serialize_get),
		cmocka_unit_test(test_serialize_post),
		cmocka_unit_test(test_serialize_binary_body),
		cmocka_unit_test(test_serialize_crlf_refused),
		cmocka_unit_test(test_serialize_bad_headers),
		cmocka_unit_test(test_serialize_oversize),
		cmocka_unit_test(test_parse_200_json),
		cmocka_unit_test(test_parse_201_session),
		cmocka_unit_test(test_parse_401_ilo),
		cmocka_unit_test(test_parse_no_body),
		cmocka_unit_test(test_parse_chunked),
		cmocka_unit_test(test_parse_close_delimited),
		cmocka_unit_test(test_parse_interim),
		cmocka_unit_test(test_parse_gzip_intact),
		cmocka_unit_test(test_parse_trailing_and_duplicates),
		cmocka_unit_test(test_parse_bad_status_line),
		cmocka_unit_test(test_parse_bad_headers),
		cmocka_unit_test(test_parse_bad_content_length),
		cmocka_unit_test(test_parse_bad_transfer_encoding),
		cmocka_unit_test(test_parse_bad_chunks),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_parse_err_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
