# SPDX-License-Identifier: MIT
# @summary Redfish resources of this server's BMC have the properties given (for Hiera).
#
# @param settings
#   Resource paths mapped to the properties they should have.
# @param connection
#   Options for every hostfish_setting (hostfish, url, user, password_file, cacert,
#   transport); none on a server whose BMC hostfish finds by itself.
#
# @example
#   class { 'hostfish::settings':
#     settings => { '/redfish/v1/Systems/1/' => { 'AssetTag' => 'rack12-u07' } },
#   }
class hostfish::settings (
  Hash[Pattern[/\A\/redfish\/v1\//], Hash[String, Any]] $settings = {},
  Hash[Enum['hostfish', 'url', 'transport', 'user', 'password_file', 'cacert'], String] $connection = {},
) {
  $settings.each |String $path, Hash $properties| {
    hostfish_setting { $path:
      properties => $properties,
      *          => $connection,
    }
  }
}
