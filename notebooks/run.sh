#!/usr/bin/env bash
# Runs every notebook in notebooks/ top to bottom against a fresh demo world.
#
#   bash notebooks/run.sh            (from the repository root, or from anywhere)
#
# 1. Installs Debian's Jupyter and Python packages when /usr/bin/jupyter, jupyter-nbconvert or
#    one of the Python modules is missing (apt-get, as root or through sudo).
# 2. Runs the demo into a temporary directory, or uses $LOMSONG_DEMO_DIR when it is set (exit 2
#    when that folder holds no demo output). The demo is run by $LOMSONG when it names a lomsong
#    binary, else by `go run ./cmd/lomsong` in a source checkout (the default), else by the
#    `lomsong` on PATH (exit 2 when none of them is there).
# 3. Executes each notebook with nbconvert into that temporary directory (never into the
#    repository) and exits non-zero if any notebook fails (a cell raises, or an executed cell
#    holds an error output, e.g. from displaying its figure, writes to stderr, e.g. a
#    library's warning, or shows NaN in a table or printed line) or a committed notebook has
#    outputs.
#
# Prints the time each step took. Works with no standard input (CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# relative paths in LOMSONG and LOMSONG_DEMO_DIR are the caller's, not the repository root's
if [[ "${LOMSONG:-}" == */* && "$LOMSONG" != /* ]]; then LOMSONG="$PWD/$LOMSONG"; fi
if [[ -n "${LOMSONG_DEMO_DIR:-}" && "$LOMSONG_DEMO_DIR" != /* ]]; then LOMSONG_DEMO_DIR="$PWD/$LOMSONG_DEMO_DIR"; fi
cd "$ROOT"

PY=/usr/bin/python3
JUPYTER=/usr/bin/jupyter
APT_PACKAGES=(jupyter-notebook jupyter-nbconvert python3-nbconvert python3-pandas python3-geopandas
              python3-matplotlib python3-scipy python3-ipykernel)
MODULES="pandas, geopandas, matplotlib, scipy, nbconvert, nbformat, ipykernel"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

have_tools() {
  [[ -x "$JUPYTER" && -x "$JUPYTER-nbconvert" && -x "$PY" ]] && "$PY" -c "import $MODULES" >/dev/null 2>&1
}

# --- 1. install --------------------------------------------------------------------------
t=$(now)
if have_tools; then
  echo "notebooks: Jupyter and the Python packages are installed"
else
  echo "notebooks: installing ${APT_PACKAGES[*]} (apt-get)"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      echo "notebooks: need root or password-less sudo to install: apt-get install ${APT_PACKAGES[*]}" >&2
      exit 1
    fi
  fi
  APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
  apt_log=$(mktemp)
  if ! { "${APT[@]}" update -qq &&
         "${APT[@]}" install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${APT_PACKAGES[@]}"; } \
       </dev/null >"$apt_log" 2>&1; then
    tail -n 40 "$apt_log" >&2
    echo "notebooks: apt-get failed (full log: $apt_log)" >&2
    exit 1
  fi
  rm -f "$apt_log"
  if ! have_tools; then
    echo "notebooks: still missing $JUPYTER or one of: $MODULES" >&2
    exit 1
  fi
fi
echo "notebooks: install step took $(since "$t") s"

# --- committed notebooks must have no outputs ----------------------------------------------
"$PY" - notebooks/*.ipynb <<'PYEOF'
import sys, nbformat
bad = [p for p in sys.argv[1:]
       if any(c.get("outputs") or c.get("execution_count") for c in nbformat.read(p, as_version=4).cells
              if c.cell_type == "code")]
if bad:
    sys.exit("notebooks: clear the outputs before committing: " + " ".join(bad)
             + " (see notebooks/README.md, 'Keeping diffs small')")
PYEOF

# --- 2. demo -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lomsong-notebooks.XXXXXX")
OUT="$WORK/executed"
mkdir -p "$OUT"
if [[ -n "${LOMSONG_DEMO_DIR:-}" ]]; then
  # A folder given that is not a demo's output is a mistake, not a reason
  # to run another demo in its place.
  if [[ ! -f "${LOMSONG_DEMO_DIR}/plan/plan.json" ]]; then
    echo "notebooks: LOMSONG_DEMO_DIR=$LOMSONG_DEMO_DIR holds no demo output (no plan/plan.json): give the folder lomsong demo --out wrote, or unset it" >&2
    exit 2
  fi
  DEMO=$(cd "$LOMSONG_DEMO_DIR" && pwd)
  echo "notebooks: using the demo output in $DEMO"
else
  DEMO="$WORK/lomsong-demo"
  if [[ -n "${LOMSONG:-}" ]]; then
    # a binary given is used or refused, never replaced by another lomsong
    if ! LOMSONG_BIN=$(command -v -- "$LOMSONG") || [[ ! -f "$LOMSONG_BIN" || ! -x "$LOMSONG_BIN" ]]; then
      echo "notebooks: LOMSONG=$LOMSONG is not an executable lomsong binary: give its path, or unset it" >&2
      exit 2
    fi
    RUN_LOMSONG=("$LOMSONG_BIN")
  elif [[ -f go.mod && -d cmd/lomsong ]] && command -v go >/dev/null; then
    RUN_LOMSONG=(go run ./cmd/lomsong)
  elif LOMSONG_BIN=$(command -v lomsong); then
    RUN_LOMSONG=("$LOMSONG_BIN")
  else
    echo "notebooks: no lomsong to run the demo with: set LOMSONG=/path/to/lomsong, put lomsong on PATH," \
         "run from a source checkout with Go installed, or set LOMSONG_DEMO_DIR to a demo's output" >&2
    exit 2
  fi
  t=$(now)
  echo "notebooks: ${RUN_LOMSONG[*]} demo --out $DEMO"
  if ! "${RUN_LOMSONG[@]}" demo --out "$DEMO" </dev/null >"$WORK/demo.log" 2>&1; then
    tail -n 40 "$WORK/demo.log" >&2
    echo "notebooks: the demo failed (log: $WORK/demo.log)" >&2
    exit 1
  fi
  echo "notebooks: demo took $(since "$t") s"
fi
export LOMSONG_DEMO_DIR="$DEMO"

# --- 3. notebooks --------------------------------------------------------------------------
export PYDEVD_DISABLE_FILE_VALIDATION=1 # quiets the kernel's debugger warning
# Matplotlib's first import on a machine builds its font cache and says so on stderr: built
# here, so that no notebook's first figure cell carries that line (stderr fails a notebook).
"$PY" -c "import matplotlib.pyplot" </dev/null >/dev/null 2>&1 || true
failed=()
t_all=$(now)
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  t=$(now)
  # /usr/bin first so that the kernel and its tools are Debian's, not another python3 on PATH
  # nbconvert stops at a cell that raises, but an error raised while a cell's result is
  # displayed (a figure too large to draw, a failing repr) is only recorded as an error
  # output and the cell counts as run: the executed notebook is searched for those too.
  if PATH="/usr/bin:$PATH" "$PY" -m nbconvert --to notebook --execute \
       --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
       --output-dir "$OUT" "$nb" </dev/null >"$OUT/$name.log" 2>&1 &&
     "$PY" - "$OUT/$name.ipynb" >>"$OUT/$name.log" 2>&1 <<'PYEOF'
import re, sys, nbformat
path = sys.argv[1]
cells = [(i, c) for i, c in enumerate(nbformat.read(path, as_version=4).cells) if c.cell_type == "code"]
errors = [(i, o) for i, c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
for i, o in errors:
    print("\n".join(o.get("traceback", [])[-3:]))
    print(f"notebooks: cell {i} of {path} has an error output: {o.get('ename')}: {o.get('evalue')}")
# A warning a cell prints (a library's UserWarning) shows in the reader's notebook as a red box
# beside the figure: it fails the run as an error does.
warnings = [(i, o) for i, c in cells for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]
for i, o in warnings:
    print(o.get("text", "").rstrip())
    print(f"notebooks: cell {i} of {path} writes to stderr (above)")
# A value shown as NaN leaves the reader to guess whether it means none, unknown or a fault: a
# notebook says which (fillna) before it displays a table or prints a figure.
nans = [(i, t) for i, c in cells for o in c.get("outputs", [])
        for t in [o.get("text", "") if o.get("output_type") == "stream" else o.get("data", {}).get("text/plain", "")]
        if re.search(r"\bNaN\b", "".join(t))]
for i, t in nans:
    print("".join(t).rstrip()[:2000])
    print(f"notebooks: cell {i} of {path} shows NaN (above): say none or unknown instead")
sys.exit(1 if errors or warnings or nans else 0)
PYEOF
  then
    echo "notebooks: $name ok ($(since "$t") s)"
  else
    failed+=("$name")
    grep -v '^0.00s' "$OUT/$name.log" | tail -n 30 >&2
    echo "notebooks: $name FAILED ($(since "$t") s, log: $OUT/$name.log)" >&2
  fi
done
echo "notebooks: executing took $(since "$t_all") s; executed notebooks in $OUT"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "notebooks: ${#failed[@]} failed: ${failed[*]} (demo output kept in $DEMO)" >&2
  exit 1
fi
# keep the executed notebooks, drop the demo world (about 45 MB) when this script made it
if [[ "$DEMO" == "$WORK/lomsong-demo" ]]; then
  rm -rf "$DEMO"
fi
echo "notebooks: all $(ls notebooks/*.ipynb | wc -l) notebooks ran"
