"""Quarterly consolidation against the assessment's, per file, in the same run.

    python benchmarks/tracking_bench.py [--units 300] [--repeat 3] [--resaved 0.2]

Two corpora of distinct units, one file each: the assessment's (``realistic.py``: its own
figures, evidence, a share re-saved by LibreOffice) and the quarter's: the roster of 2020 and
synthetic departments and districts up to ``--units``, each unit's own quarterly workbook (its
own rows: what it leads and joins), filled as the demo's units fill it (statuses, percentages,
funds, indicators, contacts), a share re-saved by LibreOffice. Both consolidated by the same
intake engine, with the same workers, into fresh archives, alternately, ``--repeat`` times:
seconds per file side by side, and their ratio. Also: the quarter again with nothing new (a
re-run reads no file again), and the quarter with an empty layout cache (the first run on a
machine builds each distinct set of rows' layout once).

Corpora are kept in a cache folder keyed by their parameters, so a second run starts at once.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import realistic  # noqa: E402

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.intake import consolidate as assessment  # noqa: E402
from hue_dx.tracking import demo, periods, tasks  # noqa: E402
from hue_dx.tracking import intake as quarterly  # noqa: E402
from hue_dx.tracking import recipe as recipe_mod  # noqa: E402
from hue_dx.tracking.fill import fill  # noqa: E402
from hue_dx.tracking.generate import generate  # noqa: E402
from hue_dx.tracking.roles import duties  # noqa: E402
from hue_dx.workbook.fill import set_saved_time  # noqa: E402

QUARTER = periods.Quarter(2022, 3)
CACHE = Path(tempfile.gettempdir()) / "hue-dx-bench-corpora"


def quarterly_corpus(units: int, resaved: float, seed: int = 2022) -> tuple[Path, Path]:
    """(tracking recipe, folder of received quarterly workbooks); cached."""
    base = recipe_mod.load(None)
    folder = CACHE / f"quy-u{units}-r{int(resaved * 100)}-s{seed}-{_generator_key()[:12]}"
    if (folder / "done.json").is_file():
        return folder / "tracking.toml", folder / "received"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "received").mkdir(parents=True)
    rows = [{"code": u.code, "name": u.name, "level": u.level, "group": u.group} for u in base.units]
    for n in range(len(rows) + 1, units + 1):
        district = n % 4 == 0
        rows.append({"code": f"DV{n:05d}", "name": f"UBND huyện Thử Nghiệm {n}" if district else f"Sở Thử Nghiệm số {n}",
                     "level": "huyen" if district else "so", "group": "UBND cấp huyện" if district else "Sở, ban, ngành"})
    with (folder / "roster.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code", "name", "level", "group"])
        writer.writeheader()
        writer.writerows(rows)
    text = base.path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^roster = ".*"$', f'roster = "{(folder / "roster.csv").as_posix()}"', text)
    (folder / "tracking.toml").write_text(text, encoding="utf-8")
    recipe = recipe_mod.load(folder / "tracking.toml")
    catalog = tasks.load(recipe.tasks)
    made = generate(catalog, recipe, QUARTER, folder / "blank")
    duty = duties(catalog, recipe.units)
    rng = random.Random(seed)
    deadline = recipe.period(QUARTER).deadline
    written = []
    leads = {t.id: demo.lead_status(catalog, t, QUARTER, recipe.units) for t in catalog.tracked}
    for n, g in enumerate(made):
        lead, cooperate = demo.answers_of(catalog, recipe.units, duty[g.unit], QUARTER, leads)
        contacts = {"unit_preparer": "Nguyễn Văn An", "unit_head": "Trần Thị Bình"}
        data = fill((folder / "blank" / g.path).read_bytes(), lead, cooperate, contacts)
        saved = f"{deadline - dt.timedelta(days=rng.randint(1, 6))}T0{rng.randint(1, 9)}:00:00Z"
        path = folder / "received" / f"{g.unit}.xlsx"
        path.write_bytes(set_saved_time(data, saved))
        written.append(path)
        if (n + 1) % 50 == 0:
            print(f"  {n + 1}/{len(made)} sổ báo cáo quý", file=sys.stderr, flush=True)
    chosen = rng.sample(written, int(len(written) * resaved))
    if chosen and shutil.which("soffice"):
        with tempfile.TemporaryDirectory(prefix="lo_bench_") as profile, tempfile.TemporaryDirectory() as lo_out:
            subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
                            "--outdir", lo_out, *map(str, chosen)], check=True, capture_output=True, timeout=3600)
            for path in chosen:
                shutil.move(str(Path(lo_out) / path.name), path)
    shutil.rmtree(folder / "blank")
    (folder / "done.json").write_text(json.dumps({"units": units, "resaved": len(chosen)}), encoding="utf-8")
    return folder / "tracking.toml", folder / "received"


def _generator_key() -> str:
    digest = hashlib.sha256()
    for name in quarterly.GENERATOR_SOURCES:
        digest.update((ROOT / "hue_dx" / name).read_bytes())
    return digest.hexdigest()


def timed(run) -> float:
    if hasattr(os, "sync"):
        os.sync()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--resaved", type=float, default=0.2, help="share of files saved again by LibreOffice (default 0.2)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core, as the commands)")
    args = parser.parse_args()

    tracking_recipe, tracking_files = quarterly_corpus(args.units, args.resaved)
    assessment_recipe, assessment_files = realistic.build_corpus(args.units, resaved=args.resaved)
    recipe = recipe_mod.load(tracking_recipe)
    catalog = tasks.load(recipe.tasks)
    campaign = campaign_mod.load(assessment_recipe)
    criteria = hue_dx.load_catalog(campaign.catalog)
    n_tracking = sum(1 for _ in tracking_files.iterdir())
    n_assessment = sum(1 for _ in assessment_files.iterdir())

    with tempfile.TemporaryDirectory(prefix="hue-dx-bench-") as scratch:
        work = Path(scratch)
        cold_cache = work / "cache"
        os.environ["HUEDX_CACHE"] = str(cold_cache)  # the first run on a machine: no layout kept yet
        cold = timed(lambda: quarterly.consolidate(catalog, recipe, QUARTER, [tracking_files], work / "cold", workers=args.workers))
        per_file: dict[str, list[float]] = {"quarter": [], "assessment": []}
        again: list[float] = []
        for n in range(args.repeat):
            kho = work / f"quy-{n}"
            per_file["quarter"].append(timed(lambda kho=kho: quarterly.consolidate(
                catalog, recipe, QUARTER, [tracking_files], kho, workers=args.workers)) / n_tracking)
            again.append(timed(lambda kho=kho: quarterly.consolidate(catalog, recipe, QUARTER, [tracking_files], kho, workers=args.workers)))
            per_file["assessment"].append(timed(lambda n=n: assessment.consolidate(
                criteria, campaign, [assessment_files], work / f"dg-{n}", workers=args.workers)) / n_assessment)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.2f} ms (min {min(values) * 1000:.2f}, max {max(values) * 1000:.2f})"

    ratio = [q / a for q, a in zip(per_file["quarter"], per_file["assessment"], strict=True)]
    print(f"units: {args.units}; files: quarter {n_tracking}, assessment {n_assessment}; repeats: {args.repeat}; cores: {os.cpu_count()}")
    print(f"quarterly consolidation, per file:   {ms(per_file['quarter'])}")
    print(f"assessment consolidation, per file:  {ms(per_file['assessment'])}")
    print(f"ratio quarter / assessment:          {statistics.median(ratio):.2f} (min {min(ratio):.2f}, max {max(ratio):.2f})")
    print(f"quarter again, nothing new:          {statistics.median(again):.2f} s for {n_tracking} files")
    print(f"quarter, empty layout cache:         {cold:.2f} s for {n_tracking} files")


if __name__ == "__main__":
    main()
