#!/usr/bin/env bash
# Dead-zone accuracy against measurement density: runs `lomsong demo` on the
# same province and seed at several measurement densities and tabulates the
# precision and recall of the dead-zone villages found, against the demo
# generator's ground truth (evaluation.json).
#
#   bash benchmarks/deadzones/sweep.sh [--province CODE] [--seed N] [--results FILE] [DENSITY...]
#
# Writes the table to stdout and to benchmarks/deadzones/RESULTS.md
# (--results FILE for another file, relative to the repository root;
# --results "" for none, as CI does with one small density).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
province=12
seed=1
densities=()
out="benchmarks/deadzones/RESULTS.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --province) province="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --results) out="$2"; shift 2 ;;
    *) densities+=("$1"); shift ;;
  esac
done
[ ${#densities[@]} -gt 0 ] || densities=(0.1 0.25 0.5 1 2 4)
work="$(mktemp -d "${TMPDIR:-/tmp}/lomsong-dz-sweep.XXXXXX")"
trap 'rm -rf "$work"' EXIT
go build -o "$work/lomsong" ./cmd/lomsong
{
  echo "# Dead-zone villages against measurement density"
  echo
  echo "Command: \`bash benchmarks/deadzones/sweep.sh --province $province --seed $seed ${densities[*]}\` ($(date -u +%Y-%m-%d))."
  echo "Each row is one \`lomsong demo --province $province --seed $seed --density D\` run; the same world"
  echo "(villages, sites, true signal) at every density, only the number of drive and crowd tests changes."
  echo "Precision and recall compare the villages the engine finds without 3G/4G with the generator's"
  echo "true dead-zone villages (no carrier's true signal at the village reaches the threshold)."
  echo
  echo "| density | measurements | true dead-zone villages | found | correct | precision | recall |"
  echo "|--:|--:|--:|--:|--:|--:|--:|"
} > "$work/table.md"
for d in "${densities[@]}"; do
  "$work/lomsong" demo --province "$province" --seed "$seed" --density "$d" --out "$work/d$d" > "$work/d$d.log" 2>&1
  rows=$(grep -o 'measurements.csv \[csv, measurements\]: [0-9]* rows' "$work/d$d.log" | grep -o '[0-9]* rows' | cut -d' ' -f1)
  /usr/bin/python3 - "$work/d$d/evaluation.json" "$d" "$rows" >> "$work/table.md" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["dead_zone_villages"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {e['true_dead_zone_villages']} | {e['found_without_signal']} | {e['correct']} | {e['precision']:.3f} | {e['recall']:.3f} |")
PY
done
cat "$work/table.md"
[ -z "$out" ] || cp "$work/table.md" "$out"
