#!/usr/bin/env bash
# The programs the test suite drives as real clients, installed from Debian's packages when missing:
# Chromium renders the HTML report, LibreOffice Calc (headless) opens and saves workbooks as an official
# would, a CJK font draws the report's Chinese labels. `npm test` and `npm run coverage` run this first
# (npm's pre-scripts), so the README's test command does all the set-up on a fresh machine.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/soffice ] || need+=(libreoffice-calc)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
[ ${#need[@]} -eq 0 ] && exit 0
echo "test tools: installing ${need[*]} from Debian's packages" >&2
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "test tools: ${need[*]} missing; install them as root: apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
