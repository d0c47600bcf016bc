# SPDX-License-Identifier: MIT
# firmware.rb - a recipe of a cookbook that depends on the cookbook hostfish: this server's iLO
# runs the firmware of the package an attribute names (an HPE .fwpkg on this host, put there by
# a remote_file resource).  hostfish compares each target's installed version with the
# package's and flashes only when they differ; why-run mode uploads nothing.
hostfish_firmware node['bmc']['firmware_package'] do
  wait_timeout 1800
end
