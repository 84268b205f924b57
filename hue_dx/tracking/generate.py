"""`hue-dx tasks generate`: one quarterly workbook per unit for a period, written atomically,
with a manifest.json listing each file's unit, generation id, fingerprint and row counts.

Each unit's workbook holds different rows, so each is built whole (no template stamping as for
the assessment workbooks); 30 units take a few seconds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from ..campaign import Unit
from ..files import slug, write_atomic
from .answers import TaskAnswer
from .periods import Quarter
from .recipe import Recipe
from .roles import duties as duties_of
from .tasks import TaskCatalog

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Generated:
    unit: str
    name: str
    level: str
    path: str
    generation_id: str
    fingerprint: str
    size: int
    indicators: int
    lead: int
    on_behalf: int
    cooperate: int


def file_name(quarter: Quarter, unit: Unit) -> str:
    return f"{quarter.id}_{unit.code}_{slug(unit.name)[:60]}.xlsx"


def generate(catalog: TaskCatalog, recipe: Recipe, quarter: Quarter, out_dir: Path, units: Iterable[Unit] | None = None,
             previous: Mapping[str, Mapping[str, TaskAnswer]] | None = None,
             progress: Callable[[int, int, Unit], None] | None = None) -> list[Generated]:
    """Write the workbook of every unit (or of ``units``) for ``quarter`` into out_dir, and a
    manifest. ``previous``: last quarter's answers by unit code and task id, pre-filled."""
    from .workbook import build

    period = recipe.period(quarter)
    all_duties = duties_of(catalog, recipe.units)
    chosen = list(units) if units is not None else list(recipe.units)
    previous = previous or {}
    label = quarter.previous.vi
    written: list[Generated] = []
    for n, unit in enumerate(chosen, start=1):
        duty = all_duties[unit.code]
        generation_id = uuid.uuid4().hex
        built = build(catalog, duty, recipe.units, period, contact=recipe.contact, issuer=recipe.issuer,
                      deadline_rule=recipe.schedule.rule(quarter).describe(), generation_id=generation_id,
                      previous=previous.get(unit.code, {}), previous_label=label)
        path = out_dir / file_name(quarter, unit)
        write_atomic(path, built.data)
        written.append(Generated(unit.code, unit.name, unit.level, path.name, generation_id, built.fingerprint, len(built.data),
                                 len(duty.indicators), len(duty.tasks), len(duty.on_behalf), len(duty.cooperate)))
        if progress:
            progress(n, len(chosen), unit)
    listing = {"generator": f"hue-dx {__version__}", "kind": "tracking", "tasks": catalog.id, "tasks_version": catalog.version,
               **period.as_dict(), "prefilled_from": quarter.previous.id if previous else None,
               "files": [asdict(g) for g in written]}
    write_atomic(out_dir / MANIFEST, (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return written
