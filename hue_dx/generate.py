"""`hue-dx generate`: the official workbook of every unit of a campaign, written atomically.

One template is built per unit level (openpyxl, a few hundred ms), then each unit's file is
stamped from it (a few ms). A manifest.json beside the files lists what was generated, with
each file's generation id and the fingerprint of its layout, for the consolidator.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__, names
from .campaign import Campaign, Unit, check_levels
from .catalog import Catalog
from .files import slug, write_atomic


@dataclass(frozen=True)
class Generated:
    unit: str
    name: str
    level: str
    path: str
    generation_id: str
    fingerprint: str
    size: int


def file_name(campaign: Campaign, unit: Unit) -> str:
    return f"{slug(campaign.period)}_{unit.code}_{slug(unit.name)[:60]}.xlsx"


def generate(catalog: Catalog, campaign: Campaign, out_dir: Path, units: Iterable[Unit] | None = None,
             progress: Callable[[int, int, Unit], None] | None = None, *, formulas: str = "native",
             manifest: bool = True, central: Mapping[str, Mapping[str, Mapping[str, object]]] | None = None) -> list[Generated]:
    """Write one workbook per unit into out_dir and a manifest.json; return what was written.

    ``formulas="udf"``: score cells call the add-in's functions (see workbook.build).
    ``central``: the figures the Sở supplies, {unit code: {criterion: {key: value}}} (``central.load``),
    written into each unit's locked cells."""
    from .workbook.build import build
    from .workbook.stamp import Template

    check_levels(campaign, dict(catalog.levels))
    chosen = list(units) if units is not None else list(campaign.units)
    templates: dict[str, tuple[Template, str]] = {}
    written: list[Generated] = []
    for n, unit in enumerate(chosen, start=1):
        if unit.level not in templates:
            built = build(catalog, campaign, unit.level, formulas=formulas)
            templates[unit.level] = (Template.from_bytes(built.data), built.fingerprint)
        template, print_ = templates[unit.level]
        generation_id = uuid.uuid4().hex
        body = campaign.body(unit)
        data = template.stamp({"unit_code": unit.code, "unit_name": unit.name, "generation_id": generation_id,
                               "unit_heading": body.name, "unit_parent": body.parent, "unit_place": body.place},
                              _central_cells(catalog, unit, (central or {}).get(unit.code, {})))
        path = out_dir / file_name(campaign, unit)
        write_atomic(path, data)
        written.append(Generated(unit.code, unit.name, unit.level, path.name, generation_id, print_, len(data)))
        if progress:
            progress(n, len(chosen), unit)
    if manifest:
        listing = {"generator": f"hue-dx {__version__}", "catalog": catalog.id, "catalog_version": catalog.version,
                   "period": campaign.period, "deadline": campaign.deadline.isoformat(), "formulas": formulas,
                   "files": [asdict(g) for g in written]}
        write_atomic(out_dir / "manifest.json", (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return written


def _central_cells(catalog: Catalog, unit: Unit, values: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """Defined name -> the Sở's figure, for each central input of a criterion that applies to the unit."""
    out: dict[str, object] = {}
    for c, spec in catalog.central_inputs:
        value = values.get(c.code, {}).get(spec.key)
        if value is not None and c.applies(unit.level):
            out[names.input_name(c.code, spec.key)] = value
    return out
