#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (as root, the way
# CI and the development machines run): openssl for the test bed's certificates, xmllint for
# JUnit XML schema checks, prometheus and promtool for the cost tests' real Prometheus,
# prometheus-alertmanager for the incident intake test, PostgreSQL for the store tests, chromium
# for the dashboard's browser tests ($CHROMIUM_PATH, default /usr/bin/chromium). Go (for the
# control plane build) is checked by test/cluster/build.sh.
set -euo pipefail
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v pg_config >/dev/null || need+=(postgresql)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
[ "${#need[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test-deps: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
