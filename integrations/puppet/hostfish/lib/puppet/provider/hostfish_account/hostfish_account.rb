# SPDX-License-Identifier: MIT
require 'puppet/resource_api/simple_provider'
require_relative '../../../puppet_x/hostfish/cli'

# hostfish_account: get cannot see the manifest's connection options, so it reports every
# account as it is asked for; insync? of ensure asks `hostfish account ensure|absent
# --dry-run`, which compares everything (role, login state, the password by one GET as the
# account), and set runs it without --dry-run.  Under --noop Puppet calls insync? only.
class Puppet::Provider::HostfishAccount::HostfishAccount
  def cli_for(resource)
    connection = [:hostfish, :url, :transport, :user, :password_file, :cacert]
    PuppetX::Hostfish::CLI.new(resource.select { |k, v| connection.include?(k) && !v.nil? })
  end

  def get(_context, names = nil)
    (names || []).map { |name| { name: name, ensure: 'present' } }
  end

  # [changed, report] of the desired account, compared (dry_run) or applied
  def run(name, should, dry_run)
    password = should[:account_password]
    password = password.unwrap if password.respond_to?(:unwrap)
    cli_for(should).account(name, state: should[:ensure].to_s, role: should[:role], enabled: should[:enabled],
                                  password: password, dry_run: dry_run)
  rescue PuppetX::Hostfish::Error => e
    raise Puppet::ResourceError, e.message
  end

  def insync?(context, name, property_name, _is_hash, should_hash)
    # ensure's check compares every property: the others are in sync when it is
    return true unless property_name == :ensure
    changed, report = run(name, should_hash, true)
    return true unless changed
    what = PuppetX::Hostfish.describe_account(report)
    context.notice("would #{what}") if Puppet[:noop]
    [false, what]
  end

  def set(context, changes)
    changes.each do |name, change|
      context.updating(name) do
        _changed, report = run(name, change[:should], false)
        context.notice(PuppetX::Hostfish.describe_account(report))
      end
    end
  end
end
