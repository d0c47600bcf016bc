# SPDX-License-Identifier: MIT
require 'puppet/resource_api/simple_provider'
require_relative '../../../puppet_x/hostfish/cli'

# hostfish_firmware: get cannot see the manifest's connection options, so it reports every
# package as it is asked for; insync? of status asks `hostfish firmware flash --if-different
# --dry-run` (which reads each target's installed version and sends nothing): in sync when
# its Changed is false (every target current, or a type C package already queued).  set runs
# `hostfish firmware flash --if-different --wait`, which again sends nothing when nothing
# differs.  Under --noop Puppet calls insync? only.  Decisions come from the JSON and the
# exit code; a refusal (exit 1, 2), a failed flash (3) or a timeout (6) fails the resource.
class Puppet::Provider::HostfishFirmware::HostfishFirmware
  CONNECTION = [:hostfish, :url, :transport, :user, :password_file, :cacert].freeze

  def cli_for(resource)
    PuppetX::Hostfish::CLI.new(resource.select { |k, v| CONNECTION.include?(k) && !v.nil? })
  end

  def get(_context, names = nil)
    (names || []).map { |name| { package: name, status: 'current' } }
  end

  # the report of the package compared (dry_run) or flashed when it differs
  def flash(name, should, dry_run)
    cli_for(should).firmware_flash(name, dry_run: dry_run, compsig: should[:compsig],
                                         tpm_override: should[:tpm_override] == true,
                                         recovery_set: should[:recovery_set] == true,
                                         wait_timeout: should[:wait_timeout])
  rescue PuppetX::Hostfish::Error => e
    raise Puppet::ResourceError, e.message
  end

  def insync?(context, name, property_name, _is_hash, should_hash)
    return true unless property_name == :status
    report = flash(name, should_hash, true)
    return true unless report['Changed'] == true
    what = PuppetX::Hostfish.describe_firmware(report, 'flash')
    context.notice("would #{what}") if Puppet[:noop]
    [false, what]
  end

  def set(context, changes)
    changes.each do |name, change|
      context.updating(name) do
        report = flash(name, change[:should], false)
        context.notice(PuppetX::Hostfish.describe_firmware(report))
      end
    end
  end
end
