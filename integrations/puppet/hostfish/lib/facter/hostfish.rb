# SPDX-License-Identifier: MIT
# The fact `hostfish`: what this server's BMC reports about it (hostfish --json status and
# firmware list).  hostfish finds the BMC itself (hostfishd, the Redfish host interface, CHIF);
# a BMC that needs options (--url, --user, --password-file, --cacert) gets them from the JSON
# object in /etc/hostfish/facter.json (or the file HOSTFISH_FACTER_CONFIG names).  Nothing
# when hostfish is not installed; an error of hostfish is logged and the fact left out.
require 'json'
require_relative '../puppet_x/hostfish/cli'

Facter.add(:hostfish) do
  confine do
    prog = ENV['HOSTFISH'] || 'hostfish'
    prog.include?('/') ? File.executable?(prog) : ENV.fetch('PATH', '').split(':').any? { |d| File.executable?(File.join(d, prog)) }
  end
  setcode do
    begin
      conf = ENV['HOSTFISH_FACTER_CONFIG'] || '/etc/hostfish/facter.json'
      options = File.exist?(conf) ? JSON.parse(File.read(conf)) : {}
      cli = PuppetX::Hostfish::CLI.new(options)
      { 'status' => cli.run('status')[1], 'firmware' => cli.run('firmware', 'list')[1] }
    rescue PuppetX::Hostfish::Error, JSON::ParserError, SystemCallError => e
      Facter.warn("hostfish fact: #{e.message}")
      nil
    end
  end
end
