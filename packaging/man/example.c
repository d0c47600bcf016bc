/* SPDX-License-Identifier: MIT */
/* example.c - print a Redfish resource's Id and PowerState (libhostfish(3) EXAMPLE).
 * Build: cc example.c $(pkg-config --cflags --libs hostfish json-c)
 * Run:   HOSTFISH_URL=https://bmc HOSTFISH_CACERT=ca.pem HOSTFISH_USER=admin \
 *        HOSTFISH_PASSWORD=... ./a.out [PATH] */
#include <stdio.h>
#include <stdlib.h>

#include <hostfish.h>
#include <json-c/json.h>

static const char *property(hf_response *resp, const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(hf_response_json(resp), name, &v))
		return "-";
	return json_object_get_string(v); /* borrowed from the response */
}

int main(int argc, char **argv)
{
	hf_options opts = HF_OPTIONS_INIT;
	hf_client *client = NULL;
	hf_response *resp = NULL;
	const hf_redfish_error *rferr;
	const char *path = argc > 1 ? argv[1] : "/redfish/v1/Systems/1/";
	int r, status = 0;

	opts.url = getenv("HOSTFISH_URL");
	opts.ca_file = getenv("HOSTFISH_CACERT");
	opts.username = getenv("HOSTFISH_USER");
	opts.password = getenv("HOSTFISH_PASSWORD"); /* copied by the client */

	r = hf_client_new(&client, &opts);
	if (r < 0) {
		fprintf(stderr, "hf_client_new: error %d\n", r);
		return 1;
	}

	r = hf_get(client, path, &resp);
	if (r < 0) {
		/* no answer: the detail is kept per client and per thread */
		const hf_error *e = hf_client_last_error(client);

		fprintf(stderr, "GET %s: %s: %s\n", path, hf_error_kind_name(e->kind),
			e->message);
		status = 1;
	} else if (hf_response_status(resp) >= 400) {
		/* the BMC answered with an error: its first Redfish message */
		const hf_message *m = NULL;

		rferr = hf_response_redfish_error(resp);
		if (rferr && hf_redfish_error_count(rferr) > 0)
			m = hf_redfish_error_info(rferr, 0);
		printf("%d %s\n", hf_response_status(resp),
		       m && m->message_id ? m->message_id : "-");
		status = 2;
	} else {
		printf("%d %s %s\n", hf_response_status(resp), property(resp, "Id"),
		       property(resp, "PowerState"));
	}

	hf_response_free(resp); /* accepts NULL */
	if (hf_client_logout(client) < 0) {
		fprintf(stderr, "logout: %s\n", hf_client_last_error(client)->message);
		status = 1;
	}
	hf_client_free(client);
	return status;
}
