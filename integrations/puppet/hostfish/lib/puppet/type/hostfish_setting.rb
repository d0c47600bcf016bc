# SPDX-License-Identifier: MIT
require 'puppet/resource_api'
require_relative '../../puppet_x/hostfish/connection'

Puppet::ResourceApi.register_type(
  name: 'hostfish_setting',
  docs: <<-EOS,
@summary A Redfish resource of this server's BMC has the properties given.

Compared and applied by `hostfish apply` on the managed host: only what differs is PATCHed
(with If-Match on the ETag); a resource with @Redfish.Settings (iLO's BIOS) is changed
through its settings object and its values wait for the next reset (a pending value is in
sync: it is not written again). With --noop hostfish only compares (--dry-run) and the change
is reported, property by property, as JSON Pointers; nothing is written.

    hostfish_setting { '/redfish/v1/Systems/1/':
      properties => { 'AssetTag' => 'rack12-u07' },
    }

Without url/user/password_file hostfish finds the BMC itself (hostfishd, the Redfish host
interface, or CHIF on iLO 5/6).
EOS
  features: ['custom_insync', 'simple_get_filter'],
  attributes: {
    path: {
      type: 'Pattern[/\A\/redfish\/v1\//]',
      desc: 'The resource path, /redfish/v1/...',
      behaviour: :namevar,
    },
    properties: {
      type: 'Hash[String, Any]',
      desc: 'The properties the resource should have (nested hashes are compared member by member, arrays as wholes).',
    },
  }.merge(PuppetX::Hostfish.connection_attributes(
    'BMC account (--user); not needed through hostfishd or where the host provides credentials.',
  )),
)
