"""Start-up of the `hue-dx` command, whole process: what a person waits for before any work.

    python benchmarks/startup_bench.py [--runs 7]

Times `hue-dx --help`, `hue-dx catalog`, `hue-dx check FILE` and a `consolidate` of an empty
folder, each as a fresh process after one warm-up run (which also writes the bytecode cache, as
an installed wheel has it), and prints wall and CPU seconds (min, median, max), peak memory and
which heavy libraries the command loaded (`python -X importtime`). Only the standard library.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("openpyxl", "numpy", "pandas", "jinja2", "weasyprint", "pyhanko", "lxml", "multiprocessing", "sqlite3", "tomllib")


def command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("hue-dx" + (".exe" if os.name == "nt" else ""))
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "hue_dx", *args]


def once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float | None, float | None, int]:
    """(wall s, CPU s, peak MB, exit code) of one run; CPU and memory where the system reports them."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB on Linux
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / scale / 1024, process.returncode
    code = process.wait()
    return time.perf_counter() - started, None, None, code


def heavy_imports(args: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hue_dx", *args], capture_output=True, text=True, env=env, cwd=cwd)
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in loaded]


def spread(values: list[float], digits: int = 3) -> str:
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted runs of each command (after one warm-up)")
    options = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "HUEDX_DEBUG")}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "empty").mkdir()
        cases = {
            "hue-dx --help": ["--help"],
            "hue-dx catalog": ["catalog"],
            "hue-dx check FILE": ["check", str(ROOT / "samples" / "workbooks" / "2020_STTTT_da-dien.xlsx")],
            "hue-dx consolidate (0 files)": ["consolidate", "empty", "-o", "r.xlsx", "--archive", "a"],
        }
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU, {options.runs} runs each after one warm-up; "
              "min / median / max")
        print(f"{'command':<30}{'wall s':>24}{'CPU s':>24}{'peak MB':>10}  exit  heavy libraries loaded")
        for name, args in cases.items():
            argv = command(*args)
            once(argv, env, work)  # warm-up: bytecode cache, file cache
            runs = [once(argv, env, work) for _ in range(options.runs)]
            walls = [r[0] for r in runs]
            cpus = [r[1] for r in runs if r[1] is not None]
            peak = max((r[2] for r in runs if r[2] is not None), default=None)
            codes = sorted({r[3] for r in runs})
            heavy = ", ".join(heavy_imports(args, env, work)) or "none"
            print(f"{name:<30}{spread(walls):>24}{spread(cpus) if cpus else '—':>24}{f'{peak:.0f}' if peak else '—':>10}"
                  f"  {','.join(map(str, codes)):<4}  {heavy}")


if __name__ == "__main__":
    main()
