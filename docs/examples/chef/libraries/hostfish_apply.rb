# SPDX-License-Identifier: MIT
# libraries/hostfish_apply.rb - runs `hostfish apply` for a Chef resource (or any Ruby code):
# exit 0 is "nothing to change", 2 "changed" (or "would change" with dry_run: true), anything
# else a failure, raised with hostfish's message.
require 'open3'

module HostfishApply
  class Error < StandardError; end

  def self.run(file, dry_run: false, hostfish: ENV.fetch('HOSTFISH', 'hostfish'),
               opts: ENV.fetch('HOSTFISH_OPTS', '').split)
    argv = [hostfish, *opts, 'apply', '--detailed-exitcodes']
    argv << '--dry-run' if dry_run
    argv << file
    _out, err, status = Open3.capture3(*argv)
    case status.exitstatus
    when 0 then :unchanged
    when 2 then dry_run ? :would_change : :changed
    else
      raise Error, "#{argv.join(' ')}: exit #{status.exitstatus.inspect}: #{err.strip}"
    end
  end
end
