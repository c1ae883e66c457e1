#!/usr/bin/env bash
# Best effort: the system tools some tests drive for real — Debian's Chromium (dashboard browser
# tests), docker-registry and skopeo (registry, signing and admission tests). Tests that need a
# missing tool skip with the reason, so a failure here never fails the run.
set -uo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: not installing ${missing[*]} (needs root and apt-get); their tests will skip" >&2
  exit 0
fi
echo "install-test-tools: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 ||
  echo "install-test-tools: could not install ${missing[*]}; their tests will skip" >&2
exit 0
