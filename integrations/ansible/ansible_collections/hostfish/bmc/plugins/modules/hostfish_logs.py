#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
module: hostfish_logs
short_description: Read the logs of this server's BMC; optionally clear one or add a note
version_added: 1.0.0
description:
  - Reads the entries of the managed server's own BMC logs with C(hostfish logs list) (on iLO
    the IML, Event and SL logs of the system and the iLO Event Log of the manager), all or
    one, all entries or those after a cursor or a time. Reading changes nothing.
  - Each log's C(cursor) can be given back as C(since) on the next run to get only the
    entries that came after it.
  - With C(clear), clears the log named by C(service) (C(hostfish logs clear)) after reading
    it; with C(note), adds a maintenance note to the IML (C(hostfish logs note)) after that.
    Either is a write and reports C(changed); a run without them never does.
  - In check mode the entries are read, nothing is written, and a requested clear or note
    reports C(changed).
  - C(changed) and C(failed) come from hostfish's JSON output and exit codes.
author: hostfish developers
options:
  service:
    description:
      - The log to read (and to clear), by its name (C(IML), C(Event), C(SL), C(IEL) on iLO);
        left out, every log is read.
    type: str
  since:
    description:
      - Only entries after this cursor (a C(cursor) this module returned earlier) or created or
        updated after this time (C(2026-12-07T05:00:00Z)).
    type: str
  clear:
    description:
      - Clear the log named by C(service) after reading it (C(#LogService.ClearLog)).
    type: bool
    default: false
  note:
    description:
      - A maintenance note to add to the IML (one line of at most 500 characters; hostfish
        refuses control characters before anything is sent).
    type: str
extends_documentation_fragment:
  - hostfish.bmc.hostfish
attributes:
  check_mode:
    support: full
    description: Reads the entries; a clear or note is not sent and reports C(changed).
  diff_mode:
    support: none
    description: Logs have no desired state to compare.
'''

EXAMPLES = r'''
- name: Critical IML entries since the last run
  hostfish.bmc.hostfish_logs:
    service: IML
    since: "{{ iml_cursor | default(omit) }}"
  register: iml

- name: Remember where the IML was read to
  ansible.builtin.set_fact:
    iml_cursor: "{{ iml.cursors.IML }}"
    cacheable: true

- name: Archive the security log, then clear it
  hostfish.bmc.hostfish_logs:
    service: SL
    clear: true
  register: sl

- name: Say in the IML why the server was down
  hostfish.bmc.hostfish_logs:
    service: IML
    since: "{{ ansible_date_time.iso8601 }}"
    note: "DIMM 3 replaced (ticket 42)"
'''

RETURN = r'''
logs:
  description: hostfish's report (C(hostfish --json logs list)), one entry per log, read
    before any clear or note.
  returned: always
  type: list
  elements: dict
  sample:
    - service: IML
      cursor: c1,1234,2022-06-07T02:12:41Z
      entries:
        - id: "10"
          seq: 1234
          created: "2022-06-07T02:12:41Z"
          severity: Warning
          oem_severity: Caution
          message: Drive Array - Drive Failure.
entries:
  description: The entries of every log read, one list, each with its C(service).
  returned: always
  type: list
  elements: dict
cursors:
  description: Each log read, mapped to its cursor (give it back as C(since)).
  returned: always
  type: dict
  sample:
    IML: c1,1234,2022-06-07T02:12:41Z
cleared:
  description: Whether the log was cleared (in check mode, whether it would be).
  returned: always
  type: bool
noted:
  description: Whether the note was added (in check mode, whether it would be).
  returned: always
  type: bool
rc:
  description: hostfish's exit code, on failure (1 invalid input, nothing sent; 2 the BMC
    refused or has no such log).
  returned: failed
  type: int
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hostfish.bmc.plugins.module_utils.hostfish import (
    Hostfish, HostfishError, hostfish_argument_spec)


def summarise(report):
    """hostfish's logs list report: (logs, all entries, cursor of each log)."""
    logs = report.get('logs', []) if isinstance(report, dict) else []
    entries, cursors = [], {}
    for log in logs:
        entries.extend(log.get('entries', []))
        if log.get('service') is not None:
            cursors[log['service']] = log.get('cursor')
    return logs, entries, cursors


def main():
    module = AnsibleModule(
        argument_spec=hostfish_argument_spec(
            service=dict(type='str'),
            since=dict(type='str'),
            clear=dict(type='bool', default=False),
            note=dict(type='str'),
        ),
        required_if=[('clear', True, ('service',))],
        supports_check_mode=True,
    )
    p = module.params
    hf = Hostfish(module)
    service = ['--service', p['service']] if p['service'] else []
    args = ['logs', 'list'] + service
    if p['since']:
        args += ['--since', p['since']]
    try:
        report = hf.run(args)[1]
    except HostfishError as e:
        hf.fail(e, changed=False)
    logs, entries, cursors = summarise(report)
    result = dict(changed=False, logs=logs, entries=entries, cursors=cursors, cleared=False, noted=False)
    try:
        if p['clear']:
            if not module.check_mode:
                hf.run(['logs', 'clear'] + service, json_output=False)
            result.update(changed=True, cleared=True)
        if p['note'] is not None:
            if not module.check_mode:
                hf.run(['logs', 'note', p['note']], json_output=False)
            result.update(changed=True, noted=True)
    except HostfishError as e:
        hf.fail(e, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
