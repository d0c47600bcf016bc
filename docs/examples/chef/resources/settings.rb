# SPDX-License-Identifier: MIT
# resources/settings.rb - hostfish_settings: Redfish resources of this server's BMC have the
# properties given (nested objects allowed), for example
#   hostfish_settings 'asset tag' do
#     state('/redfish/v1/Systems/1/' => { 'AssetTag' => 'rack12-u07' })
#   end
# A dry run decides whether anything must change, so why-run mode and reports are right.
unified_mode true
provides :hostfish_settings

property :state, Hash, required: true

action :apply do
  file = ::File.join(Chef::Config[:file_cache_path], "hostfish-#{new_resource.name.tr('^A-Za-z0-9_-', '_')}.json")
  ::File.write(file, JSON.generate(new_resource.state), perm: 0o600)
  if HostfishApply.run(file, dry_run: true) == :would_change
    converge_by("apply the BMC settings '#{new_resource.name}'") do
      HostfishApply.run(file)
    end
  end
end
