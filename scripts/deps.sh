#!/usr/bin/env bash
# Install the Debian packages Quire needs to build, test and run, skipping
# what is present. Runs apt-get update once before the first install; uses
# sudo when not root. Safe to run repeatedly. chromium, tidy, nodejs and npm
# test the HTML copy of a paper in a real browser (tests/e2e/html.sh; its
# npm packages go into tests/browser/node_modules, tests/browser/setup.sh).
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev valgrind
libhpdf-dev libcjson-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libcmocka-dev libunibreak-dev libhyphen-dev hyphen-en-gb libfontconfig-dev
libharfbuzz-dev libpng-dev fonts-liberation2 fonts-dejavu-core
poppler-utils qpdf icc-profiles-free python3 python3-pikepdf jq libdeflate-dev
chromium tidy"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
# Node.js and npm may come from elsewhere (NodeSource bundles npm, and
# Debian's npm cannot be installed beside it): only when the commands are
# missing are Debian's packages wanted.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "quire: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
