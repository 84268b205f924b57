"""The quarterly commands as an officer runs them, at scale: seconds and memory per command.

    python benchmarks/tracking_commands_bench.py [--units 300] [--resaved 0.2] [--repeat 1]

On the corpus of ``tracking_bench.quarterly_corpus`` (distinct units, each its own quarterly
workbook, a share re-saved by LibreOffice), each command is run the way a person runs it, in a
fresh process (``python -m hue_dx …``, so start-up, reading, outputs and documents all count),
side by side with its alternative in the same run:

- ``tasks consolidate`` into a new archive (every file read), then the same command again with
  nothing new (the archive already holds every file);
- ``tasks report`` from that archive (the report to UBND tỉnh and the reminder letters), with
  the number of pages of the report.

Figures: seconds (median of ``--repeat``) and the largest resident memory of the process (MB).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from tracking_bench import QUARTER, quarterly_corpus  # noqa: E402


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of ``python -m hue_dx ARGS`` in a fresh process."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").is_file() else []
    started = time.perf_counter()
    done = subprocess.run([*timer, sys.executable, "-m", "hue_dx", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak = 0.0
    if timer:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "0"
        peak = int(last) / 1024 if last.isdigit() else 0.0
    if done.returncode not in (0, 1):
        raise SystemExit(f"hue-dx {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, peak, done.returncode


def _pages(pdf: Path) -> int:
    found = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    match = re.search(r"^Pages:\s+(\d+)", found, re.M)
    return int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--resaved", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    recipe, received = quarterly_corpus(args.units, args.resaved)
    files = sum(1 for _ in received.iterdir())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    figures: dict[str, list[tuple[float, float]]] = {"first": [], "again": [], "report": []}
    pages = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="hue-dx-cmd-bench-") as scratch:
            work = Path(scratch)
            env["HUEDX_CACHE"] = str(work / "cache")
            common = ["tasks", "--recipe", str(recipe)]
            consolidate = [*common, "consolidate", str(received), "--period", QUARTER.id, "--archive", str(work / "kho"),
                           "--out", str(work / "tong-hop")]
            _run(consolidate, env)  # the layouts' cache filled once, as on any machine after its first run
            shutil.rmtree(work / "kho")
            seconds, peak, _ = _run(consolidate, env)
            figures["first"].append((seconds, peak))
            seconds, peak, _ = _run(consolidate, env)
            figures["again"].append((seconds, peak))
            seconds, peak, _ = _run([*common, "report", "--period", QUARTER.id, "--archive", str(work / "kho"), "--out", str(work / "bao-cao")],
                                    env)
            figures["report"].append((seconds, peak))
            pages = _pages(work / "bao-cao" / f"bao-cao-trien-khai-ke-hoach-222-{QUARTER.id}.pdf")

    def shown(rows: list[tuple[float, float]]) -> str:
        return f"{statistics.median(s for s, _ in rows):6.2f} s, {max(m for _, m in rows):6.0f} MB"

    print(f"units: {args.units}; files: {files}; repeats: {args.repeat}; cores: {os.cpu_count()}")
    print(f"tasks consolidate, new archive:      {shown(figures['first'])}")
    print(f"tasks consolidate again, nothing new: {shown(figures['again'])}")
    print(f"tasks report (report and letters):    {shown(figures['report'])}; report {pages} pages")


if __name__ == "__main__":
    main()
