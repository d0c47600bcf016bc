# SPDX-License-Identifier: MIT
# puppet_x/hostfish/cli.rb - runs the hostfish command line for the module's types and fact.
#
# Decisions come from hostfish's JSON output and exit codes, never from its human-readable
# text (which only goes into error messages).  A password reaches hostfish through a file
# (--password-file) or its environment (HOSTFISH_PASSWORD), never its argv.
require 'json'
require 'open3'

module PuppetX
  module Hostfish
    # hostfish failed: its exit code, stderr and whatever JSON it printed
    class Error < StandardError
      attr_reader :exitstatus, :stderr, :report

      def initialize(message, exitstatus: nil, stderr: '', report: nil)
        super(message)
        @exitstatus = exitstatus
        @stderr = stderr
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

    # The connection options a type or the fact may give; all optional: without them hostfish
    # finds this server's BMC itself (hostfishd, the host interface or CHIF).
    OPTIONS = {
      'url' => '--url', 'transport' => '--transport', 'user' => '--user',
      'password_file' => '--password-file', 'cacert' => '--cacert', 'timeout' => '--timeout'
    }.freeze

    # hostfish on this host with connection options
    class CLI
      attr_reader :program

      # options: a Hash with the keys of OPTIONS (String or Symbol), 'hostfish' (the program)
      # and 'password' (passed through the environment)
      def initialize(options = {})
        opts = options.transform_keys(&:to_s)
        @program = opts['hostfish'] || ENV['HOSTFISH'] || 'hostfish'
        @password = opts['password']
        @global = []
        OPTIONS.each do |key, flag|
          value = opts[key]
          @global += [flag, value.to_s] unless value.nil? || value.to_s.empty?
        end
      end

      def argv(*args)
        [@program, *@global, '--json', *args]
      end

      # run(args, stdin:, ok: [0]) -> [exitstatus, parsed JSON]; raises Error otherwise
      def run(*args, stdin: nil, ok: [0])
        cmd = argv(*args)
        env = @password.nil? ? {} : { 'HOSTFISH_PASSWORD' => @password.to_s }
        out, err, status = Open3.capture3(env, *cmd, stdin_data: stdin.to_s)
        report = parse(out)
        rc = status.exitstatus
        unless ok.include?(rc)
          # apply --detailed-exitcodes: 4 is a failure of any kind (the report says which)
          meaning = rc == 4 && args.include?('--detailed-exitcodes') ? 'failed' : EXIT_MEANINGS.fetch(rc, 'unexpected')
          raise Error.new("#{cmd.join(' ')}: exit #{rc.inspect} (#{meaning}): #{err.strip}",
                          exitstatus: rc, stderr: err, report: report)
        end
        raise Error.new("#{cmd.join(' ')}: no JSON on its output", exitstatus: rc, stderr: err) if report.nil?
        [rc, report]
      end

      # the desired state (a Hash of resource paths to properties) compared or applied:
      # [changed (or would change), report]; a failed resource raises Error
      def apply(state, dry_run: false)
        args = ['apply', '--detailed-exitcodes']
        args << '--dry-run' if dry_run
        rc, report = run(*args, '-', stdin: JSON.generate(state), ok: [0, 2])
        raise Error.new('hostfish apply reports a failed resource', exitstatus: rc, report: report) if report['failed']
        [report['changed'] == true, report]
      end

      # the BMC's local account NAME as given (state: 'present' or 'absent'; role, enabled
      # and password nil to leave them): [changed (or would change), report].  The password
      # goes on stdin (--password-file -), never into argv.
      def account(name, state: 'present', role: nil, enabled: nil, password: nil, dry_run: false)
        args = ['account', state == 'absent' ? 'absent' : 'ensure', name]
        stdin = nil
        if state != 'absent'
          args += ['--role', role.to_s] unless role.nil?
          args << (enabled ? '--enabled' : '--disabled') unless enabled.nil?
          unless password.nil?
            raise Error, 'an account password must be one line' if password.to_s =~ %r{[\r\n]}
            args += ['--password-file', '-']
            stdin = "#{password}\n"
          end
        end
        args << '--dry-run' if dry_run
        _rc, report = run(*args, stdin: stdin)
        [report['changed'] == true, report]
      end

      # hostfish firmware flash --if-different PACKAGE, an absolute path (dry_run: --dry-run, nothing sent; else
      # --wait): the report.  Its Changed says whether anything was (or would be) sent; a
      # package hostfish refuses or a flash the BMC fails raises Error with the exit code.
      def firmware_flash(package, dry_run: false, compsig: nil, tpm_override: false, recovery_set: false,
                         wait_timeout: nil)
        args = ['firmware', 'flash', '--if-different']
        args << (dry_run ? '--dry-run' : '--wait')
        args += ['--wait-timeout', Integer(wait_timeout).to_s] unless dry_run || wait_timeout.nil?
        args += ['--compsig', compsig.to_s] unless compsig.nil?
        args << '--tpm-override' if tpm_override
        args << '--recovery-set' if recovery_set
        run(*args, package.to_s)[1]
      end

      # a resource as JSON
      def get(path)
        run('get', path)[1]
      end

      private

      def parse(text)
        return nil if text.nil? || text.strip.empty?
        JSON.parse(text)
      rescue JSON::ParserError
        nil
      end
    end

    # "PATH#POINTER: OLD -> NEW" for every change of the resources this run changes (or would)
    def self.describe_changes(report)
      (report['resources'] || []).select { |r| ['changed', 'would_change', 'unknown'].include?(r['status']) }.flat_map do |r|
        (r['changes'] || []).map do |c|
          "#{r['path']}##{c['property']}: #{JSON.generate(c['old'])} -> #{JSON.generate(c['new'])}"
        end
      end
    end

    # an account report in words: "create account monitor (Password, RoleId, UserName)"
    def self.describe_account(report)
      verb = { 'created' => 'created', 'updated' => 'updated', 'deleted' => 'deleted',
               'would_create' => 'create', 'would_update' => 'update', 'would_delete' => 'delete' }
      changes = (report['changes'] || []).sort
      "#{verb.fetch(report['action'].to_s, report['action'].to_s)} account #{report['user']}" +
        (changes.empty? ? '' : " (#{changes.join(', ')})")
    end

    # a BMC's string for a message: control characters shown as \xNN, never raw
    def self.printable(text)
      text.to_s.gsub(%r{[\x00-\x1f\x7f]}) { |c| format('\\x%02x', c.ord) }
    end

    # a firmware report in words: "flash /x.fwpkg (type A: iLO 5 2.70 May 16 2022 -> 2.72)",
    # "flashed ...", "queued ... (task NAME)"; VERB for a comparison ("flash": would flash)
    def self.describe_firmware(report, verb = nil)
      verb ||= report['Outcome'].to_s
      versions = (report['Versions'] || []).map do |v|
        "#{printable(v['Name'] || v['@odata.id'])} #{printable(v['Old'] || '?')} -> #{printable(v['New'] || '?')}"
      end
      what = ["type #{printable(report['Type'])}", *versions].join(', ')
      task = report.dig('Task', 'Name')
      "#{verb} #{printable(report['File'])} (#{what})#{task ? " (task #{printable(task)})" : ''}"
    end

    # the first error hostfish reports for a resource, in words
    def self.describe_failure(report)
      bad = (report || {}).fetch('resources', []).find { |r| r['status'] == 'failed' }
      return nil unless bad
      "#{bad['path']}: #{bad.dig('error', 'message') || 'failed'}"
    end
  end
end
