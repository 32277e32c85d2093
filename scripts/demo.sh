#!/usr/bin/env bash
# The main job on the shipped samples, no server needed: upgrade a 7.6 Combined
# Active Roles database (a bundle in testdata/) to 8.2 with one command
# (arupgrade upgrade: plan, then configuration, services, history, sites) and
# show the result.
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
# Review first: every check of every step, the new databases' names, the steps; no secrets in the plan.
bin/arupgrade upgrade --source "$sample.arbundle" --destination "$out" --key-backup "$sample.key" \
  --key-password-file "$sample.keypass.txt" --services-server ars82.corp.example.com --all-websites \
  --plan-path "$out/upgrade-plan.json" --what-if --log-file "$log"
# Run exactly that plan: configuration, services association, history, principals, Web Interface sites.
bin/arupgrade upgrade --plan-path "$out/upgrade-plan.json" --key-password-file "$sample.keypass.txt" --log-file "$log"
# A second run does nothing and says so (an interrupted one would continue with its first unfinished step).
bin/arupgrade upgrade --plan-path "$out/upgrade-plan.json" --key-password-file "$sample.keypass.txt" --log-file "$log"
bin/arupgrade inspect --source "$out/ActiveRoles820.arbundle" --log-file "$log"
bin/arupgrade inspect --source "$out/ActiveRoles820_MH.arbundle" --log-file "$log"
set +x
echo "Upgraded databases and the log are in $out"
