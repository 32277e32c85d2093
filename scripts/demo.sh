#!/usr/bin/env bash
# The main job on the shipped samples, no server needed: upgrade a 7.6 Combined
# Active Roles database (a bundle in testdata/) to 8.2 — configuration with its
# key backup, then Management History — and show the result.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p bin
go build -o bin/arupgrade ./cmd/arupgrade
out=${1:-$(mktemp -d)}
mkdir -p "$out"
sample=testdata/sample-7.6-combined
log="$out/demo.log"
set -x
bin/arupgrade inspect --source "$sample.arbundle" --log-file "$log"
bin/arupgrade import-configuration --source "$sample.arbundle" --destination "$out/ActiveRoles820.arbundle" --create-destination \
  --key-backup "$sample.key" --key-password-file "$sample.keypass.txt" --services-server ars82.corp.example.com \
  --skip-principals --log-file "$log"
bin/arupgrade import-history --source "$sample.arbundle" --destination "$out/ActiveRoles820_MH.arbundle" --create-destination \
  --skip-principals --log-file "$log"
# A second run adds nothing: every record is already there exactly once.
bin/arupgrade import-history --source "$sample.arbundle" --destination "$out/ActiveRoles820_MH.arbundle" \
  --skip-principals --log-file "$log"
bin/arupgrade inspect --source "$out/ActiveRoles820.arbundle" --log-file "$log"
bin/arupgrade inspect --source "$out/ActiveRoles820_MH.arbundle" --log-file "$log"
set +x
echo "Upgraded databases and the log are in $out"
