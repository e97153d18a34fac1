#!/usr/bin/env bash
# Dead-zone accuracy against measurement density: runs `lomsong demo` on the
# same province and seed at several measurement densities and tabulates the
# precision, recall and F1 of the dead-zone villages found (on all villages
# and on the decidable ones) and the Brier score of their P(dead), against the
# demo generator's ground truth (evaluation.json). With --miss-costs it then
# reruns `lomsong deadzones --miss-cost C` on density 1's dataset (else the
# first density's) for each C and tabulates the same figures (the cut on
# P(dead) is 1/(1+C)).
#
#   bash benchmarks/deadzones/sweep.sh [--province CODE] [--seed N] [--results FILE]
#       [--miss-costs "C1 C2 ..."] [DENSITY...]
#
# Writes the tables to stdout and to benchmarks/deadzones/RESULTS.md
# (--results FILE for another file, relative to the repository root;
# --results "" for none, as CI does with one small density).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
province=12
seed=1
densities=()
out="benchmarks/deadzones/RESULTS.md"
misscosts=""
while [ $# -gt 0 ]; do
  case "$1" in
    --province) province="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --results) out="$2"; shift 2 ;;
    --miss-costs) misscosts="$2"; shift 2 ;;
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
  mc=""
  [ -z "$misscosts" ] || mc=" --miss-costs \"$misscosts\""
  echo "Command: \`bash benchmarks/deadzones/sweep.sh --province $province --seed $seed$mc ${densities[*]}\` ($(date -u +%Y-%m-%d))."
  echo "Each row is one \`lomsong demo --province $province --seed $seed --density D\` run; the same world"
  echo "(villages, sites, true signal) at every density, only the number of drive and crowd tests changes."
  echo "Precision, recall and F1 compare the villages the engine finds without 3G/4G with the generator's"
  echo "true dead-zone villages (no carrier's true signal at the village point reaches the threshold);"
  echo "decidable F1 counts only the villages whose true best 3G/4G margin is at least 3 dB from the"
  echo "threshold; Brier is the mean squared error of P(dead) over every village. The oracle's columns"
  echo "are the same scores of the oracle's verdicts (evaluation.json oracle_dead_zone_villages): it knows"
  echo "the true sites, terrain and shadowing model and sees the same exact readings — the best the"
  echo "tests allow (a lower bound on it: it leaves the no-service rows and camping out)."
  echo
  echo "| density | measurements | true dead-zone villages | found | correct | precision | recall | F1 | decidable F1 | Brier | oracle F1 | oracle decidable F1 | oracle Brier |"
  echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
} > "$work/table.md"
for d in "${densities[@]}"; do
  "$work/lomsong" demo --province "$province" --seed "$seed" --density "$d" --out "$work/d$d" > "$work/d$d.log" 2>&1
  rows=$(grep -o 'measurements.csv \[csv, measurements\]: [0-9]* rows' "$work/d$d.log" | grep -o '[0-9]* rows' | cut -d' ' -f1)
  /usr/bin/python3 - "$work/d$d/evaluation.json" "$d" "$rows" >> "$work/table.md" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
e, o = ev["dead_zone_villages"], ev["oracle_dead_zone_villages"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {e['true_dead_zone_villages']} | {e['found_without_signal']} | {e['correct']} "
      f"| {e['precision']:.3f} | {e['recall']:.3f} | {e['f1']:.3f} | {e['decidable']['f1']:.3f} | {e['brier']:.4f} "
      f"| {o['f1']:.3f} | {o['decidable']['f1']:.3f} | {o['brier']:.4f} |")
PY
done
if [ -n "$misscosts" ]; then
  # density 1 (the demo's default) when it was run, else the first
  d="${densities[0]}"
  for x in "${densities[@]}"; do [ "$x" != 1 ] || d=1; done
  {
    echo
    echo "## The cut on P(dead): \`lomsong deadzones --miss-cost C\`"
    echo
    echo "Density $d's dataset, its dead-zone stage rerun for each C (cut 1/(1+C); C = 1 is the default 0.5)."
    echo
    echo "| miss cost C | cut | found | correct | precision | recall | F1 | decidable F1 |"
    echo "|--:|--:|--:|--:|--:|--:|--:|--:|"
  } >> "$work/table.md"
  for c in $misscosts; do
    "$work/lomsong" deadzones --dataset "$work/d$d/dataset" --boundaries provinces2025 --province "$province" \
      --miss-cost "$c" --out "$work/mc$c" > "$work/mc$c.log" 2>&1
    /usr/bin/python3 - "$work/mc$c/villages.csv" "$work/d$d/truth/village_truth.csv" "$c" >> "$work/table.md" <<'PY'
import csv, sys
found = {r["village_id"]: r["without_signal"] == "true" for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
truth = {r["village_id"]: r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"))}
def score(keep):
    tp = fp = fn = 0
    for v, f in found.items():
        if not keep(truth[v]):
            continue
        t = truth[v]["dead_zone"] == "true"
        tp += f and t
        fp += f and not t
        fn += t and not f
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return tp + fp, tp, p, r, 2 * p * r / (p + r) if p + r else 0.0
n, tp, p, r, f1 = score(lambda t: True)
fd = score(lambda t: abs(float(t["best_3g4g_margin_db"])) >= 3)[4]
c = float(sys.argv[3])
print(f"| {sys.argv[3]} | {1 / (1 + c):.3f} | {n} | {tp} | {p:.3f} | {r:.3f} | {f1:.3f} | {fd:.3f} |")
PY
  done
fi
cat "$work/table.md"
[ -z "$out" ] || cp "$work/table.md" "$out"
