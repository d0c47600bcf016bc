/* SPDX-License-Identifier: MIT */
/*
 * netwatch.c - waiting for the host interface's NIC with a libudev monitor (netwatch.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>

#include "netwatch.h"

#define NETWATCH_STEP_MS 50 /* how often an interrupt is looked at while nothing happens */

static bool stop_asked(const volatile int *interrupts, int seen)
{
	return interrupts && __atomic_load_n(interrupts, __ATOMIC_SEQ_CST) != seen;
}

/* Wait for the next event that may concern a NIC: 1 (look again), 0 (deadline), -EINTR. */
static int next_event(struct udev_monitor *mon, int64_t deadline, const volatile int *interrupts,
		      int seen)
{
	struct pollfd p = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };

	for (;;) {
		int64_t left = deadline - hf_now_ms();
		int n;

		if (stop_asked(interrupts, seen))
			return -EINTR;
		if (left <= 0)
			return 0;
		n = poll(&p, 1, left < NETWATCH_STEP_MS ? (int)left : NETWATCH_STEP_MS);
		if (n > 0) {
			struct udev_device *d = udev_monitor_receive_device(mon);
			const char *action = d ? udev_device_get_action(d) : NULL;
			bool look = action && (strcmp(action, "add") == 0 ||
					       strcmp(action, "move") == 0 ||
					       strcmp(action, "change") == 0);

			if (d)
				udev_device_unref(d);
			if (look)
				return 1;
		}
	}
}

int hf_netwatch_wait(const struct hf_smbios_device *dev, int64_t deadline,
		     const volatile int *interrupts, int seen, const struct hf_logger *log,
		     struct hf_netif *ret, char *why, size_t whylen)
{
	bool said = false;
	/* udevd's events once it has named the NIC; without udevd, the kernel's */
	const char *source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	struct udev_monitor *mon = NULL;
	struct udev *udev = udev_new();
	int r;

	if (!udev) {
		snprintf(why, whylen, "cannot watch for the host interface's NIC: udev_new failed");
		return -EIO;
	}
	/* listening before looking: an event between the look and the wait is not lost */
	mon = udev_monitor_new_from_netlink(udev, source);
	if (!mon || udev_monitor_filter_add_match_subsystem_devtype(mon, "net", NULL) < 0 ||
	    udev_monitor_enable_receiving(mon) < 0) {
		snprintf(why, whylen, "cannot watch for the host interface's NIC: no %s event "
				      "monitor",
			 source);
		r = -EIO;
		goto out;
	}
	for (;;) {
		r = hf_netif_find(NULL, dev, ret, why, whylen);
		if (r != -ENOENT)
			break; /* found (0), or a descriptor that names no device */
		if (!said && log)
			hf_log_info(log, "the host interface's NIC is gone: waiting for it (%s "
					 "events)",
				    source);
		said = true;
		r = next_event(mon, deadline, interrupts, seen);
		if (r == 0) {
			snprintf(why, whylen, "the host interface's NIC did not come back (watched "
					      "%s events)",
				 source);
			r = -ETIMEDOUT;
			break;
		}
		if (r < 0) {
			snprintf(why, whylen, "interrupted while waiting for the host interface's "
					      "NIC");
			break;
		}
	}
out:
	udev_monitor_unref(mon);
	udev_unref(udev);
	return r;
}
