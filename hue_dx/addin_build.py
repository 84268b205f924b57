"""`hue-dx addin build`: the parts of the Excel add-in that can be generated, from one registry.

From ``excel_api.REGISTRY`` and the jinja2 templates in ``templates/addin/`` it writes the VBA
wrappers of the worksheet functions (what xlwings' "Import Functions" would write inside Windows
Excel), the ribbon's VBA callbacks and XML, an ``xlwings.conf`` and a copy of the add-in's
Python module. Only assembling the .xlam needs Windows Excel (see the README).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .data import shipped
from .excel_api import REGISTRY

MODULE = "hue_dx_addin"


@dataclass(frozen=True)
class Button:
    callback: str
    label: str
    tip: str
    image: str
    python: str
    ask: str = ""  # "", "folder" or "text"
    prompt: str = ""  # ASCII: shown by VBA


BUTTONS = (
    Button("HueDx_Check", "Kiểm tra sổ", "Kiểm tra sổ đang mở (đã lưu) và liệt kê mọi vấn đề trên một trang mới", "AcceptInvitation",
           "check_active_workbook"),
    Button("HueDx_Consolidate", "Tổng hợp", "Tổng hợp một thư mục các sổ gửi về thành sổ xếp hạng", "PivotTableLayoutReportLayout",
           "consolidate_folder", "folder", "Chon thu muc cac so danh gia gui ve"),
    Button("HueDx_Generate", "Tạo sổ", "Tạo sổ đánh giá cho một đơn vị, cạnh sổ đang mở", "FileNew", "generate_unit", "text",
           "Ma don vi (vi du STTTT):"),
)


def vba_functions() -> list[dict[str, object]]:
    out = []
    for f in sorted(REGISTRY.values(), key=lambda f: f.name):
        fixed = [a for a in f.args if not a.startswith("*")]
        vararg = next((a[1:] for a in f.args if a.startswith("*")), "")
        signature = ", ".join(fixed + ([f"ParamArray {vararg}()"] if vararg else []))
        out.append({"name": f.name, "signature": signature, "vararg": vararg, "fixed": ", ".join(fixed), "nfixed": len(fixed),
                    "args_vba": "argsArray" if vararg else f"Array({', '.join(fixed)})"})
    return out


def render(name: str, **context: object) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(shipped("templates", "addin")), undefined=StrictUndefined, keep_trailing_newline=True,
                      autoescape=name.endswith(".xml.j2"))
    return env.get_template(name).render(**context)


def build(out: Path, interpreter: str = "", pythonpath: str = "") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "hue_dx_udfs.bas": render("hue_dx_udfs.bas.j2", functions=vba_functions(), module=MODULE),
        "hue_dx_ribbon.bas": render("hue_dx_ribbon.bas.j2", buttons=BUTTONS, module=MODULE),
        "customUI14.xml": render("customUI14.xml.j2", buttons=BUTTONS),
        "xlwings.conf": render("xlwings.conf.j2", module=MODULE, pythonpath=pythonpath, interpreter=interpreter),
    }
    written = []
    for name, text in files.items():
        path = out / name
        # VBA modules are read by Windows in its code page, with CRLF line ends.
        data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii" if name.endswith(".bas") else "utf-8")
        path.write_bytes(data)
        written.append(path)
    module = shipped("addin", f"{MODULE}.py")
    if module.resolve() != (out / module.name).resolve():
        shutil.copyfile(module, out / module.name)
        written.append(out / module.name)
    return written
