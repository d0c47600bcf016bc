/* SPDX-License-Identifier: MIT */
/*
 * hostfish-subscriptions.h - libhostfish: push event subscriptions (EventService/
 * Subscriptions) that are never left behind.  Every subscription this host creates is
 * journaled under $HOSTFISH_STATE_DIR/subscriptions/ (directory 0700, files 0600; the state
 * directory, not the runtime one: unlike a session, a subscription outlives a reboot of the
 * host) and locked by its creator; one whose creator is gone is an orphan, deleted by
 * hf_client_prune_subscriptions().  Included by hostfish.h; may be included alone.
 */
#ifndef HOSTFISH_SUBSCRIPTIONS_H
#define HOSTFISH_SUBSCRIPTIONS_H

#include "hostfish.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hf_subscription hf_subscription;

/*
 * Subscribe destination (an https:// URL the BMC can reach) to the BMC's events.  filter: a
 * NULL-terminated list, or NULL for everything the event service offers.  A service older
 * than Redfish EventService 1.3 (iLO 5) filters by EventTypes ("Alert", "StatusChange"...),
 * a newer one (iLO 6, iLO 7) by RegistryPrefixes ("iLOEvents", "Base"...); the filter's
 * words are sent as the BMC's model wants them.  The subscription's Context is a random
 * "hostfish-" string that every event the BMC sends for it carries.  The journal entry is
 * written before the POST, so even a process killed between the two leaves nothing a prune
 * cannot find.  On success *ret belongs to the caller (hf_subscription_delete() or
 * hf_subscription_free()).  Returns 0, -EINVAL (destination not https:// or with control
 * characters), -ENOTSUP (no event service), -EACCES, -EIO (see hf_client_last_error()),
 * -ENOMEM, or a transport error.
 */
int hf_subscription_create(hf_client *client, const char *destination, const char *const *filter,
			   hf_subscription **ret);
/* The subscription's path on the BMC, and its Context. */
const char *hf_subscription_uri(const hf_subscription *sub);
const char *hf_subscription_context(const hf_subscription *sub);
/* Delete the subscription on the BMC (404 counts as deleted), then its journal entry, and
 * free sub.  Returns 0 or the error of the DELETE (the entry then stays, an orphan for
 * hf_client_prune_subscriptions()). */
int hf_subscription_delete(hf_client *client, hf_subscription *sub);
/* Free sub and give up its lock, leaving the subscription on the BMC: an orphan now. */
void hf_subscription_free(hf_subscription *sub);
/*
 * Delete the journaled subscriptions of this BMC whose creator is gone (killed, crashed, the
 * host rebooted), with the client's credentials.  One whose URI was never learnt is looked
 * for by its Context; one whose URI now names a subscription with another Context is not
 * touched.  *deleted (may be NULL) counts those deleted.  No journal, no request.  Returns
 * 0, or -EIO when some could not be deleted (see hf_client_last_error()).
 */
int hf_client_prune_subscriptions(hf_client *client, unsigned *deleted);

#ifdef __cplusplus
}
#endif

#endif /* HOSTFISH_SUBSCRIPTIONS_H */
