# SPDX-License-Identifier: MIT
# libraries/hostfish.rb - the logic of the hostfish resources as plain Ruby (no Chef needed):
# running hostfish, the current state a resource compares against, and applying it.
#
# hostfish's JSON output and exit codes decide; its human-readable text only goes into error
# messages.  A password reaches hostfish through a file (--password-file) or its environment
# (HOSTFISH_PASSWORD), never its argv.
require 'json'
require 'open3'

module HostfishChef
  # hostfish failed: its exit code, stderr and whatever JSON it printed
  class Error < StandardError
    attr_reader :exitstatus, :report

    def initialize(message, exitstatus: nil, report: nil)
      super(message)
      @exitstatus = exitstatus
      @report = report
    end
  end

  # hostfish(1), EXIT STATUS
  EXIT_MEANINGS = {
    1 => 'usage or invalid input (nothing was sent to the BMC)',
    2 => 'the BMC refused the request (HTTP 4xx)',
    3 => 'BMC error (HTTP 5xx)',
    4 => 'authentication required, rejected or expired',
    5 => 'transport unavailable, connection or TLS failure',
    6 => 'timeout',
    130 => 'interrupted (SIGINT)',
    143 => 'interrupted (SIGTERM)',
  }.freeze

  FLAGS = {
    'url' => '--url', 'transport' => '--transport', 'user' => '--user',
    'password_file' => '--password-file', 'cacert' => '--cacert', 'timeout' => '--timeout'
  }.freeze

  # hostfish on this host; options (all optional): hostfish (the program), url, transport,
  # user, password_file, cacert, timeout, password (passed through the environment)
  class CLI
    def initialize(options = {})
      opts = (options || {}).transform_keys(&:to_s)
      @program = opts['hostfish'] || ENV['HOSTFISH'] || 'hostfish'
      @password = opts['password']
      @global = FLAGS.flat_map { |k, flag| opts[k].nil? || opts[k].to_s.empty? ? [] : [flag, opts[k].to_s] }
    end

    # run(args, stdin:, ok:) -> [exit code, JSON]; raises Error for another exit code or no JSON
    def run(*args, stdin: nil, ok: [0])
      cmd = [@program, *@global, '--json', *args]
      env = @password.nil? ? {} : { 'HOSTFISH_PASSWORD' => @password.to_s }
      out, err, status = Open3.capture3(env, *cmd, stdin_data: stdin.to_s)
      rc = status.exitstatus
      report = begin
        out.strip.empty? ? nil : JSON.parse(out)
      rescue JSON::ParserError
        nil
      end
      unless ok.include?(rc)
        meaning = rc == 4 && args.include?('--detailed-exitcodes') ? 'failed' : EXIT_MEANINGS.fetch(rc, 'unexpected')
        raise Error.new("#{cmd.join(' ')}: exit #{rc.inspect} (#{meaning}): #{err.strip}", exitstatus: rc, report: report)
      end
      raise Error.new("#{cmd.join(' ')}: no JSON on its output", exitstatus: rc) if report.nil?
      [rc, report]
    end

    # hostfish apply of STATE (resource paths to properties): the report; a failed resource
    # raises Error naming it
    def apply(state, dry_run: false)
      args = ['apply', '--detailed-exitcodes']
      args << '--dry-run' if dry_run
      rc, report = run(*args, '-', stdin: JSON.generate(state), ok: [0, 2])
      raise Error.new("hostfish apply: #{Settings.failure(report)}", exitstatus: rc, report: report) if report['failed']
      report
    end
  end

  # A local account of the BMC, as a hostfish_account resource wants it: DESIRED has 'role',
  # 'enabled' and 'password' (nil: leave it as it is).  The password goes to hostfish on stdin
  # (--password-file -), never its argv.
  module Account
    # hostfish account ensure|absent NAME: the report (dry_run: compare only, write nothing)
    def self.run(cli, name, desired = nil, dry_run: false)
      args = ['account', desired.nil? ? 'absent' : 'ensure', name]
      stdin = nil
      unless desired.nil?
        args += ['--role', desired['role'].to_s] unless desired['role'].nil?
        args << (desired['enabled'] ? '--enabled' : '--disabled') unless desired['enabled'].nil?
        unless desired['password'].nil?
          raise Error, 'an account password must be one line' if desired['password'].to_s =~ %r{[\r\n]}
          args += ['--password-file', '-']
          stdin = "#{desired['password']}\n"
        end
      end
      args << '--dry-run' if dry_run
      cli.run(*args, stdin: stdin)[1]
    end

    # The account as the BMC has it, in the shape of DESIRED (for load_current_value): nil when
    # there is none; else DESIRED with each value hostfish would change replaced - the role by
    # the account's RoleId, enabled by its opposite, the password by nil (a BMC never reads it
    # back: hostfish found it refused).  Equal to DESIRED exactly when nothing has to change.
    # One dry run (and one GET of the account when its role differs); no write.
    def self.current(cli, name, desired)
      desired = desired.transform_keys(&:to_s)
      # a new account without a password cannot be compared: ask whether there is one at all
      return nil if desired['password'].nil? && !exists?(cli, name)
      report = run(cli, name, desired, dry_run: true)
      return nil if report['action'] == 'would_create'
      current = desired.dup
      changes = report['changes'] || []
      current['role'] = cli.run('get', report['uri'])[1]['RoleId'] if changes.include?('RoleId')
      current['enabled'] = !desired['enabled'] if changes.include?('Enabled')
      current['password'] = nil if changes.include?('Password')
      current
    end

    # whether the BMC has the account NAME (one dry run of absent; no write)
    def self.exists?(cli, name)
      run(cli, name, nil, dry_run: true)['action'] == 'would_delete'
    end

    # Make the account as DESIRED: the properties hostfish set ("Password", "RoleId", ...)
    def self.ensure(cli, name, desired)
      run(cli, name, desired.transform_keys(&:to_s))['changes'] || []
    end

    # Delete the account: whether there was one
    def self.remove(cli, name)
      run(cli, name)['changed'] == true
    end
  end

  # An HPE firmware package (.fwpkg, or a plain .bin/.hpb image) a hostfish_firmware resource
  # wants installed: OPTIONS has 'compsig', 'tpm_override', 'recovery_set', 'wait_timeout'.
  # hostfish's JSON decides (Changed, Outcome); a refusal (exit 1, 2), a failed flash (3) or
  # a timeout (6) raises Error with the exit code.
  module Firmware
    # hostfish firmware flash --if-different PACKAGE: the report (dry_run: --dry-run, nothing
    # sent; else --wait)
    def self.run(cli, package, options = {}, dry_run: false)
      opts = (options || {}).transform_keys(&:to_s)
      raise Error, "#{package}: the package must be an absolute path" unless package.to_s.start_with?('/')
      raise Error, "#{package}: a control character in the path" if package.to_s =~ %r{[\x00-\x1f\x7f]}
      args = ['firmware', 'flash', '--if-different']
      args << (dry_run ? '--dry-run' : '--wait')
      args += ['--wait-timeout', Integer(opts['wait_timeout']).to_s] unless dry_run || opts['wait_timeout'].nil?
      args += ['--compsig', opts['compsig'].to_s] unless opts['compsig'].nil?
      args << '--tpm-override' if opts['tpm_override']
      args << '--recovery-set' if opts['recovery_set']
      cli.run(*args, package.to_s)[1]
    end

    # The package as the BMC has it (for load_current_value): {'installed' => true when a
    # flash would send nothing (every target runs the package's version, or a type C
    # package already waits in the task queue), 'versions' => [[name, installed, package's]],
    # 'report' => hostfish's}.  One dry run; nothing is sent.
    def self.current(cli, package, options = {})
      report = run(cli, package, options, dry_run: true)
      { 'installed' => report['Changed'] == false, 'versions' => versions(report), 'report' => report }
    end

    # Flash the package when it differs: hostfish's report (Outcome "flashed", "uploaded",
    # "queued"; or "current"/"pending" and Changed false when nothing was sent)
    def self.flash(cli, package, options = {})
      run(cli, package, options)
    end

    def self.versions(report)
      (report['Versions'] || []).map { |v| [printable(v['Name'] || v['@odata.id']), printable(v['Old']), printable(v['New'])] }
    end

    # "flashed /x.fwpkg (type A, iLO 5 2.70 -> 2.72)"; VERB instead of the outcome
    def self.describe(report, verb = nil)
      what = ["type #{printable(report['Type'])}", *versions(report).map { |n, o, w| "#{n} #{o || '?'} -> #{w || '?'}" }]
      task = report.dig('Task', 'Name')
      "#{verb || printable(report['Outcome'])} #{printable(report['File'])} (#{what.join(', ')})" +
        (task ? " (task #{printable(task)})" : '')
    end

    # a BMC's string for a message: control characters as \xNN, never raw
    def self.printable(text)
      return nil if text.nil?
      text.to_s.gsub(%r{[\x00-\x1f\x7f]}) { |c| format('\\x%02x', c.ord) }
    end
  end

  # The settings a hostfish_settings resource wants (resource paths to properties).
  module Settings
    # The state as the BMC has it now, in the shape of DESIRED: each value hostfish would
    # change replaced by the value the BMC holds (a value pending in a settings object counts
    # as set).  Equal to DESIRED exactly when nothing has to change.  One dry run; no write.
    def self.current(cli, desired)
      report = cli.apply(desired, dry_run: true)
      current = deep_copy(desired)
      report.fetch('resources', []).each do |res|
        next unless res['status'] == 'would_change'
        res.fetch('changes', []).each { |c| set_pointer(current[res['path']], c['property'], c['old']) }
      end
      current
    end

    # Apply DESIRED: the changes made, "PATH#POINTER: OLD -> NEW"
    def self.apply(cli, desired)
      changes(cli.apply(desired))
    end

    def self.changes(report)
      report.fetch('resources', []).select { |r| ['changed', 'would_change', 'unknown'].include?(r['status']) }.flat_map do |r|
        r.fetch('changes', []).map { |c| "#{r['path']}##{c['property']}: #{JSON.generate(c['old'])} -> #{JSON.generate(c['new'])}" }
      end
    end

    def self.failure(report)
      bad = report.fetch('resources', []).select { |r| r['status'] == 'failed' }
      bad.map { |r| "#{r['path']}: #{r.dig('error', 'message') || 'failed'}" }.join('; ')
    end

    # RFC 6901: set the member POINTER names inside OBJ (which has it: it came from DESIRED)
    def self.set_pointer(obj, pointer, value)
      keys = pointer.split('/', -1).drop(1).map { |k| k.gsub('~1', '/').gsub('~0', '~') }
      last = keys.pop
      parent = keys.reduce(obj) { |o, k| o.is_a?(Array) ? o[Integer(k)] : o[k] }
      parent.is_a?(Array) ? parent[Integer(last)] = value : parent[last] = value
    end

    def self.deep_copy(obj)
      JSON.parse(JSON.generate(obj))
    end
  end
end
