"""Benchmark: consolidating realistic returns, against the obvious ways of reading the same files.

    pip install -e ".[bench]"
    python benchmarks/consolidate_bench.py [--sizes 1000 5000] [--resaved 0.2] [--repeat 1] [--workers 2]

The corpus (``realistic.py``) has one workbook per distinct unit of a synthetic roster, each
with its own identity and figures, evidence in nine criteria in ten, a tenth more files than
units (corrections sent later), a fifth of the files saved again by LibreOffice. In the same
run, on the same files, it measures:

- ``hue-dx consolidate`` as a user runs it (a separate process, two workers, every check, the
  archive, the ledger, and every output: ranking workbook, JSON, CSV), with the peak memory of
  the consolidating process and of its largest worker;
- a one-process python-calamine loop reading every cell of every sheet;
- an openpyxl loop (load_workbook, then each named input), on a sample;
- a bare unzip loop (every member of every file inflated, nothing parsed): the physical floor;
- ``hue-dx check FILE`` and ``hue-dx --help``, whole processes.

Targets (issue 15): consolidate ≥ 3× the calamine loop and ≥ 100× the openpyxl loop; peak memory
under 300 MB at 5,000 distinct units; ``check FILE`` under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic import build_corpus  # noqa: E402

# Runs hue-dx consolidate in this child process (so that its own peak memory, and its workers',
# can be reported apart) exactly as the command line does.
_CHILD = """
import resource, sys, time
from hue_dx import cli
started = time.perf_counter()
code = cli.main(sys.argv[1:])
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"BENCH {seconds:.3f} {own:.0f} {workers:.0f} {code}", file=sys.stderr)
"""


def settle() -> None:
    """Let the kernel write out what was just made before timing (on 2 cores its writeback
    otherwise competes with the run)."""
    if hasattr(os, "sync"):
        os.sync()
    time.sleep(1)


def consolidate(recipe: Path, folder: Path, out: Path, workers: int) -> tuple[float, float, float]:
    args = [sys.executable, "-c", _CHILD, "consolidate", str(folder), "--recipe", str(recipe), "-o", str(out / "xep-hang.xlsx"),
            "--json", str(out / "xep-hang.json"), "--csv", str(out / "csv"), "--archive", str(out / "kho"), "--workers", str(workers)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=out)
    line = next((x for x in done.stderr.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"consolidate failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    seconds, own, workers_mb, _ = line.split()[1:]
    return float(seconds), float(own), float(workers_mb)


def calamine_loop(paths: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return len(paths) / (time.perf_counter() - started)


def openpyxl_loop(paths: list[Path]) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    for path in paths:
        wb = load_workbook(path, data_only=True)
        for name in wb.defined_names:
            if name.startswith("hdx_in_"):
                sheet, coord = next(iter(wb.defined_names[name].destinations))
                _ = wb[sheet][coord.replace("$", "")].value
    return len(paths) / (time.perf_counter() - started)


def unzip_loop(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                zf.read(info)
    return len(paths) / (time.perf_counter() - started)


def whole_process(argv: list[str], runs: int = 5) -> float:
    """Median wall seconds of a command run as a fresh process (after one warm-up)."""
    times = []
    for n in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        if n:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000], help="distinct units (files: a tenth more)")
    parser.add_argument("--resaved", type=float, default=0.2, help="share of files saved again by LibreOffice")
    parser.add_argument("--repeat", type=int, default=1, help="consolidate runs per size (machines are noisy)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calamine", type=int, default=1000, help="files read by the calamine and unzip loops (default 1000)")
    parser.add_argument("--openpyxl", type=int, default=30, help="files read by the openpyxl loop (default 30)")
    args = parser.parse_args()

    print(f"{'':52}{'files':>7}{'files/s':>9}{'peak MB':>9}{'worker MB':>10}")
    for units in args.sizes:
        recipe, folder = build_corpus(units, units + units // 10, args.resaved)
        paths = sorted(folder.iterdir())
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="hue-dx-bench-") as tmp:
                settle()
                seconds, own, workers = consolidate(recipe, folder, Path(tmp), args.workers)
            print(f"{f'hue-dx consolidate, {units:,} units, {args.workers} workers':52}{len(paths):>7}{len(paths) / seconds:>9.0f}"
                  f"{own:>9.0f}{workers:>10.0f}", flush=True)
        sample = paths[: args.calamine]
        rate_calamine = calamine_loop(sample)
        print(f"{'python-calamine, one process, every sheet':52}{len(sample):>7}{rate_calamine:>9.0f}", flush=True)
        rate_unzip = unzip_loop(sample)
        print(f"{'bare unzip (every member inflated), one process':52}{len(sample):>7}{rate_unzip:>9.0f}", flush=True)
        few = paths[: args.openpyxl]
        rate_openpyxl = openpyxl_loop(few)
        print(f"{'openpyxl load_workbook + named inputs, one process':52}{len(few):>7}{rate_openpyxl:>9.1f}", flush=True)
        rate = len(paths) / seconds
        print(f"  ratios: consolidate / calamine {rate / rate_calamine:.1f}× (target ≥ 3), / openpyxl {rate / rate_openpyxl:.0f}× "
              f"(target ≥ 100), / bare unzip on 2 cores {rate / (2 * rate_unzip):.2f}", flush=True)
    hue_dx = [sys.executable, "-m", "hue_dx"]
    sample_file = sorted(folder.iterdir())[0]
    check = whole_process([*hue_dx, "check", str(sample_file), "--recipe", str(recipe)])
    help_ = whole_process([*hue_dx, "--help"])
    print(f"hue-dx check FILE, whole process: {check:.2f} s (target < 0.5); hue-dx --help: {help_:.2f} s", flush=True)
    if shutil.which("soffice") is None:
        print("(LibreOffice is not installed: no file of the corpus was re-saved by it)")


if __name__ == "__main__":
    main()
