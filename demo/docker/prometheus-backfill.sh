#!/bin/sh
# Init job of the Docker demo stack (compose service `backfill`, the prom/prometheus image, run as
# its user `nobody` so Prometheus owns what is written): turns the history that the `history`
# service wrote (HISTORY_DIR/metrics.om) into TSDB blocks in Prometheus' data volume, BEFORE
# Prometheus starts. Idempotent: a marker in the data volume makes later starts skip it.
#
#   HISTORY_DIR=/history  PROMETHEUS_DATA=/prometheus  MAX_BLOCK_DURATION=24h
#
# 24h blocks: few blocks for a few days of history, and at most 10 % of the 30-day retention as
# Prometheus recommends for backfilled blocks (promtool's default of 2h would write dozens).
set -eu
HISTORY="${HISTORY_DIR:-/history}"
DATA="${PROMETHEUS_DATA:-/prometheus}"
MARKER="$DATA/.anomalyscore-backfill"
TMP="$DATA/.backfill-tmp"

if [ -f "$MARKER" ]; then
  echo "backfill: already done ($(cat "$MARKER")); docker compose down -v starts over"
  exit 0
fi
if [ ! -f "$HISTORY/metrics.om" ]; then
  echo "backfill: $HISTORY/metrics.om not found: Prometheus starts without history (docker compose down -v starts over)" >&2
  exit 0
fi

# Write into a scratch directory and move the finished blocks in, so a failed run leaves no half
# set of blocks behind (the next start retries from metrics.om, which is only deleted on success).
rm -rf "$TMP"
mkdir -p "$TMP"
echo "backfill: promtool tsdb create-blocks-from openmetrics $HISTORY/metrics.om"
promtool tsdb create-blocks-from openmetrics --max-block-duration="${MAX_BLOCK_DURATION:-24h}" "$HISTORY/metrics.om" "$TMP"
n=0
for block in "$TMP"/*; do
  [ -e "$block" ] || continue
  mv "$block" "$DATA/"
  n=$((n + 1))
done
rm -rf "$TMP"
if [ -f "$HISTORY/history.json" ]; then
  tr -d '\n' < "$HISTORY/history.json" > "$MARKER"
else
  echo "{\"blocks\": $n}" > "$MARKER"
fi
# The OpenMetrics text is ~1.4 GB for 3 days at 15 s: do not keep it once it is in the TSDB.
rm -f "$HISTORY/metrics.om"
echo "backfill: $n blocks written to $DATA"
