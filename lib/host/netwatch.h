/* SPDX-License-Identifier: MIT */
/*
 * netwatch.h - waiting for the host interface's NIC to come back (netwatch.c), and putting
 * back the address "hostif up" gave it (hostif-up.c).  Library-internal.
 *
 * An iLO reset removes its vNIC (cdc_eem) and brings it back; a host interface's NIC can also
 * come and go with its driver.  The wait is a libudev monitor on the net subsystem, each
 * event's NIC matched by the Type 42 record's device identity (hf_netif_find: the MAC of a v2
 * descriptor, the USB or PCI IDs otherwise); no sleep loop.  The monitor listens to udevd's
 * events when udevd runs (/run/udev/control: names are final, rules applied), else to the
 * kernel's own uevents (containers, initramfs, test namespaces without udevd).
 */
#ifndef HOSTFISH_NETWATCH_H
#define HOSTFISH_NETWATCH_H

#include <stdint.h>

#include "hostfish-private.h"
#include "netif.h"
#include "smbios.h"

/*
 * Wait until the NIC that dev names exists (at once when it does): 0 with *ret (clear it with
 * hf_netif_clear()), -ETIMEDOUT at deadline (hf_now_ms() time), -EINTR as soon as
 * *interrupts differs from seen (looked at every 50 ms; interrupts may be NULL), -ENOTSUP
 * when dev names no device, -EIO when no monitor can be made; why says what happened.  log
 * (may be NULL) says at info when the NIC is absent and the monitor waits for it.
 */
int hf_netwatch_wait(const struct hf_smbios_device *dev, int64_t deadline,
		     const volatile int *interrupts, int seen, const struct hf_logger *log,
		     struct hf_netif *ret, char *why, size_t whylen);

/*
 * The NIC is back: when "hostif up" configured it (its record in $HOSTFISH_RUNTIME_DIR,
 * hostif-up.json, names this NIC by MAC or name), bring it up and give it that address again
 * if it lacks them.  0 when there was nothing to do or it was done (the actions logged at
 * info), a negative errno with the reason in why (not root: -EPERM).
 */
int hf_hostif_reapply(const struct hf_netif *nic, const struct hf_logger *log, char *why,
		      size_t whylen);

#endif /* HOSTFISH_NETWATCH_H */
