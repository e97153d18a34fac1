#!/usr/bin/env bash
# Side-by-side benchmark: lomsong against PostgreSQL + PostGIS, DuckDB,
# h3-js and geopandas on the same generated measurement points over
# Vietnam's extent. Checks that the tools' results agree, then prints rows
# per second and the ratio to lomsong, and updates RESULTS.md beside this
# script (one section per row count). Exits non-zero if results that must
# be identical differ.
#
#   benchmarks/sidebyside/run.sh [-n ROWS] [-seed S] [-results FILE] [-keep]
#
# -n        rows (default 20000000)
# -seed     generator seed (default 1)
# -results  Markdown file to update (default RESULTS.md beside this
#           script; "" for none, as CI does at its tiny size)
# -keep     keep the working directory (points, results, timings)
#
# Installs what is missing (Debian packages, npm ci in node/), starts a
# PostgreSQL server on a unix socket in a temporary directory and stops it
# on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=20000000
seed=1
keep=0
results="$here/RESULTS.md"
cmdline="benchmarks/sidebyside/run.sh $*"
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-seed) seed=$2; shift 2 ;;
	-results) results=$2; shift 2 ;;
	-keep) keep=1; shift ;;
	*) echo "usage: $0 [-n ROWS] [-seed S] [-results FILE] [-keep]" >&2; exit 2 ;;
	esac
done
geopandas_rows=$((n < 1000000 ? n : 1000000))
provinces="$root/geodata/data/vn_provinces_2019_naturalearth.geojson"
pgbin=/usr/lib/postgresql/15/bin

