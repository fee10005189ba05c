#!/usr/bin/env bash
# System packages of the image tests: a Docker engine (dockerd), debootstrap for the Debian base
# image, the reference registry server and htpasswd for its users, and Chromium, the browser the try-out
# page's tests drive (Debian's package, /usr/bin/chromium). The tests start and stop them.
set -euo pipefail
packages=(docker.io debootstrap docker-registry apache2-utils chromium)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
