#!/usr/bin/env bash
# Runs every test: the module's packages, and the demo-data generator's
# tests, which live under testdata/ where ./... does not reach. With a C
# compiler present, the race detector is on too.
set -euo pipefail
cd "$(dirname "$0")"
race=()
if [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC)" >/dev/null 2>&1; then
  race=(-race)
fi
go test "${race[@]}" "$@" ./... ./testdata/coopfeed/
