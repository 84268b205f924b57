"""Benchmark: the workbook reader of this tree against another revision's, on the same files.

    python benchmarks/reader_ab.py [--units 1000] [--files 1100] [--sample 400] [--repeat 5] [--base main]

The corpus is ``realistic.py``'s (one workbook per distinct unit, a fifth re-saved by
LibreOffice; built once and cached). The other revision's ``hue_dx/intake/xlsx.py`` is loaded
beside this tree's as a module of its own; ``check.check_file`` (what the consolidation runs
for each file) is then timed with one reader and the other, file by file, the order of the two
alternating from one file to the next, ``--repeat`` rounds: on a shared, noisy machine only
interleaved medians compare. For each reader it prints the median time a file spends in
``xlsx.read`` (the reading itself) and in the whole check, and the ratio.

Then the cost of the forms no common writer uses (``tests/xlsxforms.py``): the reader's time on
a file written positionally, with prefixes, comments and CDATA, in UTF-16…, against the same
file as written, and against ElementTree's ``iterparse`` merely parsing its sheets (the cost a
pull parser would add to every file)."""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

from realistic import build_corpus  # noqa: E402

import hue_dx  # noqa: E402
from hue_dx import campaign as campaign_mod  # noqa: E402
from hue_dx.intake import check, xlsx  # noqa: E402


def other_reader(revision: str) -> types.ModuleType:
    """``hue_dx/intake/xlsx.py`` as it is at ``revision``, loaded as hue_dx.intake.xlsx_base."""
    source = subprocess.run(["git", "show", f"{revision}:hue_dx/intake/xlsx.py"], cwd=ROOT, check=True, capture_output=True).stdout
    path = Path(tempfile.mkdtemp(prefix="hue-dx-reader-")) / "xlsx_base.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("hue_dx.intake.xlsx_base", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Timed(types.ModuleType):
    """A reader module whose ``read`` adds the time it takes to ``spent``."""

    def __init__(self, module: types.ModuleType):
        super().__init__(module.__name__)
        self.__dict__.update(module.__dict__)
        self.spent = 0.0
        inner = module.read

        def read(*args, **kwargs):
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        self.read = read


def a_b(datas: list[bytes], ctx, readers: dict[str, Timed], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Per reader, the seconds of each (file, round) in reading and in the whole check."""
    times: dict[str, dict[str, list[float]]] = {name: {"read": [], "check": []} for name in readers}
    order = list(readers)
    for round_ in range(repeat + 1):  # round 0 warms the caches of both readers
        for n, data in enumerate(datas):
            for name in order if (n + round_) % 2 == 0 else order[::-1]:
                reader = readers[name]
                check.xlsx = reader  # type: ignore[assignment]
                reader.spent = 0.0
                started = time.perf_counter()
                check.check_file(data, "f.xlsx", "0" * 64, ctx)
                total = time.perf_counter() - started
                if round_:
                    times[name]["read"].append(reader.spent)
                    times[name]["check"].append(total)
    check.xlsx = xlsx
    return times


def forms_cost(data: bytes, repeat: int) -> list[tuple[str, float]]:
    """Median ms of the reader on the file written in each form (first: as written)."""
    import xlsxforms

    def median_read(variant: bytes) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            raw = xlsx.read(variant)
            for sheet in raw.sheets:
                xlsx.read_cells(raw, sheet, {"D12", "H12", "A1"})
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    out = [("như khi ghi (as written)", median_read(data))]
    for forms in (["positional"], ["dense-positional"], ["prefixed"], ["strict"], ["comments"], ["cdata"], ["crlf"],
                  ["attribute-forms", "single-quotes"], ["utf16"], ["renamed-parts", "zip64", "zip-descriptors"],
                  ["positional", "prefixed", "comments", "strict"]):
        out.append(("+".join(forms), median_read(xlsxforms.variant(data, forms))))
    raw = xlsx.read(data, formulas=False)
    parts = [raw.zip.read(raw.paths[sheet]) for sheet in raw.sheets if raw.zip is not None]  # type: ignore[union-attr]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for part in parts:
            for _event, element in ET.iterparse(io.BytesIO(part)):
                element.clear()
        times.append(time.perf_counter() - started)
    out.append(("ElementTree iterparse of the sheets alone", statistics.median(times) * 1000))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--files", type=int, default=None, help="files in the corpus (default: a tenth more than units)")
    parser.add_argument("--resaved", type=float, default=0.2)
    parser.add_argument("--sample", type=int, default=400, help="files timed (spread over the corpus)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--base", default="main", help="the revision whose reader is compared (default main)")
    args = parser.parse_args()
    recipe, folder = build_corpus(args.units, args.files or args.units + args.units // 10, args.resaved)
    paths = sorted(folder.iterdir())
    step = max(1, len(paths) // args.sample)
    datas = [p.read_bytes() for p in paths[::step][: args.sample]]
    catalog = hue_dx.load_catalog()
    ctx = check.Context.create(catalog, campaign_mod.load(recipe))
    readers = {args.base: Timed(other_reader(args.base)), "this tree": Timed(xlsx)}
    times = a_b(datas, ctx, readers, args.repeat)
    print(f"{len(datas)} files x {args.repeat} interleaved rounds")
    print(f"{'reader':16}{'read, median ms':>18}{'check, median ms':>18}{'check files/s':>15}")
    for name, found in times.items():
        print(f"{name:16}{statistics.median(found['read']) * 1000:>18.3f}{statistics.median(found['check']) * 1000:>18.3f}"
              f"{len(found['check']) / sum(found['check']):>15.0f}")
    base, this = times[args.base], times["this tree"]
    ratios = sorted(b / a for a, b in zip(base["read"], this["read"], strict=True))
    print(f"read time, this tree / {args.base}: median of the per-file ratios {statistics.median(ratios):.3f} "
          f"(quartiles {ratios[len(ratios) // 4]:.3f}-{ratios[3 * len(ratios) // 4]:.3f})")
    # each file's best round: what the reading costs when nothing else on the machine gets in the way
    best = {name: [min(found["read"][n::len(datas)]) for n in range(len(datas))] for name, found in times.items()}
    print(f"read time, each file's best round: {args.base} {statistics.median(best[args.base]) * 1000:.3f} ms, "
          f"this tree {statistics.median(best['this tree']) * 1000:.3f} ms (medians over the files), "
          f"ratio {sum(best['this tree']) / sum(best[args.base]):.3f} (sums)")
    print("\nforms no common writer uses, one file (median ms of xlsx.read and three cells of each sheet):")
    for label, ms in forms_cost(datas[0], max(5, args.repeat)):
        print(f"  {label:50}{ms:>8.2f}")


if __name__ == "__main__":
    main()