log() { printf '== %s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# --- installs ---------------------------------------------------------------
need=()
for p in postgresql-15 postgresql-15-postgis-3 python3-geopandas python3-rtree bc; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "apt-get install ${need[*]}"
	sudo_=""
	[ "$(id -u)" -eq 0 ] || sudo_=sudo
	$sudo_ apt-get update -q
	$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if ! (cd "$here/node" && npm ls --silent >/dev/null 2>&1); then
	log "npm ci"
	(cd "$here/node" && npm ci --no-audit --no-fund --silent)
fi

# --- working directory and clean-up ----------------------------------------
work=$(mktemp -d /tmp/lomsong-sidebyside.XXXXXX)
chmod 755 "$work"
pgdir=""
cleanup() {
	if [ -n "$pgdir" ] && [ -f "$pgdir/data/postmaster.pid" ]; then
		runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null || true
	fi
	[ -n "$pgdir" ] && rm -rf "$pgdir"
	if [ "$keep" -eq 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- machine ----------------------------------------------------------------
{
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores visible (shared with other jobs)"
	echo "memory: $(free -g | awk '/^Mem:/{print $2}') GiB; OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
	echo "Go: $(go version | awk '{print $3}'); Node.js: $(node --version)"
	echo "PostgreSQL: $("$pgbin/postgres" --version | awk '{print $3}'), PostGIS $(dpkg-query -W -f '${Version}' postgresql-15-postgis-3)"
	echo "DuckDB (@duckdb/node-api): $(cd "$here/node" && node -p "require('@duckdb/node-api/package.json').version"); h3-js: $(cd "$here/node" && node -p "require('h3-js/package.json').version")"
	echo "geopandas: $(/usr/bin/python3 -c 'import geopandas, shapely, pandas; print(geopandas.__version__, "(shapely", shapely.__version__ + ", pandas", pandas.__version__ + ")")')"
} >"$work/machine.txt"

# --- data and lomsong ---------------------------------------------------------
log "build"
(cd "$root" && go build -o "$work/sidebyside" ./benchmarks/sidebyside)
log "generate $n points"
"$work/sidebyside" gen -n "$n" -seed "$seed" -dir "$work"
chmod 644 "$work"/points.*
log "lomsong"
"$work/sidebyside" lomsong -dir "$work"

# --- h3-js and DuckDB ---------------------------------------------------------
log "h3-js"
node "$here/node/h3.mjs" "$work" 8
log "DuckDB"
node "$here/node/duckdb.mjs" "$work"

# --- PostgreSQL + PostGIS -----------------------------------------------------
log "PostgreSQL + PostGIS"
pgdir=$(mktemp -d /tmp/lomsong-pg.XXXXXX)
chown postgres "$pgdir"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres --no-sync >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start -o \
	"-c listen_addresses='' -c unix_socket_directories='$pgdir' -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=1GB -c max_wal_size=8GB" >/dev/null
psql() { runuser -u postgres -- /usr/bin/psql -h "$pgdir" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
pgver="PostGIS $(dpkg-query -W -f '${Version}' postgresql-15-postgis-3 | cut -d+ -f1)"
# workers QUERY: the processes the planner gives QUERY (leader + workers).
workers() { echo $(( $(psql -Atc "EXPLAIN $1" | sed -n 's/.*Workers Planned: \([0-9]*\).*/\1/p' | sort -n | tail -1) + 1 )); }
pgtime() { # task step rows threads SQL...
	local task=$1 step=$2 rows=$3 threads=$4 t0 t1
	shift 4
	t0=$(now)
	psql "$@"
	t1=$(now)
	printf '%s\t%s\t%s\t%.6f\t%s\t%s\n' "$task" "$pgver" "$step" "$(secs "$t0" "$t1")" "$rows" "$threads" >>"$work/timings.tsv"
}
cp "$provinces" "$work/provinces.geojson"
chmod 644 "$work/provinces.geojson"
psql -c 'CREATE EXTENSION postgis' -c 'CREATE TABLE pts (id integer, lon float8, lat float8)'
pgtime load "COPY from CSV" "$n" 1 -c '\copy pts FROM STDIN (FORMAT csv, HEADER true)' <"$work/points.csv"
psql -c 'ANALYZE pts'
{
	printf '\\set gj `cat %s`\n' "$work/provinces.geojson"
	cat <<'SQL'
CREATE TABLE prov AS
  SELECT f->'properties'->>'code' AS code, ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326) AS geom
  FROM jsonb_array_elements((:'gj')::jsonb->'features') AS f;
CREATE INDEX ON prov USING gist (geom);
ANALYZE prov;
SQL
} | psql
pgtime provinces "point geometry column + GiST index" "$n" 1 \
	-c 'CREATE TABLE ptsg AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM pts' \
	-c 'CREATE INDEX ON ptsg USING gist (geom)' -c 'ANALYZE ptsg'
join='SELECT p.code, count(*) AS count FROM prov p JOIN ptsg g ON ST_Contains(p.geom, g.geom) GROUP BY p.code'
pgtime provinces "ST_Contains join + GROUP BY (GiST on both)" "$n" "$(workers "$join")" \
	-c "CREATE TABLE prov_counts AS $join"
grid='SELECT floor(lon * 100)::integer AS gx, floor(lat * 100)::integer AS gy, count(*) AS count FROM pts GROUP BY 1, 2'
pgtime grid "0.01° grid GROUP BY" "$n" "$(workers "$grid")" -c "CREATE TABLE grid AS $grid"
psql -c "\\copy (SELECT code, count FROM prov_counts ORDER BY code) TO STDOUT (FORMAT csv, HEADER true)" >"$work/provinces_postgis.csv"
psql -c "\\copy (SELECT p.code, count(*) AS count FROM prov p JOIN ptsg g ON ST_Contains(p.geom, g.geom) WHERE g.id <= $geopandas_rows GROUP BY p.code ORDER BY p.code) TO STDOUT (FORMAT csv, HEADER true)" >"$work/provinces_postgis_prefix.csv"
psql -c "\\copy (SELECT gx, gy, count FROM grid ORDER BY gx, gy) TO STDOUT (FORMAT csv, HEADER true)" >"$work/grid_postgis.csv"
psql -c "EXPLAIN $join" >"$work/postgis_plan.txt"
# Points exactly on a province's boundary, where ST_Contains (and sjoin's
# "within") says no and a closed point-in-polygon test may say yes.
psql -c "\\copy (SELECT g.id, ST_X(g.geom) AS lon, ST_Y(g.geom) AS lat, p.code FROM prov p JOIN ptsg g ON ST_Intersects(ST_Boundary(p.geom), g.geom) ORDER BY g.id, p.code) TO STDOUT (FORMAT csv, HEADER true)" >"$work/boundary_points_postgis.csv"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
rm -rf "$pgdir"
pgdir=""

# --- geopandas ----------------------------------------------------------------
log "geopandas ($geopandas_rows rows)"
/usr/bin/python3 "$here/geopandas_join.py" "$work" "$provinces" "$geopandas_rows"

# --- checks and table -----------------------------------------------------------
log "report"
"$work/sidebyside" report -dir "$work" -out "$results" -cmd "$cmdline" -seed "$seed"
