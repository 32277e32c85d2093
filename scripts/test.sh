#!/usr/bin/env bash
# Runs every test: go vet, staticcheck, go test -race, the Windows DLL export check, and Pester.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
pwsh -NoProfile -File ./build.ps1 -Task Test
