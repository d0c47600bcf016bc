# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
# The options every hostfish.bmc module shares: how hostfish reaches the BMC.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  hostfish_path:
    description:
      - The hostfish program on the managed host.
    type: path
    default: hostfish
  url:
    description:
      - Address of the BMC, for a BMC reached over the network (C(--url)).
      - Leave it out on the managed server itself; hostfish then goes through hostfishd when it
        runs, else through the Redfish host interface or CHIF (iLO 5/6) by itself.
    type: str
  transport:
    description:
      - The way to the BMC (C(--transport)).
    type: str
    choices: [auto, agent, https, hostif, chif]
  user:
    description:
      - BMC account (C(--user)). Not needed through hostfishd or where the host itself provides
        credentials.
    type: str
  password:
    description:
      - The password of C(user). It reaches hostfish through its environment
        (C(HOSTFISH_PASSWORD)), never its command line, and is never logged.
      - Prefer C(password_file), or no password at all (hostfishd, CHIF in the Production
        security state).
    type: str
  password_file:
    description:
      - A file on the managed host whose first line is the password of C(user)
        (C(--password-file)).
    type: path
  cacert:
    description:
      - CA certificate (PEM) that signed the BMC's certificate (C(--cacert)). TLS is always
        verified.
    type: path
  timeout:
    description:
      - Seconds one request may take (C(--timeout)).
    type: int
notes:
  - The module runs on the managed host and calls the hostfish command line there; it reads
    only hostfish's JSON output and exit codes.
requirements:
  - hostfish on the managed host
'''
