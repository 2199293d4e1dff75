#!/usr/bin/env bash
# make bench: every benchmark, printed as a table of figures.
set -u
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/ingest.sh" "$build" 1000
