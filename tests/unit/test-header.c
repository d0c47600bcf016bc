/* SPDX-License-Identifier: MIT */
/*
 * test-header.c - include/hostfish.h compiles alone as C89 (-std=c89 -pedantic -Werror), and
 * HF_OPTIONS_INIT initialises every field without warnings; the area headers (hostfish-bmc.h,
 * hostfish-firmware.h, hostfish-fwmgmt.h) included first work alone too, and the _INIT macros
 * of their options are complete.
 * Prints TAP.
 */
#include <hostfish-bmc.h>
#include <hostfish-firmware.h>
#include <hostfish-fwmgmt.h>
#include <hostfish.h>

#include <stdio.h>

int main(void)
{
	hf_options opts = HF_OPTIONS_INIT;
	hf_flash_options flash = HF_FLASH_OPTIONS_INIT;
	hf_invoke_options inv = HF_INVOKE_OPTIONS_INIT;
	hf_pull_options pull = HF_PULL_OPTIONS_INIT;
	int ok = opts.version == HF_OPTIONS_VERSION && opts.retries == -1 && opts.url == NULL &&
		 opts.auth == HF_AUTH_AUTO && opts.log_level == HF_LOG_ERROR &&
		 opts.session_uri == NULL && flash.version == HF_FLASH_OPTIONS_VERSION &&
		 flash.progress_userdata == NULL && inv.version == HF_INVOKE_OPTIONS_VERSION &&
		 inv.expire == NULL && pull.version == HF_PULL_OPTIONS_VERSION &&
		 pull.progress_userdata == NULL;

	printf("1..1\n%s 1 - hostfish.h is self-contained C89 and HF_OPTIONS_INIT is complete\n",
	       ok ? "ok" : "not ok");
	return ok ? 0 : 1;
}
