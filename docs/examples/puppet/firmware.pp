# SPDX-License-Identifier: MIT
# firmware.pp - this server's iLO runs the firmware of the package Hiera names for it
# (bmc_firmware_package: the absolute path of an HPE .fwpkg on this host, put there by a file
# resource or a package).  hostfish compares each target's installed version with the
# package's and flashes only when they differ, waiting across the iLO's reset; --noop
# uploads nothing.
hostfish_firmware { lookup('bmc_firmware_package'):
  wait_timeout => 1800,
}
