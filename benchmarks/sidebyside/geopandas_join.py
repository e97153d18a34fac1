"""geopandas runner: spatial join of the first points to the provinces.

    /usr/bin/python3 geopandas_join.py DIR PROVINCES.geojson ROWS

Reads the first ROWS rows of DIR/points.csv, joins them to the provinces
(predicate "within", R-tree index), writes DIR/provinces_geopandas.csv
(code,count) and appends to DIR/timings.tsv.
"""
import os
import sys
import time

import geopandas as gpd
import pandas as pd


def main():
    d, prov_path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def timing(task, step, s, n):
        with open(os.path.join(d, "timings.tsv"), "a") as f:
            f.write(f"{task}\tgeopandas {gpd.__version__}\t{step}\t{s:.6f}\t{n}\t1\n")

    t0 = time.perf_counter()
    df = pd.read_csv(os.path.join(d, "points.csv"), nrows=rows, dtype={"id": "int64", "lon": "float64", "lat": "float64"})
    timing("load", "pandas read_csv", time.perf_counter() - t0, len(df))

    prov = gpd.read_file(prov_path)[["code", "geometry"]].set_crs("EPSG:4326", allow_override=True)

    t0 = time.perf_counter()
    pts = gpd.GeoDataFrame(df[["id"]], geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")
    joined = gpd.sjoin(pts, prov, how="inner", predicate="within")
    counts = joined.groupby("code").size()
    s = time.perf_counter() - t0
    timing("provinces", "points_from_xy + sjoin(within) + groupby", s, len(df))

    with open(os.path.join(d, "provinces_geopandas.csv"), "w") as f:
        f.write("code,count\n")
        for code, c in sorted(counts.items()):
            f.write(f"{code},{c}\n")
    print(f"geopandas {gpd.__version__}: {len(df)} points, {len(joined)} matches, {s:.2f}s")


if __name__ == "__main__":
    main()
