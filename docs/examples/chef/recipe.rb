# SPDX-License-Identifier: MIT
# recipe.rb - a recipe of a cookbook that depends on the cookbook hostfish: this server's BMC
# has its asset tag and BIOS settings.  hostfish finds the BMC itself; a BMC that needs
# options gets url, cacert, user and password_file as properties.
hostfish_settings 'asset tag and BIOS' do
  state(
    '/redfish/v1/Systems/1/' => { 'AssetTag' => node['hostname'] },
    '/redfish/v1/Systems/1/Bios/' => { 'Attributes' => { 'AdminName' => 'Ops team' } }
  )
end

log 'bmc firmware' do
  message "BMC firmware: #{node['hostfish']['status']['manager']['firmware']}"
  only_if { node['hostfish'] }
end
