"""What the generator writes for each level, kept so that checking never builds a workbook.

Checking a returned file compares it with the official layout of its level: sheets, defined
names, every formula by cell. Building that layout with openpyxl costs about a second per level;
it is the same for every run with the same criteria catalog and the same generator, so it is
stored once:

- shipped inside the package for the shipped catalogs (``hue_dx/catalogs/layouts/*.json.gz``,
  written by ``python -m hue_dx.intake.layouts``; a test fails when they are stale);
- for any other catalog (or after the generator changed), built on first use and kept in the
  user's cache folder (``HUEDX_CACHE``, else ``~/.cache/hue-dx``, ``%LOCALAPPDATA%\\hue-dx``).

Both are found by a key: the SHA-256 of the catalog file and of the generator's own source
(the modules that write sheets, names and formulas), so a stale layout can never be used: it is
simply not found. The layout does not depend on the campaign (period, roster, issuer), only on
the catalog and the generator (tested).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from ..catalog import Catalog

SCHEMA = 1
# The modules whose code decides sheets, defined names and formulas of the official workbook.
GENERATOR_SOURCES = ("workbook/build.py", "workbook/style.py", "workbook/formulas.py", "rules.py", "names.py", "cells.py", "vn.py", "catalog.py")


def key(catalog: Catalog) -> str:
    """What a stored layout is valid for: this catalog's content and this generator's code."""
    return generator_key(_catalog_bytes(catalog), sources=GENERATOR_SOURCES)


def _catalog_bytes(catalog: Catalog) -> bytes:
    path = Path(catalog.path)
    if path.is_file():
        return path.read_bytes()
    shipped = resources.files("hue_dx.catalogs") / Path(catalog.path).name
    if shipped.is_file():
        return shipped.read_bytes()
    # a catalog made in memory: its parsed content stands for it
    return repr((catalog.id, catalog.version, catalog.levels, catalog.groups, catalog.criteria, catalog.unscored)).encode()


def _shipped(catalog: Catalog) -> Any | None:
    resource = resources.files("hue_dx.catalogs") / "layouts" / f"{catalog.id}.json.gz"
    return resource if resource.is_file() else None


def cache_folder() -> Path:
    if os.environ.get("HUEDX_CACHE"):
        return Path(os.environ["HUEDX_CACHE"])
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "hue-dx" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hue-dx"


def load(catalog: Catalog) -> dict[str, dict[str, Any]] | None:
    """The stored layouts of every level ({level: {"fingerprint", "sheets", "names",
    "formulas": {sheet: {cell: formula}}}}), or None when none is stored for this key."""
    wanted = key(catalog)
    shipped = _shipped(catalog)
    candidates: list[Any] = [shipped] if shipped is not None else []
    candidates.append(cache_folder() / f"layout-{catalog.id}-{wanted[:24]}.json.gz")
    for source in candidates:
        try:
            data = json.loads(gzip.decompress(source.read_bytes()))
        except (OSError, ValueError, EOFError):
            continue
        if data.get("key") == wanted and set(data.get("levels", {})) == set(catalog.levels):
            return data["levels"]
    return None


def build(catalog: Catalog, campaign) -> dict[str, dict[str, Any]]:
    """The layouts of every level, from the generator itself (openpyxl: about a second a level)."""
    from ..workbook.build import build as build_workbook

    out = {}
    for level in catalog.levels:
        built = build_workbook(catalog, campaign, level)
        out[level] = of_workbook(built.data, built.fingerprint)
    return out


def encoded(catalog: Catalog, levels: dict[str, dict[str, Any]]) -> bytes:
    text = json.dumps({"schema": SCHEMA, "catalog": catalog.id, "version": catalog.version, "key": key(catalog), "levels": levels},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def remember(catalog: Catalog, levels: dict[str, dict[str, Any]]) -> None:
    """Keep built layouts in the cache folder (best effort: a read-only home is no error)."""
    folder = cache_folder()
    path = folder / f"layout-{catalog.id}-{key(catalog)[:24]}.json.gz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(encoded(catalog, levels))
        os.replace(temporary, path)
    except OSError:
        pass


def of_workbook(data: bytes, fingerprint: str) -> dict[str, Any]:
    """The stored form of a workbook's layout: fingerprint, sheets, names, every formula by cell."""
    from . import xlsx

    raw = xlsx.read(data)
    return {"fingerprint": fingerprint, "sheets": raw.sheets, "names": raw.layout,
            "formulas": {sheet: xlsx.formula_cells(raw, sheet) for sheet in raw.sheets}}


def generator_key(*parts: bytes, sources: tuple[str, ...]) -> str:
    """A key of what a layout is made from: the given parts and the code of the modules that write it."""
    digest = hashlib.sha256(f"layout-schema-{SCHEMA}\n".encode())
    for part in parts:
        digest.update(part)
    package = Path(__file__).resolve().parents[1]
    for name in sources:
        digest.update(name.encode() + b"\n" + (package / name).read_bytes())
    return digest.hexdigest()


def cached(name: str, key_: str, build: Callable[[], Any]) -> Any:
    """A layout kept in the cache folder under ``name`` and its key: read when there, else built
    and kept (best effort: a read-only home only means building it again next time)."""
    path = cache_folder() / f"{name}-{key_[:32]}.json.gz"
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
        if data.get("key") == key_:
            return data["layout"]
    except (OSError, ValueError, EOFError):
        pass
    layout = build()
    text = json.dumps({"schema": SCHEMA, "key": key_, "layout": layout}, ensure_ascii=False, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))
        os.replace(temporary, path)
    except OSError:
        pass
    return layout


def layouts(catalog: Catalog, campaign) -> dict[str, dict[str, Any]]:
    """Stored if possible, else built once and stored."""
    found = load(catalog)
    if found is None:
        found = build(catalog, campaign)
        remember(catalog, found)
    return found


def main() -> None:
    """Write the shipped layouts of every shipped catalog (run after changing the generator)."""
    from .. import campaign as campaign_mod
    from .. import catalog as catalog_mod

    folder = Path(__file__).resolve().parents[1] / "catalogs" / "layouts"
    folder.mkdir(exist_ok=True)
    campaign = campaign_mod.load(None)
    for ref in catalog_mod.available():
        catalog = catalog_mod.load(ref)
        target = folder / f"{catalog.id}.json.gz"
        target.write_bytes(encoded(catalog, build(catalog, campaign)))
        print(f"{target} ({target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
