# SPDX-License-Identifier: MIT
# Ohai plugin: the attribute `hostfish`, what this server's BMC reports about it
# (hostfish --json status and firmware list).  hostfish finds the BMC itself (hostfishd, the
# Redfish host interface, CHIF); a BMC that needs options gets them from the JSON object in
# /etc/hostfish/ohai.json (or the file HOSTFISH_OHAI_CONFIG names): url, user, password_file,
# cacert, transport, hostfish.  A failure is logged and the attribute left out.
require 'json'
require 'open3'

Ohai.plugin(:Hostfish) do
  provides 'hostfish'

  def hostfish_json(cmd)
    out, err, status = Open3.capture3(*cmd)
    raise "#{cmd.join(' ')}: exit #{status.exitstatus}: #{err.strip}" unless status.success?
    JSON.parse(out)
  end

  collect_data(:linux) do
    conf_file = ENV['HOSTFISH_OHAI_CONFIG'] || '/etc/hostfish/ohai.json'
    conf = File.exist?(conf_file) ? JSON.parse(File.read(conf_file)) : {}
    base = [conf['hostfish'] || ENV['HOSTFISH'] || 'hostfish']
    { 'url' => '--url', 'transport' => '--transport', 'user' => '--user',
      'password_file' => '--password-file', 'cacert' => '--cacert' }.each do |k, flag|
      base += [flag, conf[k].to_s] if conf[k]
    end
    base << '--json'
    begin
      hostfish Mash.new(
        status: hostfish_json(base + ['status']),
        firmware: hostfish_json(base + ['firmware', 'list'])
      )
    rescue StandardError => e
      Ohai::Log.warn("hostfish plugin: #{e.message}")
    end
  end
end
