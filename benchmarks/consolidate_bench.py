"""Benchmark: consolidating 200, 1,000 and 10,000 returned workbooks, against the obvious ways.

    python benchmarks/consolidate_bench.py [--sizes 200 1000 10000] [--baseline 100] [--repeat 1] [--stages]

The corpus is made of the five sample units' workbooks, generated and filled in (inputs, and
evidence for nine criteria in ten, as units return them), then re-saved by LibreOffice when it
is installed (as units' files are: cached values, shared strings, LibreOffice's own XML), each
copied many times as distinct files (a zip comment), as if each unit had sent many corrected
versions. hue-dx keeps no cache keyed on cell values (only on what every file of one layout
shares: formulas, defined names), so repeated contents do not flatter the figures. hue-dx
consolidate runs all its checks (identity, fingerprint, every input, recomputed scores, cached
scores, evidence, ledger, archive). The baselines only read
the same files: openpyxl (load_workbook, reading each named input) and pandas.read_excel
(every sheet). Prints files per second and peak memory side by side. --stages also times
reading alone (hash, archive and inflate; then the reader too) with the same worker processes,
and consolidation with a reader that costs nothing (the ceiling for any faster reader)."""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.generate import generate  # noqa: E402
from hue_dx.intake import xlsx  # noqa: E402
from hue_dx.intake.check import Context, _wanted_for  # noqa: E402
from hue_dx.intake.consolidate import consolidate  # noqa: E402
from hue_dx.intake.ledger import archive  # noqa: E402
from hue_dx.workbook.fill import fill  # noqa: E402

SAMPLE_UNITS = ["STTTT", "SYT", "SNGV", "TPHUE", "HALUOI"]


def base_files(tmp: Path, catalog, campaign) -> list[bytes]:
    import json

    made = generate(catalog, campaign, tmp / "blank", [campaign.unit(c) for c in SAMPLE_UNITS])
    filled_dir = tmp / "filled"
    filled_dir.mkdir()
    paths = []
    for g, code in zip(made, SAMPLE_UNITS, strict=True):
        inputs = json.loads((ROOT / "samples" / "inputs" / f"{code}.json").read_text(encoding="utf-8"))["inputs"]
        path = filled_dir / f"{code}.xlsx"
        path.write_bytes(fill((tmp / "blank" / g.path).read_bytes(), inputs, {"unit_preparer": "A", "unit_head": "B"},
                              evidence(catalog)))
        paths.append(path)
    if shutil.which("soffice"):
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
                            "--outdir", str(tmp / "resaved"), *map(str, paths)], check=True, capture_output=True)
        paths = [tmp / "resaved" / p.name for p in paths]
    return [p.read_bytes() for p in paths]


def evidence(catalog) -> dict[str, dict[str, str]]:
    """Evidence (number, date, title, link) for nine criteria in ten: a unit's file carries
    text in most evidence cells, and reading it is part of the cost."""
    return {c.code: {"number": f"{i + 10}/QĐ-UBND", "date": f"{i % 28 + 1:02d}/03/2020",
                     "title": f"Quyết định ban hành kế hoạch chuyển đổi số, tiêu chí {c.code}",
                     "link": f"https://thuathienhue.gov.vn/van-ban/{i + 10}"}
            for i, c in enumerate(catalog.criteria) if i % 10 != 3}


