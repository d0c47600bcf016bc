#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_firmware
short_description: This server's firmware runs the version of an HPE firmware package
version_added: 1.0.0
description:
  - Flashes an HPE firmware package (C(.fwpkg)) or image on the managed server through its own
    BMC with C(hostfish firmware flash), only when it would change something
    (C(--if-different)) - every target of the package already running the package's version
    (outcome C(current)), or the same type C package already waiting in the iLO's task queue
    (outcome C(pending)), sends nothing and reports C(ok).
  - A type A or B package is flashed by the iLO (with C(wait), the task waits until the flash
    is done and the BMC is back, across the iLO's own reset); a type C package is put in the
    iLO's repository and task queue and is applied at the next server boot (outcome
    C(queued)); a type D package is refused (rc 2) and nothing is sent.
  - A plain image (C(.bin), C(.hpb)) names no version and is flashed on every run; give a
    C(.fwpkg) to be idempotent.
  - In check mode hostfish only reads (C(--dry-run --if-different)) and sends nothing;
    C(changed) says whether a flash would send anything.
  - C(changed) and C(failed) come from hostfish's JSON report and exit code, never from its
    text. A failed task reports C(changed) true when the BMC took the package before the
    failure (the flash failed on the BMC, rc 3, or the wait timed out, rc 6), else false.
  - Where hostfishd runs, the flash goes through it as every request does with the default
    C(transport), and hostfishd streams the upload to the BMC with its own session, so no
    credentials are needed. Elsewhere give C(user) and C(password_file) (or C(password)),
    or none over CHIF (iLO in the Production security state).
author: hostfish developers
options:
  path:
    description:
      - The firmware package (C(.fwpkg)) or image on the managed host.
    type: path
    required: true
  compsig:
    description:
      - The signature of an image that is uploaded whole (C(--compsig)); a C(.fwpkg) carries
        its own.
    type: path
  wait:
    description:
      - Wait until a type A or B flash is done and read the new version (C(--wait)). Without
        it the outcome is C(uploaded) and the iLO flashes on its own.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most (C(--wait-timeout)); the task fails after it (rc 6). Left out,
        hostfish's default.
    type: int
  tpm_override:
    description:
      - Set C(TPMOverride) on the upload or the task queue item (C(--tpm-override)), for a
        server whose TPM would otherwise stop the update.
    type: bool
    default: false
  recovery_set:
    description:
      - Also put the component in the iLO's recovery set (C(--recovery-set)).
    type: bool
    default: false
  force:
    description:
      - Flash even when every target already runs the package's version (no
        C(--if-different)); the task then always reports C(changed).
    type: bool
    default: false
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Runs C(hostfish firmware flash --dry-run --if-different), which sends nothing.
  diff_mode:
    support: full
    description: Shows each target's installed version before and the package's (or, after a
      flash, the new) version after.
'''

EXAMPLES = r'''
- name: The iLO runs the firmware of this package
  hostfish.bmc.hostfish_firmware:
    path: /srv/firmware/ilo5_272.fwpkg

- name: A System ROM package, applied at the next boot, with this account (no hostfishd here)
  hostfish.bmc.hostfish_firmware:
    path: /srv/firmware/U32_2.76.fwpkg
    tpm_override: true
    user: firmware
    password_file: /etc/hostfish/firmware.password
  register: rom

- name: Reboot when the System ROM update waits for it
  ansible.builtin.reboot:
  when: rom.outcome == 'queued'
'''

RETURN = r'''
outcome:
  description: What hostfish did - C(flashed), C(uploaded) (not waited for), C(queued) (type C,
    applied at the next server boot), C(current) (nothing to do), C(pending) (the same package
    already queued), or C(dry-run) in check mode.
  returned: success
  type: str
  sample: flashed
type:
  description: The package's type as HPE classifies it (C(A), C(B), C(C), C(BC)).
  returned: success
  type: str
  sample: A
versions:
  description: Each target - its C(@odata.id), C(Name), C(Old) (installed) and C(New) (the
    package's version; after a flash with C(wait), the version now installed).
  returned: success
  type: list
  elements: dict
  sample:
    - "@odata.id": /redfish/v1/UpdateService/FirmwareInventory/1/
      Name: iLO 5
      Old: 2.70 May 16 2022
      New: "2.72"
firmware:
  description: hostfish's whole report (C(hostfish --json firmware flash) in hostfish(1)) -
    C(File), C(Type), C(Outcome), C(Changed), C(Uploads), C(Versions), C(Task), C(Current),
    C(Pending) and others.
  returned: always
  type: dict
rc:
  description: hostfish's exit code, on failure (1 invalid package or refused through
    hostfishd, nothing sent; 2 the BMC cannot flash it (type D) or refuses now (busy, locked,
    blocked task queue), nothing sent; 3 the flash failed on the BMC; 6 timeout).
  returned: failed
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, firmware_diff, hostfish_argument_spec)


def flash_args(params, check_mode):
    """hostfish's arguments for the task."""
    args = ['firmware', 'flash']
    if check_mode:
        args.append('--dry-run')
    if not params['force']:
        args.append('--if-different')
    if params['wait'] and not check_mode:
        args.append('--wait')
        if params['wait_timeout'] is not None:
            args += ['--wait-timeout', str(params['wait_timeout'])]
    if params['compsig']:
        args += ['--compsig', params['compsig']]
    if params['tpm_override']:
        args.append('--tpm-override')
    if params['recovery_set']:
        args.append('--recovery-set')
    return args + [params['path']]


def main():
    module = AnsibleModule(
        argument_spec=hostfish_argument_spec(
            path=dict(type='path', required=True),
            compsig=dict(type='path'),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int'),
            tpm_override=dict(type='bool', default=False),
            recovery_set=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p['wait_timeout'] is not None and p['wait_timeout'] <= 0:
        module.fail_json(msg='wait_timeout must be a positive number of seconds')
    hf = Hostfish(module)
    try:
        report = hf.run(flash_args(p, module.check_mode))[1]
    except HostfishError as e:
        # on a failure after the BMC took the upload (the flash failed on the BMC, a
        # timeout) hostfish still prints its report, Outcome failed, Changed true
        sent = isinstance(e.result, dict) and bool(e.result.get('Changed'))
        hf.fail(e, changed=sent, firmware=e.result if isinstance(e.result, dict) else {})
    if not isinstance(report, dict) or 'Outcome' not in report:
        module.fail_json(msg='hostfish printed no firmware flash report', changed=False)
    changed = bool(report.get('Changed'))
    result = dict(changed=changed, outcome=report.get('Outcome'), type=report.get('Type'),
                  versions=report.get('Versions', []), firmware=report)
    if module._diff and changed:
        result['diff'] = firmware_diff(report)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
