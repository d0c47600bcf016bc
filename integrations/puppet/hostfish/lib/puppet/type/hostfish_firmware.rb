# SPDX-License-Identifier: MIT
require 'puppet/resource_api'
require_relative '../../puppet_x/hostfish/connection'

Puppet::ResourceApi.register_type(
  name: 'hostfish_firmware',
  docs: <<-EOS,
@summary The firmware of an HPE package (.fwpkg) is what this server runs.

Compared and flashed by `hostfish firmware flash` on the managed host: each target of the
package's payload.json (Devices.Device[].Target) is looked up in the BMC's FirmwareInventory
and its installed version compared with the package's (Devices.Device[].Version). The package
is flashed (--if-different --wait) only when a target runs another version; a type C package
already waiting in the BMC's task queue is not queued again. With --noop hostfish only compares
(--dry-run) and nothing is sent. A package hostfish refuses (type D, a busy UpdateService, a
blocked task queue) or a flash the BMC fails makes the resource fail.

    hostfish_firmware { '/var/lib/firmware/ilo5_272.fwpkg':
      status => current,
    }

Without url/user/password_file hostfish finds the BMC itself: hostfishd where it runs (which
streams the upload with its own session), else the Redfish host interface or CHIF on iLO 5/6.
EOS
  features: ['custom_insync', 'simple_get_filter'],
  attributes: {
    package: {
      type: 'Pattern[/\A\/[^\x00-\x1f\x7f]*\z/]',
      desc: 'The package (.fwpkg, or a plain .bin/.hpb image) on this host: an absolute path.',
      behaviour: :namevar,
    },
    status: {
      type: 'Enum[current]',
      desc: "current: every target runs the package's version (a type C package waiting in the task queue counts).",
      default: 'current',
    },
    compsig: {
      type: 'Optional[Pattern[/\A\/[^\x00-\x1f\x7f]*\z/]]',
      desc: 'The signature (.compsig) of what is uploaded whole (--compsig): an absolute path.',
      behaviour: :parameter,
    },
    tpm_override: {
      type: 'Boolean',
      desc: 'Flash although the TPM is enabled (--tpm-override: TPMOverride).',
      behaviour: :parameter,
      default: false,
    },
    recovery_set: {
      type: 'Boolean',
      desc: "Also store the component as the BMC's recovery set (--recovery-set: UpdateRecoverySet).",
      behaviour: :parameter,
      default: false,
    },
    wait_timeout: {
      type: 'Optional[Integer[1, 86400]]',
      desc: 'Seconds to wait for the flash (and the iLO back after its own) (--wait-timeout; default 30 minutes).',
      behaviour: :parameter,
    },
  }.merge(PuppetX::Hostfish.connection_attributes(
    'The BMC account to log in as (--user).',
  )),
)