def distinct(data: bytes, n: int) -> bytes:
    """The same workbook as a different file: only the zip comment differs."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.comment = f"benchmark copy {n}".encode()
    return buffer.getvalue()


def corpus(folder: Path, bases: list[bytes], count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        path = folder / f"tep-{n:05d}.xlsx"
        path.write_bytes(distinct(bases[n % len(bases)], n))
        paths.append(path)
    return paths


def settle() -> None:
    """Let the kernel write out the files just made (the corpus, the last run's archive) before
    timing: on a 2-core machine its writeback otherwise competes with the run for the cores.
    Files returned by units arrive long before they are consolidated."""
    if hasattr(os, "sync"):
        os.sync()
    time.sleep(1)


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def baseline_openpyxl(paths: list[Path], input_names: list[str]) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    for path in paths:
        wb = load_workbook(path, data_only=True)
        for name in input_names:
            sheet, coord = next(iter(wb.defined_names[name].destinations))
            _ = wb[sheet][coord.replace("$", "")].value
    return len(paths) / (time.perf_counter() - started)


def baseline_pandas(paths: list[Path]) -> float:
    import pandas as pd

    started = time.perf_counter()
    for path in paths:
        pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    return len(paths) / (time.perf_counter() - started)


# Stages, for --stages: what reading alone costs, with the same worker processes as consolidate.
_STAGE_CTX: Context | None = None
_STAGE_ARCHIVE: Path | None = None


def _stage_init(ctx: Context, archive_root: Path) -> None:
    global _STAGE_CTX, _STAGE_ARCHIVE
    _STAGE_CTX, _STAGE_ARCHIVE = ctx, archive_root


def _received(path: str) -> bytes:
    """What consolidate does first with every file: read it, hash it, archive it."""
    assert _STAGE_ARCHIVE is not None
    data = Path(path).read_bytes()
    archive(_STAGE_ARCHIVE, hashlib.sha256(data).hexdigest(), data, ".xlsx")
    return data


def stage_inflate(path: str) -> int:
    """Read, hash and archive the file, inflate every XML part: no parsing at all."""
    z = xlsx._Zip(_received(path))
    return sum(len(z.read(name)) for name in z.names if name.endswith(".xml"))


def stage_reader(path: str) -> int:
    """Read, hash and archive the file, then the reader: names, properties, formulas, wanted cells."""
    ctx = _STAGE_CTX
    assert ctx is not None
    return len(xlsx.read(_received(path), lambda names: _wanted_for(ctx, names, {}, [])).cells)


def stages(paths: list[Path], ctx: Context, tmp: Path, workers: int | None) -> None:
    import multiprocessing as mp

    count = workers or os.cpu_count() or 1
    for label, stage in (("stage: hash, archive, inflate every part", stage_inflate),
                         ("stage: + reader (names, formulas, cells)", stage_reader)):
        settle()
        root = tmp / "stage-archive"
        started = time.perf_counter()
        with mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn").Pool(
                count, initializer=_stage_init, initargs=(ctx, root)) as pool:
            for _ in pool.imap_unordered(stage, [str(p) for p in paths], chunksize=8):
                pass
        seconds = time.perf_counter() - started
        print(f"{label:46}{len(paths):>8}{seconds:>9.1f}{len(paths) / seconds:>9.0f}", flush=True)
        shutil.rmtree(root)


def free_reader(catalog, campaign, ctx: Context, bases: list[bytes], folder: Path, count: int, tmp: Path,
                workers: int | None) -> None:
    """What if reading cost nothing: consolidate the same folder with the reader replaced by the
    already parsed base workbooks (each copy differs from its base only in its zip comment, at
    the end). Hashing, archiving, every check, the engine and the ledger still run: this is the
    ceiling that any faster (say, compiled) reader could reach. Needs worker processes made by
    fork, which inherit the replacement."""
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        print("what-if: a free reader (needs fork; not on this system)")
        return
    real_read = xlsx.read
    parsed = {base[:4096]: real_read(base, lambda names: _wanted_for(ctx, names, {}, [])) for base in bases}
    if len(parsed) != len(bases):
        print("what-if: a free reader (the bases do not differ in their first 4 KB; skipped)")
        return

    def read(data, wanted=None, **_):
        raw = parsed[bytes(data[:4096])]
        if callable(wanted):
            wanted(raw.names)
        return raw

    settle()
    xlsx.read = read
    try:
        started = time.perf_counter()
        result = consolidate(catalog, campaign, [folder], tmp / "free-reader-archive", workers=workers, context=ctx)
        seconds = time.perf_counter() - started
    finally:
        xlsx.read = real_read
    assert result.seen == count
    print(f"{'what-if: consolidate with a free reader':46}{count:>8}{seconds:>9.1f}{count / seconds:>9.0f}", flush=True)
    shutil.rmtree(tmp / "free-reader-archive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 10000])
    parser.add_argument("--baseline", type=int, default=100, help="files read by each baseline (default 100)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the table shows each (machines are noisy)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--stages", action="store_true",
                        help="also time reading alone on the largest size (hash, archive, inflate; + the reader), same workers, "
                             "and consolidation with a reader that costs nothing")
    args = parser.parse_args()

    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
    from hue_dx import names

    input_names = [names.input_name(c.code, i.key) for c in catalog.criteria for i in c.inputs]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bases = base_files(tmp, catalog, campaign)
        started = time.perf_counter()
        ctx = Context.create(catalog, campaign)
        print(f"start-up (the generator's layout per level, once per run): {time.perf_counter() - started:.1f} s")
        print(f"{'':46}{'files':>8}{'seconds':>9}{'files/s':>9}{'peak MB':>9}")
        for size in args.sizes:
            paths = corpus(tmp / f"in-{size}", bases, size)
            for _ in range(args.repeat):
                settle()
                started = time.perf_counter()
                result = consolidate(catalog, campaign, [tmp / f"in-{size}"], tmp / f"archive-{size}", workers=args.workers, context=ctx)
                seconds = time.perf_counter() - started
                own, children = peak_mb()
                print(f"{'hue-dx consolidate (all checks, ledger)':46}{size:>8}{seconds:>9.1f}{size / seconds:>9.0f}"
                      f"{max(own, children):>9.0f}", flush=True)
                assert result.seen == size and result.new == size
                shutil.rmtree(tmp / f"archive-{size}")
            if size != args.sizes[-1]:
                shutil.rmtree(tmp / f"in-{size}")
        if args.stages:
            stages(paths, ctx, tmp, args.workers)
            free_reader(catalog, campaign, ctx, bases, tmp / f"in-{args.sizes[-1]}", len(paths), tmp, args.workers)
        sample = paths[: args.baseline]
        print(f"{'baseline: openpyxl load_workbook + inputs':46}{len(sample):>8}{'':>9}{baseline_openpyxl(sample, input_names):>9.0f}")
        print(f"{'baseline: pandas.read_excel (all sheets)':46}{len(sample):>8}{'':>9}{baseline_pandas(sample):>9.0f}")
        print("peak MB: the larger of this process and its worker processes (resident set size).")


if __name__ == "__main__":
    main()
