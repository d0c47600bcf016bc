# SPDX-License-Identifier: MIT
# bmc.pp - this server's BMC has its asset tag and BIOS settings (the module hostfish).
# hostfish finds the BMC itself; a BMC that needs options gets url, cacert, user and
# password_file as parameters (or as resource defaults: Hostfish_setting { ... }).
hostfish_setting { '/redfish/v1/Systems/1/':
  properties => { 'AssetTag' => $facts['networking']['hostname'] },
}

hostfish_setting { '/redfish/v1/Systems/1/Bios/':
  properties => { 'Attributes' => { 'AdminName' => 'Ops team' } },
}

if $facts['hostfish'] {
  notice("BMC firmware: ${facts['hostfish']['status']['manager']['firmware']}")
}
