#!/usr/bin/env bash
# Install the Debian packages Quire needs to build, test and run, skipping
# what is present. Runs apt-get update once before the first install; uses
# sudo when not root. Safe to run repeatedly.
#
# OPTIONAL packages serve only `make bench` (python3-reportlab: the peer
# Quire is timed against). They are installed the same way, but a failure
# there is reported and does not fail the script: the bench then measures
# Quire alone and says why.
#
# chromium, tidy, nodejs and npm test the HTML copy of a paper in a real
# browser (tests/e2e/html.sh; its npm packages go into
# tests/browser/node_modules, tests/browser/setup.sh). libmicrohttpd-dev
# serves `quire watch --serve`; curl tests that server (tests/e2e/serve.sh).
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev valgrind
libhpdf-dev libcjson-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libcmocka-dev libunibreak-dev libhyphen-dev hyphen-en-gb libfontconfig-dev
libharfbuzz-dev libpng-dev fonts-liberation2 fonts-dejavu-core
poppler-utils qpdf icc-profiles-free python3 python3-pikepdf jq libdeflate-dev
libqpdf-dev zlib1g-dev libmicrohttpd-dev
chromium tidy curl"
OPTIONAL="python3-reportlab"

missing() { # PACKAGE... -> those not installed
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            echo "$p"
        fi
    done
}
# shellcheck disable=SC2086
need=$(missing $PKGS | tr '\n' ' ')
# Node.js and npm may come from elsewhere (NodeSource bundles npm, and
# Debian's npm cannot be installed beside it): only when the commands are
# missing are Debian's packages wanted.
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
# shellcheck disable=SC2086
want=$(missing $OPTIONAL | tr '\n' ' ')
[ -z "$need$want" ] && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ -n "$need" ]; then
    echo "quire: installing Debian packages: $need" >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
if [ -n "$want" ]; then
    echo "quire: installing Debian packages for make bench: $want" >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null ||
        echo "quire: could not install $want: make bench will measure Quire alone" >&2
fi
