#!/usr/bin/env bash
# System packages the checks and tests use beyond Python, Java and Maven (Debian packages):
# docker-compose validates docker-compose.yml without an engine; prometheus is the real server
# the observability test scrapes with; chromium and chromium-driver are the headless browser the
# review console's browser test drives (selenium). Installed only when missing.
set -euo pipefail
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
