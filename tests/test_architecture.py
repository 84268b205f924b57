"""The shape of the project: one importable package, a pure core that imports fast."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from hue_dx import data

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["openpyxl", "xlwings", "jinja2", "pandas", "numpy", "formulas"]


def test_the_core_and_cli_import_no_excel_template_or_addin_library():
    """The criteria workbook's sheets and their reading (catalog_sheets, catalog_read) and the Sở's figures (central) are pure
    too: only catalog_book, at the edge, opens a workbook."""
    code = ("import sys, hue_dx, hue_dx.catalog, hue_dx.rules, hue_dx.scoring, hue_dx.audit, hue_dx.ranking, hue_dx.cli, "
            "hue_dx.totals, hue_dx.central, hue_dx.catalog_sheets, hue_dx.catalog_read, hue_dx.catalog_toml; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_only_hue_dx_is_a_python_package_and_the_data_folders_ship_inside_it():
    """The other folders with an __init__.py are the data folders that pyproject maps into
    hue_dx.data (one copy, found by wheels and editable installs alike), and they hold no code."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {folder: package for package, folder in config["package-dir"].items()}
    assert set(mapped) == set(data.FOLDERS.values())
    assert {f"hue_dx.data.{name}" for name in data.FOLDERS} == set(mapped.values())
    for path in ROOT.glob("**/__init__.py"):
        folder = path.parent.relative_to(ROOT).as_posix()
        if folder.split("/")[0] in ("hue_dx", ".venv", "build"):
            continue
        assert folder in mapped, f"{folder} is a package but not a data folder of hue_dx.data"
        assert ast.parse(path.read_text(encoding="utf-8")).body[1:] == [], f"{folder}/__init__.py must hold no code"
    for folder in ("addin", "templates", "generator", "samples", "tests"):
        assert (ROOT / folder).is_dir(), folder


def test_pyproject_names_every_package_of_hue_dx():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hue_dx").glob("**/__init__.py")}
    assert set(config["packages"]) == found | set(config["package-dir"])


def test_every_shipped_data_folder_is_found_through_importlib_resources():
    for name, folder in data.FOLDERS.items():
        assert data.shipped(name).resolve() == (ROOT / folder).resolve()  # an editable install: the edited files themselves


def test_the_design_card_folders_each_say_their_role():
    for folder in ("addin", "templates", "generator", "samples"):
        readme = ROOT / folder / "README.md"
        assert readme.is_file() and len(readme.read_text(encoding="utf-8").strip()) > 40, folder
