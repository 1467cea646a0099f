#!/usr/bin/env bash
# The programs the test suite drives as real clients, installed from Debian's packages when missing:
# Chromium renders the HTML report, LibreOffice Calc (headless) opens and saves workbooks as an official
# would, a CJK font draws the report's Chinese labels. `npm test` and `npm run coverage` run this first
# (npm's pre-scripts), so the README's test command does all the set-up on a fresh machine.
set -euo pipefail
# Asked of the package database, not of the files: /usr/bin/soffice stays when only libreoffice-calc goes.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need=()
for package in chromium libreoffice-calc fonts-wqy-zenhei; do
  installed "$package" || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "test tools: installing ${need[*]} from Debian's packages" >&2
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "test tools: ${need[*]} missing; install them as root: apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
