#!/usr/bin/env bash
# Debian's chromium for the Playwright tests (never a downloaded browser build).
set -uo pipefail
[ -x /usr/bin/chromium ] && exit 0
[ "$(id -u)" = 0 ] || { echo "/usr/bin/chromium is missing and installing it needs root" >&2; exit 1; }
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
[ -x /usr/bin/chromium ]
