"""The add-in: its xlwings module, its generated VBA and ribbon, its commands, and the UDF
variant of the workbook computed by the `formulas` package with the add-in's functions."""

from __future__ import annotations

import importlib.util
import inspect
import io
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hue_dx import addin_build
from hue_dx import excel_api as api

ROOT = Path(__file__).resolve().parents[1]


def load_addin(xlfunc=None):
    """addin/hue_dx_addin.py as xlwings loads it (optionally with xlwings' real decorator)."""
    spec = importlib.util.spec_from_file_location("hue_dx_addin", ROOT / "addin" / "hue_dx_addin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if xlfunc:
        for name in api.REGISTRY:
            setattr(module, name, xlfunc(getattr(module, name)))
    return module


def xlwings_udfs():
    """xlwings.udfs (which writes the VBA wrappers inside Windows Excel), importable on Linux
    with stand-ins for the Windows COM modules it imports but does not need for that."""
    stubs = {}
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        if name not in sys.modules:
            stubs[name] = types.ModuleType(name)
    if "pythoncom" in stubs:
        stubs["pythoncom"].CoInitialize = lambda: None
    if "win32com.client" in stubs:
        stubs["win32com.client"].Dispatch = lambda *a, **k: None
        stubs["win32com"].client = stubs["win32com.client"]
    sys.modules.update(stubs)
    import xlwings.udfs as udfs

    return udfs


def test_the_addin_module_defines_every_registered_function_with_its_arguments():
    module = load_addin()
    for name, fn in api.REGISTRY.items():
        params = inspect.signature(getattr(module, name)).parameters.values()
        spelled = tuple(("*" + p.name) if p.kind is p.VAR_POSITIONAL else p.name for p in params)
        assert spelled == fn.args, name
        assert getattr(module, name).__doc__ == fn.help
    assert callable(module.check_active_workbook) and callable(module.consolidate_folder) and callable(module.generate_unit)


def test_the_addin_functions_give_the_engines_results():
    module = load_addin()
    assert module.HUEDX_SCORE("5.2.1", 100.0, 20.0, 70.0) == pytest.approx(1.6)
    assert module.HUEDX_STATUS("5.2.1", [[100.0], [40.0], [70.0]]) == "lỗi: b + c lớn hơn a"


def test_generated_vba_wrappers_are_what_xlwings_itself_writes():
    udfs = xlwings_udfs()
    module = load_addin(udfs.xlfunc)

    class AddinBook:
        Name = "hue_dx.xlam"

    expected = io.StringIO()
    udfs.generate_vba_wrapper("hue_dx_addin", module, expected, AddinBook())
    ours = addin_build.render("hue_dx_udfs.bas.j2", functions=addin_build.vba_functions(), module="hue_dx_addin")
    body = ours.split("#Const App", 1)[1].split("\n", 1)[1]
    assert [line.rstrip() for line in body.strip().splitlines()] == [line.rstrip() for line in expected.getvalue().strip().splitlines()]


def test_build_writes_ascii_vba_a_valid_ribbon_and_the_config(tmp_path):
    written = {p.name: p for p in addin_build.build(tmp_path)}
    assert set(written) == {"hue_dx_udfs.bas", "hue_dx_ribbon.bas", "customUI14.xml", "xlwings.conf", "hue_dx_addin.py"}
    for name in ("hue_dx_udfs.bas", "hue_dx_ribbon.bas"):
        data = written[name].read_bytes()
        data.decode("ascii")
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    udfs = written["hue_dx_udfs.bas"].read_text(encoding="ascii")
    for fn in api.REGISTRY.values():
        fixed = [a for a in fn.args if not a.startswith("*")]
        varargs = [f"ParamArray {a[1:]}()" for a in fn.args if a.startswith("*")]
        assert f"Function {fn.name}({', '.join(fixed + varargs)})" in udfs
    ribbon = ET.fromstring(written["customUI14.xml"].read_bytes())
    ns = {"c": "http://schemas.microsoft.com/office/2009/07/customui"}
    actions = [b.get("onAction") for b in ribbon.iterfind(".//c:button", ns)]
    callbacks = written["hue_dx_ribbon.bas"].read_text(encoding="ascii")
    module = load_addin()
    for button in addin_build.BUTTONS:
        assert button.callback in actions and f"Sub {button.callback}(control As IRibbonControl)" in callbacks
        assert callable(getattr(module, button.python))
    assert '"UDF MODULES","hue_dx_addin"' in written["xlwings.conf"].read_text(encoding="utf-8")


def test_the_committed_build_folder_is_up_to_date(tmp_path):
    fresh = {p.name: p.read_bytes() for p in addin_build.build(tmp_path) if p.suffix != ".py"}  # the .py is a copy, not committed
    committed = ROOT / "addin" / "build"
    for name, data in fresh.items():
        assert (committed / name).read_bytes() == data, f"addin/build/{name} is stale: run hue-dx addin build"


def test_ribbon_command_helpers_without_excel(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    title, rows = api.check_rows(str(ROOT / "samples" / "workbooks" / "2020_HALUOI_da-dien.xlsx"))
    assert title == "hue-dx kiểm tra" and rows[0][:2] == ["Mức", "Mã"]
    assert rows[1][0] == "lỗi" and rows[-1][0] == "Tổng điểm"
    path = api.generate_unit("SNV", str(tmp_path / "book.xlsx"))
    assert Path(path).name.startswith("2020_SNV_") and not (tmp_path / "manifest.json").exists()
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes((ROOT / "samples" / "workbooks" / "2020_STTTT_da-dien.xlsx").read_bytes())
    output = api.consolidate_folder(str(folder))
    assert Path(output).is_file() and Path(output).parent == folder
    with pytest.raises(ValueError):
        api.check_rows(str(tmp_path / "missing.xlsx"))
