#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real parts (BGP daemons, flow
# exporters, capture decoders, PostgreSQL). Idempotent: does nothing when all are present.
# Daemons are never auto-started (policy-rc.d), and no test daemon touches the host FIB.
set -euo pipefail

PACKAGES=(
  gobgpd golang-github-osrg-gobgp-dev bird2 frr exabgp stayrtr
  softflowd pmacct tshark tcpdump hping3 iproute2 nftables
  postgresql prometheus rsyslog rsyslog-gnutls rsyslog-openssl openssl chromium fonts-dejavu-core
  systemd nats-server python3 gcc libc6-dev
)
# command (or file) that proves each package is present
CHECKS=(
  gobgpd /usr/share/gocode/src/github.com/osrg/gobgp/api/gobgp.proto bird /usr/lib/frr/bgpd exabgp stayrtr
  softflowd pmacctd tshark tcpdump hping3 ip nft
  /usr/lib/postgresql/15/bin/postgres prometheus rsyslogd /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so
  /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so openssl /usr/lib/chromium/chromium
  /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf systemd-analyze nats-server /usr/bin/python3 gcc /usr/include/stdio.h
)

missing=()
for i in "${!PACKAGES[@]}"; do
  c=${CHECKS[$i]}
  if [[ $c == /* ]]; then [[ -e $c ]] || missing+=("${PACKAGES[$i]}")
  else command -v "$c" >/dev/null 2>&1 || [[ -x /usr/sbin/$c ]] || missing+=("${PACKAGES[$i]}"); fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system-deps: all test packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

# Never let a package start its daemon (no systemd here; on a machine with one this matters).
if [[ ! -f /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: done"
