#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs what hostfish needs to build and test on Debian 12 (run as root).
# Only missing packages are installed, so a second run costs nothing.
set -euo pipefail

packages=(
	build-essential autoconf automake libtool pkg-config
	libcurl4-openssl-dev libjson-c-dev libssl-dev libpci-dev zlib1g-dev
	# libhostfish: the host interface's NIC watched after a BMC reset (lib/host/netwatch.c);
	# tests/integration/hostif-reset.test
	libudev-dev
	# libhostfish: .fwpkg firmware packages (lib/features/fwpkg.c); tests/integration/firmware-flash.test
	libzip-dev
	# hostfishd --forward-logs: sd_journal_send(); tests/integration/logs-journal.test runs it
	# in a mount namespace (unshare, util-linux)
	libsystemd-dev util-linux
	libcmocka-dev valgrind dmidecode cppcheck clang-tidy
	python3 openssl ca-certificates procps bsdutils curl xz-utils
	# tests/integration/hostif*.test: a network namespace and a veth pair (ip)
	iproute2
	# tests/build/units.test (systemd-analyze verify); the packages' maintainer scripts
	# (systemd-sysusers, systemd-tmpfiles) when packages.test installs them
	systemd
	# tests/packaging/packages.test: Debian and RPM package builds, lint and install
	git debhelper lintian rpm rpmlint cpio
	# tests/integration/docs-*.test: the Ansible and Chef examples
	python3-yaml ruby
	# tests/integration/ansible*.test: the collection hostfish.bmc run by ansible-playbook,
	# checked by ansible-test sanity and units (pytest, xdist, mock), ansible-doc, pylint,
	# pycodestyle and yamllint, built by ansible-galaxy
	ansible-core python3-pytest python3-pytest-xdist python3-pytest-forked python3-mock
	python3-pycodestyle pylint yamllint
	# tests/integration/puppet*.test: puppet apply, the Resource API, rspec-puppet, puppet-lint
	puppet ruby-puppet-resource-api ruby-rspec-puppet ruby-puppetlabs-spec-helper puppet-lint
	# tests/integration/chef*.test: the Ohai plugin under the real ohai
	ohai
	# tests/integration/ilorest-inband.test: HPE's own client against the emulated library
	ilorest python3-ilorest
	# tests/integration/inventory.test, metrics.test: promtool check metrics on the output
	prometheus
	# tests/integration/round-trips.test: counts the fsync calls of a journal on tmpfs
	strace
)
[ "${HOSTFISH_DEPS_EXTRA:-}" ] && read -r -a extra <<<"$HOSTFISH_DEPS_EXTRA" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
