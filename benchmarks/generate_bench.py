"""Benchmark: generating the province's workbooks and 1,000 more, against the obvious way.

    python benchmarks/generate_bench.py [--units 1000] [--baseline 30]

hue-dx builds one template per unit level with openpyxl and stamps each unit's file from
it; the obvious alternative builds every workbook from scratch with openpyxl. Both run here
on the same machine in the same run; the script prints time per workbook, the speed-up per
additional workbook, file sizes and peak memory. Targets (issue 3): ≥ 10× faster per
additional workbook, every workbook < 150 KB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.generate import generate  # noqa: E402
from hue_dx.workbook.build import build  # noqa: E402


def synthetic_roster(campaign, count: int):
    """count units cycling through the real roster's levels and names, with fresh codes."""
    units = []
    for n in range(count):
        base = campaign.units[n % len(campaign.units)]
        units.append(replace(base, code=f"U{n:05d}", name=f"{base.name} ({n})"))
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000, help="synthetic units generated after the roster (default 1000)")
    parser.add_argument("--baseline", type=int, default=30, help="workbooks built from scratch for the baseline (default 30)")
    args = parser.parse_args()

    catalog = hue_dx.load_catalog()
    campaign = campaign_mod.load(ROOT / "generator" / "campaign-2020.toml")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        roster_files = generate(catalog, campaign, out / "roster")
        t_roster = time.perf_counter() - t0

        many = synthetic_roster(campaign, args.units)
        t0 = time.perf_counter()
        many_files = generate(catalog, campaign, out / "many", many)
        t_many = time.perf_counter() - t0

        # Per additional workbook: the stamping step alone, the template already built.
        from hue_dx.workbook.stamp import Template

        template = Template.from_bytes(build(catalog, campaign, "so").data)
        stamp_times = []
        for unit in many[:200]:
            t0 = time.perf_counter()
            data = template.stamp({"unit_code": unit.code, "unit_name": unit.name, "generation_id": "0" * 32})
            (out / "stamp.xlsx").write_bytes(data)
            stamp_times.append(time.perf_counter() - t0)

        baseline_times = []
        for unit in campaign.units[: args.baseline] if args.baseline <= len(campaign.units) else synthetic_roster(campaign, args.baseline):
            t0 = time.perf_counter()
            data = build(catalog, campaign, unit.level, {"unit_code": unit.code, "unit_name": unit.name, "generation_id": "0" * 32}).data
            (out / "scratch.xlsx").write_bytes(data)
            baseline_times.append(time.perf_counter() - t0)

    sizes = [g.size for g in roster_files + many_files]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_stamp = statistics.median(stamp_times)
    per_scratch = statistics.median(baseline_times)
    print(f"{'':44}{'workbooks':>10}{'total s':>10}{'ms each':>10}")
    print(f"{'hue-dx generate, default roster':44}{len(roster_files):>10}{t_roster:>10.2f}{t_roster / len(roster_files) * 1000:>10.1f}")
    print(f"{'hue-dx generate, synthetic units':44}{len(many_files):>10}{t_many:>10.2f}{t_many / len(many_files) * 1000:>10.1f}")
    print(f"{'per additional workbook (stamp, median)':44}{len(stamp_times):>10}{sum(stamp_times):>10.2f}{per_stamp * 1000:>10.1f}")
    print(f"{'baseline: openpyxl from scratch (median)':44}{len(baseline_times):>10}{sum(baseline_times):>10.2f}{per_scratch * 1000:>10.1f}")
    print(f"speed-up per additional workbook: {per_scratch / per_stamp:.0f}× (target ≥ 10×)")
    print(f"workbook size: largest {max(sizes) / 1024:.0f} KB, median {statistics.median(sizes) / 1024:.0f} KB (target < 150 KB)")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
