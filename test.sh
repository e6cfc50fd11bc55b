#!/usr/bin/env bash
# Runs every test: the module's packages, and the demo-data generator's
# tests, which live under testdata/ where ./... does not reach.
set -euo pipefail
cd "$(dirname "$0")"
go test "$@" ./... ./testdata/coopfeed/
