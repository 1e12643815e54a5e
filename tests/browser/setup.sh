#!/usr/bin/env bash
# Install the npm packages the browser tests use (tests/browser/package.json:
# axe-core, puppeteer-core) into tests/browser/node_modules, which git
# ignores. Nothing is installed when the pinned versions are there already.
# Chromium itself is Debian's (scripts/deps.sh): puppeteer-core downloads no
# browser.
set -eu
cd "$(dirname "$0")"
have() { node -e "process.exit(require('./node_modules/$1/package.json').version === require('./package.json').dependencies['$1'] ? 0 : 1)" 2>/dev/null; }
if have axe-core && have puppeteer-core; then exit 0; fi
echo "quire: installing npm packages for the browser tests" >&2
npm install --no-save --no-audit --no-fund --no-package-lock --prefix . >/dev/null
