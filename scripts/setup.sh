#!/usr/bin/env bash
# Everything a fresh Debian 12 (or 13) machine with Node 20 needs before `npm run demo` and a
# full `npm test`: the Debian packages the namespace lab and native builds use, the npm
# dependencies, the build. Safe to run again: it installs only packages that are missing.
# .ci/run calls it too, so CI and the README cannot drift apart.
#
#   ./scripts/setup.sh                   as root (sudo): packages, npm ci, build
#   ./scripts/setup.sh --print-packages  the Debian packages, one line (no root needed)
set -euo pipefail
cd "$(dirname "$0")/.."

# The lab: iproute2 (namespaces, veth, bridges), nftables (forwarding and loss in the lab),
# tcpdump and tshark (frame captures), iputils-ping and iputils-arping (the client's probes),
# keepalived (the yardstick in the benchmark and VRRP interop), prometheus (promtool checks
# the rules), systemd (systemd-analyze verifies the unit; nothing is started), openssl (the
# heartbeat TLS tests' throwaway CA), curl (HTTP through a VIP), procps and util-linux (ps,
# setpriv and nsenter in tests that drop capabilities), bird2 (routed mode: BIRD on the routed
# lab's router and nodes, `bird -p` on the example configs). dpkg-dev (dpkg-shlibdeps, strip),
# lintian, adduser and man-db: the Debian package is built, linted, installed, read and purged.
# chromium: the web view's test drives the system browser headless (playwright-core downloads
# none). strace: slows a daemon's netlink calls so a test can kill it in mid-takeover.
LAB_PACKAGES=(iproute2 keepalived tcpdump tshark nftables iputils-ping iputils-arping prometheus
  procps systemd openssl curl util-linux dpkg-dev lintian adduser man-db chromium strace bird2)
# Native addons without a prebuilt binary for this machine are compiled by node-gyp.
BUILD_PACKAGES=(g++ make python3)
PACKAGES=("${LAB_PACKAGES[@]}" "${BUILD_PACKAGES[@]}")

if [[ ${1:-} == --print-packages ]]; then
  echo "${PACKAGES[*]}"
  exit 0
fi

fail() {
  echo "setup: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "run it as root (sudo ./scripts/setup.sh): it installs Debian packages, and the lab builds network namespaces"
command -v apt-get >/dev/null || fail "needs apt-get: this script sets up Debian 12 or 13"
command -v node >/dev/null || fail "needs Node.js 20.9 or later on PATH (Debian 13: apt-get install nodejs; Debian 12 ships 18: use NodeSource's node_20.x)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)' ||
  fail "needs Node.js 20.9 or later, found $(node --version) (Debian 13: apt-get install nodejs; Debian 12 ships 18: use NodeSource's node_20.x)"

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages: all ${#PACKAGES[@]} present"
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund
echo "setup: building (tsc -b)"
npx tsc -b
echo "setup: done; next: npm run demo (as root), npm test"
