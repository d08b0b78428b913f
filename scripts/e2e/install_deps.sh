#!/usr/bin/env bash
# Installs what the real-firmware suite needs, only if missing (Debian 12, run as root).
# `apt-get update` runs only when the package lists are empty or an install fails without it.
set -euo pipefail

PACKAGES=(
  qemu-system-x86 ovmf ipxe ipxe-qemu dnsmasq-base tcpdump
  ovmf-ia32 qemu-system-arm qemu-efi-aarch64
  python3 iproute2
)

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "e2e deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Cannot install e2e deps: not root; missing: ${missing[*]}" >&2
  exit 1
fi

echo "e2e deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends "${missing[@]}"; }
if ! compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null; then
  apt-get update -q
  install
elif ! install; then
  apt-get update -q
  install
fi
