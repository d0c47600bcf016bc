#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_apply
short_description: Redfish resources of this server's BMC have the properties given
version_added: 1.0.0
description:
  - Brings Redfish resources of the managed server's own BMC to a desired state with
    C(hostfish apply). Each resource is read, compared, and PATCHed with only what differs
    (with C(If-Match) on its ETag).
  - Resources with C(@Redfish.Settings) (the BIOS of an iLO) are changed through their settings
    object; the values then wait for the next reset and are reported in C(pending). A value
    already pending is not written again and does not count as a change.
  - In check mode hostfish only compares (C(--dry-run)) and sends no write.
  - With C(--diff) every change is shown as the resource path and the JSON Pointer of the
    property, with its old and new value.
  - C(changed) and C(failed) come from hostfish's JSON report and exit code.
author: hostfish developers
options:
  state:
    description:
      - Resource paths (C(/redfish/v1/...)) mapped to the properties they should have; nested
        objects are compared member by member, arrays as wholes.
      - Exactly one of C(state) and C(src) is given.
    type: dict
  src:
    description:
      - A JSON file on the managed host holding the desired state (the format of C(state)).
    type: path
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Runs C(hostfish apply --dry-run), which sends no PATCH.
  diff_mode:
    support: full
    description: Shows the JSON Pointer of each changed property with its old and new value.
'''

EXAMPLES = r'''
- name: Asset tag and BIOS settings of this server
  hostfish.bmc.hostfish_apply:
    state:
      /redfish/v1/Systems/1/:
        AssetTag: rack12-u07
      /redfish/v1/Systems/1/Bios/:
        Attributes:
          WorkloadProfile: Virtualization-MaxPerformance
  register: bmc

- name: Reboot when BIOS values wait for it
  ansible.builtin.debug:
    msg: "pending until the next reset: {{ bmc.pending }}"
  when: bmc.pending | length > 0

- name: A desired state kept in a file on the host, on a BMC reached over the network
  hostfish.bmc.hostfish_apply:
    src: /etc/hostfish/desired-state.json
    url: https://ilo-rack12-u07.example
    cacert: /etc/hostfish/bmc-ca.pem
    user: ansible
    password_file: /etc/hostfish/bmc-password
'''

RETURN = r'''
resources:
  description: hostfish's report, one entry per resource (see C(hostfish apply --json) in
    hostfish(1)).
  returned: always
  type: list
  elements: dict
  sample:
    - path: /redfish/v1/Systems/1/
      status: changed
      changes:
        - property: /AssetTag
          old: ""
          new: rack12-u07
pending:
  description: C(PATH#POINTER) of every value written to a settings object that applies at the
    next reset.
  returned: always
  type: list
  elements: str
  sample: ["/redfish/v1/Systems/1/Bios/#/Attributes/WorkloadProfile"]
rc:
  description: hostfish's exit code, on failure (C(--detailed-exitcodes) 4 for a failed
    resource, 1 for invalid input, nothing sent).
  returned: failed
  type: int
'''

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, apply_diff, hostfish_argument_spec)


def pending_of(report):
    return ['%s#%s' % (res.get('path', ''), ptr)
            for res in report.get('resources', []) for ptr in res.get('pending', [])]


def main():
    module = AnsibleModule(
        argument_spec=hostfish_argument_spec(state=dict(type='dict'), src=dict(type='path')),
        required_one_of=[('state', 'src')],
        mutually_exclusive=[('state', 'src')],
        supports_check_mode=True,
    )
    hf = Hostfish(module)
    args = ['apply', '--detailed-exitcodes']
    if module.check_mode:
        args.append('--dry-run')
    data = None
    if module.params['state'] is not None:
        args.append('-')
        data = json.dumps(module.params['state'])
    else:
        args.append(module.params['src'])

    try:
        rc, report, err = hf.run(args, data=data, ok_codes=(0, 2))
    except HostfishError as e:
        # a report with a failed resource still tells what did change before it
        report = e.result if isinstance(e.result, dict) else {}
        hf.fail(e, changed=bool(report.get('changed')), resources=report.get('resources', []),
                pending=pending_of(report))
    result = dict(changed=bool(report.get('changed')),
                  resources=report.get('resources', []), pending=pending_of(report))
    if report.get('failed'):
        module.fail_json(msg='hostfish apply reports a failed resource: %s' % err.strip(),
                         rc=rc, **result)
    if module._diff:
        result['diff'] = apply_diff(report)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
