"""The shape of the project: one importable package, a pure core that imports fast."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["openpyxl", "xlwings", "jinja2", "pandas", "numpy", "formulas"]


def test_the_core_and_cli_import_no_excel_template_or_addin_library():
    code = ("import sys, hue_dx, hue_dx.catalog, hue_dx.rules, hue_dx.scoring, hue_dx.audit, hue_dx.ranking, hue_dx.cli; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_only_hue_dx_is_a_python_package_at_the_top_level():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == {"hue_dx"}
    for folder in ("addin", "templates", "generator", "samples", "tests"):
        assert (ROOT / folder).is_dir(), folder


def test_the_design_card_folders_each_say_their_role():
    for folder in ("addin", "templates", "generator", "samples"):
        readme = ROOT / folder / "README.md"
        assert readme.is_file() and len(readme.read_text(encoding="utf-8").strip()) > 40, folder
