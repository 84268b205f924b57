"""Realistic corpora of returned workbooks for the benchmarks: one file per distinct unit.

    python benchmarks/realistic.py --units 1000 [--files 1200] [--resaved 0.2] [--out DIR]

A synthetic roster of distinct units (three in four departments, one in four districts) is
made into a campaign; every unit gets its own workbook (its identity, its name) filled with its
own figures (hue_dx.demo's synthetic inputs, different effort per unit), evidence in nine
criteria in ten as units fill it, contacts; some units send corrections (more files than units,
saved later); a share of the files is opened and saved again by LibreOffice (its own XML,
shared strings, stored results), as units' files are. Nothing is a copy of another file.

Fast: one workbook per level and variant is filled with openpyxl, with a placeholder number in
every numeric input; each unit's file is then stamped (identity) and its placeholders replaced
by its own figures in the XML. Corpora are kept in a cache folder keyed by their parameters and
the generator's layout, so a second run starts at once.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.catalog import NUMERIC_TYPES  # noqa: E402
from hue_dx.demo import synthetic_inputs  # noqa: E402
from hue_dx.workbook.build import build  # noqa: E402
from hue_dx.workbook.fill import fill  # noqa: E402
from hue_dx.workbook.stamp import Template  # noqa: E402

TOKEN_BASE = 9_100_000_000  # placeholder numbers: ten digits no real figure here has
VARIANTS = 4  # filled workbooks per level (yes/no and choice answers differ between them)
CACHE = Path(tempfile.gettempdir()) / "hue-dx-bench-corpora"


def roster(count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(1, count + 1):
        district = n % 4 == 0
        rows.append({"code": f"DV{n:05d}", "name": (f"UBND huyện Thử Nghiệm {n}" if district else f"Sở Thử Nghiệm số {n}"),
                     "level": "huyen" if district else "so", "group": "UBND cấp huyện" if district else "Sở, ban, ngành"})
    return rows


def write_campaign(folder: Path, units: list[dict[str, str]]) -> Path:
    with (folder / "roster.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["code", "name", "level", "group"])
        writer.writeheader()
        writer.writerows(units)
    recipe = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8")
    recipe = re.sub(r'(?m)^roster = ".*"$', f'roster = "{(folder / "roster.csv").as_posix()}"', recipe)
    recipe = re.sub(r'(?m)^deadline = ".*"$', 'deadline = "2030-12-31"', recipe)
    (folder / "campaign.toml").write_text(recipe, encoding="utf-8")
    return folder / "campaign.toml"


def _evidence(catalog, rng: random.Random) -> dict[str, dict[str, str]]:
    out = {}
    for i, c in enumerate(catalog.criteria):
        if rng.random() < 0.9:
            out[c.code] = {"number": f"{rng.randint(10, 999)}/QĐ-UBND", "date": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2020",
                           "title": f"Quyết định ban hành kế hoạch chuyển đổi số, tiêu chí {c.code}",
                           "link": f"https://thuathienhue.gov.vn/van-ban/{i + 10}"}
    return out


def templates(catalog, campaign, level: str, rng: random.Random) -> tuple[list[Template], dict[tuple[str, str], int]]:
    """Filled workbooks of one level (tokens for identity and for every numeric input)."""
    built = build(catalog, campaign, level).data
    tokens: dict[tuple[str, str], int] = {}
    for c in catalog.criteria:
        for spec in c.inputs:
            if spec.type in NUMERIC_TYPES:
                tokens[(c.code, spec.key)] = TOKEN_BASE + len(tokens)
    out = []
    for variant in range(VARIANTS):
        effort = 0.3 + 0.65 * variant / (VARIANTS - 1)
        inputs: dict[str, dict[str, object]] = {}
        for c in catalog.criteria:
            if not c.applies(level):
                continue
            values = synthetic_inputs(c, effort, rng)
            inputs[c.code] = {k: (tokens[(c.code, k)] if (c.code, k) in tokens else v) for k, v in values.items()}
        contacts = {"unit_preparer": "Nguyễn Văn An", "unit_preparer_title": "Chuyên viên", "unit_phone": "0234 3 822 000",
                    "unit_email": "vanthu@thuathienhue.gov.vn", "unit_head": "Trần Thị Bình", "unit_head_title": "Giám đốc"}
        out.append(Template.from_bytes(fill(built, inputs, contacts, _evidence(catalog, rng))))
    return out, tokens


_TOKEN = re.compile(rb"<v>(91\d{8})</v>")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def unit_file(template: Template, tokens_back: dict[int, tuple[str, str]], unit: dict[str, str], figures: dict[str, dict[str, object]],
              saved: str, generation: str) -> bytes:
    stamped = template.stamp({"unit_code": unit["code"], "unit_name": unit["name"], "generation_id": generation})

    def number(m: re.Match[bytes]) -> bytes:
        code, key = tokens_back[int(m.group(1))]
        value = figures.get(code, {}).get(key, 0)
        return b"<v>" + repr(value).encode() + b"</v>"

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(stamped)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = _TOKEN.sub(number, content)
            elif info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + saved.encode() + rb"\g<2>", content)
            dst.writestr(info, content)
    return out.getvalue()


def build_corpus(units: int, files: int | None = None, resaved: float = 0.2, seed: int = 2020, out: Path | None = None) -> tuple[Path, Path]:
    """(campaign recipe, folder of received files); cached."""
    files = files or units
    catalog = hue_dx.load_catalog()
    layout = hashlib.sha256(build(catalog, campaign_mod.load(None), "so").fingerprint.encode()).hexdigest()[:12]
    folder = out or CACHE / f"u{units}-f{files}-r{int(resaved * 100)}-s{seed}-{layout}"
    done = folder / "done.json"
    if done.is_file():
        return folder / "campaign.toml", folder / "received"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "received").mkdir(parents=True)
    rng = random.Random(seed)
    people = roster(units)
    recipe = write_campaign(folder, people)
    campaign = campaign_mod.load(recipe)
    by_level = {level: templates(catalog, campaign, level, rng) for level in ("so", "huyen")}
    backs = {level: {v: k for k, v in tokens.items()} for level, (_, tokens) in by_level.items()}
    plan = [(unit, 0) for unit in people]
    for n in range(files - units):  # corrections: a later version of some units' files
        plan.append((people[rng.randrange(units)], n + 1))
    written = []
    for n, (unit, version) in enumerate(plan):
        variants, _ = by_level[unit["level"]]
        effort = 0.3 + 0.65 * rng.random()
        figures = {c.code: synthetic_inputs(c, effort, rng) for c in catalog.criteria if c.applies(unit["level"])}
        saved = f"2020-12-{10 + min(version, 18):02d}T0{rng.randint(1, 9)}:00:00Z"
        data = unit_file(rng.choice(variants), backs[unit["level"]], unit, figures, saved, f"{n:032x}")
        path = folder / "received" / f"{unit['code']}-v{version}.xlsx"
        path.write_bytes(data)
        written.append(path)
        if (n + 1) % 500 == 0:
            print(f"  {n + 1}/{len(plan)} tệp", file=sys.stderr, flush=True)
    chosen = rng.sample(written, int(len(written) * resaved))
    if chosen and shutil.which("soffice"):
        for start in range(0, len(chosen), 200):  # one LibreOffice process per 200 files
            batch = chosen[start:start + 200]
            with tempfile.TemporaryDirectory(prefix="lo_bench_") as profile, tempfile.TemporaryDirectory() as lo_out:
                subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
                                "--outdir", lo_out, *map(str, batch)], check=True, capture_output=True, timeout=3600)
                for path in batch:
                    shutil.move(str(Path(lo_out) / path.name), path)
            print(f"  LibreOffice: {min(start + 200, len(chosen))}/{len(chosen)} tệp lưu lại", file=sys.stderr, flush=True)
    elif chosen:
        print("  (LibreOffice không có: không tệp nào được lưu lại)", file=sys.stderr)
    done.write_text(json.dumps({"units": units, "files": files, "resaved": len(chosen) if shutil.which("soffice") else 0}), encoding="utf-8")
    return recipe, folder / "received"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--files", type=int, default=None, help="files in all (default: one per unit; more: corrections)")
    parser.add_argument("--resaved", type=float, default=0.2, help="share of files saved again by LibreOffice (default 0.2)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    recipe, folder = build_corpus(args.units, args.files, args.resaved, out=args.out)
    print(f"{recipe}\n{folder} ({sum(1 for _ in folder.iterdir())} tệp)")


if __name__ == "__main__":
    main()
