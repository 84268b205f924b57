"""Where the files a command needs are found: campaign recipes, templates, sample inputs, the add-in module.

They are edited in the repository's top-level folders and shipped inside the package, one
copy: ``pyproject.toml`` maps each folder to a subpackage of ``hue_dx.data``
(``[tool.setuptools.package-dir]``), so a wheel installs them under ``hue_dx/data/`` and an
editable install (``pip install -e .``) finds them where they are edited. Both are reached
through ``importlib.resources``, never through paths relative to this file or to the current
folder, so every command works from any folder. Each mapped folder holds a code-free
``__init__.py`` because setuptools' editable finder maps only folders that have one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: subpackage of hue_dx.data → the repository folder it is edited in
FOLDERS = {
    "generator": "generator",  # campaign recipes and rosters
    "templates": "templates",  # jinja2 templates of the reports and of the add-in's VBA
    "addin": "addin",  # the add-in's xlwings module, copied out by `hue-dx addin build`
    "samples": "samples/inputs",  # the figures of five units that `hue-dx demo` fills in
}


def shipped(folder: str, *parts: str) -> Path:
    """A real path to a shipped folder or file (jinja2, WeasyPrint and shutil want real paths)."""
    if folder not in FOLDERS:
        raise ValueError(f"không có thư mục dữ liệu {folder!r} (có: {', '.join(FOLDERS)})")
    try:
        root = resources.files(f"{__name__}.{folder}")
    except ModuleNotFoundError:
        root = None
    if not isinstance(root, Path):  # missing from a broken install, or inside a zip
        raise FileNotFoundError(f"Bản cài hue-dx thiếu thư mục dữ liệu {FOLDERS[folder]}/ (hue_dx.data.{folder}): "
                                "cài lại bằng pip install --force-reinstall \"hue-dx[excel]\"")
    target = root.joinpath(*parts)
    if not target.exists():
        raise FileNotFoundError(f"Bản cài hue-dx thiếu {FOLDERS[folder]}/{'/'.join(parts)}: cài lại hue-dx")
    return target
