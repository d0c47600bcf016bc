# SPDX-License-Identifier: MIT
require 'puppet/resource_api/simple_provider'
require_relative '../../../puppet_x/hostfish/cli'

# hostfish_setting: get reads the resource, insync? asks `hostfish apply --dry-run` (so a
# value pending in a settings object is in sync, and the change is reported as JSON
# Pointers), set runs `hostfish apply`.  Under --noop Puppet calls insync? only.
class Puppet::Provider::HostfishSetting::HostfishSetting
  def cli_for(resource)
    connection = [:hostfish, :url, :transport, :user, :password_file, :cacert]
    PuppetX::Hostfish::CLI.new(resource.select { |k, v| connection.include?(k) && !v.nil? })
  end

  # get cannot see the manifest's connection options (nor the properties asked for), so it
  # names the resource only; insync? and set read the BMC, through hostfish apply
  def get(_context, names = nil)
    (names || []).map { |path| { path: path } }
  end

  def insync?(context, name, property_name, _is_hash, should_hash)
    return nil unless property_name == :properties
    changed, report = cli_for(should_hash).apply({ name => should_hash[:properties] }, dry_run: true)
    return true unless changed
    lines = PuppetX::Hostfish.describe_changes(report)
    # Puppet's noop message shows the desired hash only: say what would change, and from what
    lines.each { |l| context.notice("would change #{l}") } if Puppet[:noop]
    [false, "properties changed: #{lines.join(', ')}"]
  rescue PuppetX::Hostfish::Error => e
    raise Puppet::ResourceError, [PuppetX::Hostfish.describe_failure(e.report), e.message].compact.join(': ')
  end

  def set(context, changes)
    changes.each do |name, change|
      should = change[:should]
      context.updating(name) do
        begin
          _changed, report = cli_for(should).apply({ name => should[:properties] })
          PuppetX::Hostfish.describe_changes(report).each { |l| context.info("changed #{l}") }
        rescue PuppetX::Hostfish::Error => e
          raise Puppet::ResourceError, [PuppetX::Hostfish.describe_failure(e.report), e.message].compact.join(': ')
        end
      end
    end
  end
end
