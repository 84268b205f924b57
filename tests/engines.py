"""Independent engines that compute a workbook's formulas: LibreOffice headless and the
`formulas` package. Tests use them to show that the workbook and the Python engine agree."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hue_dx import names


def soffice() -> str:
    """The LibreOffice binary; in CI its absence is a failure, elsewhere a skip."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path:
        return path
    message = "LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends libreoffice-calc-nogui"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def libreoffice_recalc(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open each file in LibreOffice (which computes formulas that carry no cached value, as
    openpyxl writes them), save as xlsx, and return the saved copies."""
    binary = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
             "--outdir", str(out_dir), *map(str, paths)],
            check=True, capture_output=True, timeout=600,
        )
    copies = [out_dir / p.name for p in paths]
    missing = [c for c in copies if not c.is_file()]
    assert not missing, f"LibreOffice did not write {missing}"
    return copies


# A profile setting that makes LibreOffice recompute every formula of an .xlsx on load, also
# those that carry a stored result (every file a client saved): otherwise it shows the stored one.
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def libreoffice_resave(paths: list[Path], out_dir: Path, recalc: bool = True) -> list[Path]:
    """Open each file in LibreOffice and save it as .xlsx (one process for all: about 0.2 s a
    file), recomputing every formula when ``recalc``: what a unit's LibreOffice does, and the
    independent engine's answer for any file, stored results or not."""
    binary = soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        if recalc:
            user = Path(profile) / "user"
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
                        "--outdir", str(out_dir), *map(str, paths)], check=True, capture_output=True, timeout=1200)
    copies = [out_dir / (p.stem + ".xlsx") for p in paths]
    missing = [c for c in copies if not c.is_file()]
    assert not missing, f"LibreOffice did not write {missing}"
    return copies


def ssconvert() -> str:
    """Gnumeric's converter; in CI its absence is a failure, elsewhere a skip."""
    path = shutil.which("ssconvert")
    if path:
        return path
    message = "Gnumeric (ssconvert) is not installed: apt-get install -y --no-install-recommends gnumeric"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def gnumeric_resave(path: Path, out: Path) -> Path:
    """The file opened and saved again by Gnumeric (it recomputes on load)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ssconvert(), "--recalc", str(path), str(out)], check=True, capture_output=True, timeout=300)
    assert out.is_file(), out
    return out


def libreoffice_convert(path: Path, out_dir: Path, fmt: str) -> Path:
    binary = soffice()
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=600)
    return out_dir / (path.stem + "." + fmt.split(":")[0])


BROWSER = Path(__file__).resolve().parent / "browser"  # check.mjs and its npm manifest (playwright-core, axe-core)


def browser_checker() -> tuple[list[str], dict[str, str]]:
    """The command that opens pages in headless Chromium and runs axe-core on them
    (tests/browser/check.mjs); in CI a missing Chromium, Node.js or npm package is a failure,
    elsewhere a skip."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    node = shutil.which("node")
    missing = [what for what, there in (("Chromium (apt-get install chromium)", chromium), ("Node.js", node),
                                        ("playwright-core, axe-core (cd tests/browser && npm ci)",
                                         all((BROWSER / "node_modules" / name / "package.json").is_file() for name in ("playwright-core", "axe-core"))))
               if not there]
    if missing:
        message = "the browser checks need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [str(node), str(BROWSER / "check.mjs")], {**os.environ, "CHROMIUM": str(chromium)}


def cell_of(wb, name: str) -> tuple[str, str]:
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return sheet, coord.replace("$", "")


def read_by_names(path: Path, wanted: list[str]) -> dict[str, Any]:
    """Cached values of named cells (after LibreOffice computed and saved them)."""
    wb = load_workbook(path, data_only=True)
    out = {}
    for name in wanted:
        sheet, coord = cell_of(wb, name)
        out[name] = wb[sheet][coord].value
    return out


class FormulasModel:
    """A workbook compiled once by the `formulas` package: input cells in, named outputs out."""

    def __init__(self, path: Path, inputs: list[str], outputs: list[str]):
        import formulas

        wb = load_workbook(path)
        self.inputs, self.outputs = inputs, outputs

        def key(name: str) -> str:
            sheet, coord = cell_of(wb, name)
            return f"'[{path.name}]{sheet.upper()}'!{coord}"

        model = formulas.ExcelModel().loads(str(path)).finish()
        self.function = model.compile(inputs=[key(n) for n in inputs], outputs=[key(n) for n in outputs])

    def __call__(self, values: dict[str, Any]) -> dict[str, Any]:
        import numpy as np
        import schedula

        # A blank cell is schedula's EMPTY token inside a 1×1 range: a bare EMPTY means
        # "not given" (the previous call's value stays) and None reads as a value.
        blank = np.array([[schedula.EMPTY]], dtype=object)
        args = [blank if values.get(n) is None else values[n] for n in self.inputs]
        results = self.function(*args)
        out = {}
        for name, result in zip(self.outputs, results, strict=True):
            value = result.value[0, 0] if hasattr(result, "value") else result
            value = value.item() if hasattr(value, "item") else value
            out[name] = None if value is schedula.EMPTY else value
        return out


def output_names(catalog) -> list[str]:
    """Every named figure the workbook computes: criteria, pillars, total; a pillar's base, bonus
    and penalty where it has bonus or penalty criteria (the whole set's where any has); the grade."""
    out = []
    for c in catalog.criteria:
        out += [names.score_name(c.code), names.status_name(c.code), names.amax_name(c.code)]
    adjusted = False
    for p in catalog.pillars:
        out += [names.pillar_name(p.code, w) for w in ("points", "max", "index")]
        bonus, penalty = catalog.with_role("bonus", p.code), catalog.with_role("penalty", p.code)
        if bonus or penalty:
            adjusted = True
            out.append(names.pillar_name(p.code, "base"))
            out += [names.pillar_name(p.code, "bonus")] if bonus else []
            out += [names.pillar_name(p.code, "penalty")] if penalty else []
    out += [names.total_name(w) for w in ("points", "max", "index")]
    if adjusted:
        out += [names.total_name(w) for w in ("base", "bonus", "penalty")]
    if catalog.totals.grades:
        out.append(names.total_name("grade"))
    return out


def input_names(catalog) -> list[str]:
    return [names.input_name(c.code, i.key) for c in catalog.criteria for i in c.inputs]


def _as_excel(value: Any) -> Any:
    """A `formulas` argument as Excel hands it to xlwings: a scalar, a 1-D or a 2-D list."""
    import numpy as np
    import schedula

    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, np.ndarray):
        cells = [[_as_excel(v) for v in row] for row in value.tolist()] if value.ndim == 2 else [_as_excel(v) for v in value.tolist()]
        if value.ndim == 2 and value.shape == (1, 1):
            return cells[0][0]
        if value.ndim == 2 and 1 in value.shape:
            return [c for row in cells for c in row]
        return cells
    if value is schedula.EMPTY:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "item"):
        return float(value)
    return value


def register_udfs() -> None:
    """Make the add-in's worksheet functions known to the `formulas` package, called the way
    xlwings calls them, so a UDF-variant workbook can be computed on Linux."""
    import formulas

    from hue_dx import excel_api

    functions = formulas.get_functions()
    for name, fn in excel_api.REGISTRY.items():
        def call(*args, _fn=fn.call):
            return _fn(*[_as_excel(a) for a in args])

        functions[name] = call
