#!/usr/bin/env bash
# The CohortSync demo: sandbox + silo + client, end to end, in about a minute.
# Starts the sandbox (a local stand-in for Iterable and Amplitude), a silo on a throwaway SQLite file,
# enables a demo project, adds a destination, syncs two cohorts, and shows the lists and the runs.
set -euo pipefail
cd "$(dirname "$0")/.."

SANDBOX_PORT=${SANDBOX_PORT:-5380}
SILO_PORT=${SILO_PORT:-11211}
GATEWAY_PORT=${GATEWAY_PORT:-30100}
HTTP_PORT=${HTTP_PORT:-8180}
SANDBOX="http://127.0.0.1:${SANDBOX_PORT}"
GATEWAY="127.0.0.1:${GATEWAY_PORT}"
DATA=$(mktemp -d -t cohortsync-demo-XXXXXX)
LOGS="$DATA/logs"; mkdir -p "$LOGS"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Building"
dotnet build CohortSync.sln -v quiet -nologo -clp:ErrorsOnly

BIN=bin/Debug/net10.0
cohortsync() { dotnet "client/$BIN/cohortsync.dll" "$@" --gateway "$GATEWAY"; }

step "Starting the sandbox on $SANDBOX (Iterable + Amplitude stand-in, demo data)"
dotnet "src/CohortSync.Sandbox/$BIN/CohortSync.Sandbox.dll" --port "$SANDBOX_PORT" --seed demo >"$LOGS/sandbox.log" 2>&1 &
pids+=($!)

step "Starting a silo (SQLite in $DATA)"
dotnet "silo/$BIN/CohortSync.Silo.dll" --data-dir "$DATA" --silo-port "$SILO_PORT" --gateway-port "$GATEWAY_PORT" --http-port "$HTTP_PORT" >"$LOGS/silo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1 && curl -sf "$SANDBOX/api/3/cohorts" -u demo-amplitude-key:demo-amplitude-secret >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null || { echo "the silo did not start; see $LOGS/silo.log"; tail -20 "$LOGS/silo.log"; exit 1; }
for _ in $(seq 1 20); do grep -q '  try next' "$LOGS/silo.log" && break; sleep 0.25; done
sed -n '/cohortsync silo ready/,/  try next/p' "$LOGS/silo.log"

step "cohortsync project enable 1000 (Amplitude keys on standard input)"
printf 'demo-amplitude-key\ndemo-amplitude-secret\n' | cohortsync project enable 1000 --amplitude-url "$SANDBOX"

step "cohortsync destination add 1000 --name 'Demo Iterable' (Iterable key from ITERABLE_API_KEY)"
DEST=$(ITERABLE_API_KEY=demo-iterable-key cohortsync destination add 1000 --name "Demo Iterable" --iterable-url "$SANDBOX")
echo "destination: $DEST"

# Amplitude allows a project about 500 cohort downloads a month and every run is one: an hourly sync alone
# (about 720) would be refused before the month ends, and sync start would warn so. These two make about 52.
step "cohortsync sync start: two cohorts, first run at once (cadences within Amplitude's 500 downloads a month)"
STARTED=$(cohortsync sync start 1000 --cohort power-users --destination "$DEST" --cadence "cron:0 6 * * 1-5" --tz Europe/Berlin --wait)
echo "$STARTED"
CRON_SYNC=$(head -1 <<<"$STARTED")
cohortsync sync start 1000 --cohort churn-risk --destination "$DEST" --cadence daily --wait

step "cohortsync sync list 1000"
cohortsync sync list 1000

step "The lists as Iterable (the sandbox) now holds them"
curl -s "$SANDBOX/_admin/iterable/lists" -H "Api-Key: demo-iterable-key"; echo

SYNC=$(cohortsync sync list 1000 --json | grep -o '"syncId": *"[^"]*"' | head -1 | sed 's/.*"\(s-[^"]*\)"/\1/')
step "cohortsync sync status: weekdays at 06:00 in Berlin, the next three runs (UTC)"
cohortsync sync status 1000 "$CRON_SYNC"

step "cohortsync sync preview: what the next run would send (nothing is sent to see it)"
cohortsync sync preview 1000 "$SYNC"

step "Run it again: nothing changed, so nothing is sent"
cohortsync sync run 1000 "$SYNC" --wait
cohortsync sync history 1000 "$SYNC"

step "Done. Logs: $LOGS"
