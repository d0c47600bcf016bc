#!/bin/bash
# SPDX-License-Identifier: MIT
# exit-codes.sh PATH - GET a resource and act on hostfish's exit code, the way a wrapper in a
# provider or a cron job should: retry what may pass later, stop on what will not.
hostfish=${HOSTFISH:-hostfish}
read -r -a opts <<<"${HOSTFISH_OPTS:-}"

"$hostfish" "${opts[@]}" get "$1"
rc=$?
case $rc in
0) ;;                                                                  # the JSON is on stdout
1) echo "invalid input: fix the call (nothing was sent to the BMC)" >&2 ;;
2) echo "the BMC refused the request (HTTP 4xx): see the Redfish message above" >&2 ;;
3) echo "BMC error (HTTP 5xx): retry later" >&2 ;;
4) echo "authentication failed: check the account and its password" >&2 ;;
5) echo "no way to the BMC (transport, connection or TLS): check the setup" >&2 ;;
6) echo "timeout: retry later" >&2 ;;
130 | 143) echo "interrupted" >&2 ;;
*) echo "unexpected exit code $rc" >&2 ;;
esac
exit $rc
