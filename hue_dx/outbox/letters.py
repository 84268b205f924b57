"""The letters of each kind, one per unit, from the folder the command that made their files
wrote (its manifest.json says which file is whose):

- ``workbooks``: the campaign's self-assessment workbooks (``hue-dx generate``);
- ``requests``: the correction requests (``hue-dx requests``: the signed letter attached, its
  text in the body);
- ``quarterly``: the quarterly workbooks (``hue-dx tasks generate``);
- ``reminders``: the reminders (``hue-dx tasks report``).

Subjects and bodies come from ``templates/mail/KIND.txt.j2`` (which sets ``subject``) and
``KIND.html.j2``. A manifest of another campaign or period is refused (its files would go to
the units under the wrong subject).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import sanitize
from ..campaign import Campaign, Unit
from ..data import shipped
from ..errors import UsageError
from .compose import Attachment, Letter, Sender, file_name

MANIFEST = "manifest.json"


def environment():
    """The mail templates' Jinja environment: HTML escaped, every printed text cleaned."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(shipped("templates", "mail")), undefined=StrictUndefined, keep_trailing_newline=True,
                       finalize=lambda v: sanitize.for_xml(v) if isinstance(v, str) else v,
                       autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False))


def render(env, kind: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a kind's templates."""
    module = env.get_template(f"{kind}.txt.j2").make_module(dict(context))
    subject = " ".join(str(module.subject).split())
    html = env.get_template(f"{kind}.html.j2").render(**context, subject=subject)
    return subject, str(module).strip() + "\n", html


def manifest(folder: Path, made_by: str) -> dict[str, Any]:
    """A folder's manifest.json, or a usage error saying which command writes it."""
    path = folder / MANIFEST
    if not path.is_file():
        raise UsageError(f"{folder} không có {MANIFEST}: cần thư mục do {made_by} ghi ra")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: không đọc được ({exc}); chạy lại {made_by}") from None


def _file(folder: Path, name: str | None, made_by: str) -> bytes:
    if not name or not (folder / name).is_file():
        raise UsageError(f"{folder}: thiếu tệp {name or '(không ghi)'} mà {MANIFEST} liệt kê; chạy lại {made_by}")
    return (folder / name).read_bytes()


def _same(found: object, expected: str, what: str, path: Path) -> None:
    if str(found) != expected:
        raise UsageError(f"{path / MANIFEST} là của {what} {found}, không phải {expected}: chọn đúng thư mục, hoặc --recipe/--period khác")


class _Folder:
    """A folder of files to send, as its manifest lists them: refused when it is another kind's
    or another period's; ``entries`` are those of the units wanted, with their roster unit."""

    def __init__(self, folder: Path, made_by: str, kinds: tuple[str | None, ...], what: str, period: str):
        self.folder, self.made_by = folder, made_by
        self.listing = manifest(folder, made_by)
        if self.listing.get("kind") not in kinds:
            found = self.listing.get("kind") or "sổ đánh giá"
            raise UsageError(f"{folder / MANIFEST} là danh sách {found}, không phải {what} của {made_by.split(' --')[0]}: chọn đúng thư mục")
        _same(self.listing.get("period"), period, "kỳ", folder)

    def entries(self, key: str, campaign: Campaign, wanted: set[str] | None) -> list[tuple[dict[str, Any], Unit]]:
        out = []
        for entry in self.listing.get(key, []):
            unit = campaign.unit(entry["unit"])
            if wanted is None or unit.code in wanted:
                out.append((entry, unit))
        return out

    def attachment(self, name: str, file: str | None) -> Attachment:
        return Attachment(name, file or "", _file(self.folder, file, self.made_by))


def _base(unit: Unit, campaign: Campaign, sender: Sender, file: str) -> dict[str, Any]:
    body, _, _ = campaign.sender()
    return {"unit_name": unit.name, "unit_heading": unit.heading_name, "sender": body.name, "email": sender.address,
            "signature": sender.signature, "file": file}


DRAFT = "công văn là dự thảo (chưa có họ tên người ký)"


def workbooks(campaign: Campaign, folder: Path, sender: Sender, wanted: set[str] | None = None) -> list[Letter]:
    """The campaign's workbooks (``hue-dx generate``), one letter each."""
    from .. import catalog as catalog_mod
    from ..reports import catalog_source

    made = _Folder(folder, "hue-dx generate", (None, "workbooks"), "sổ đánh giá", campaign.period)
    _same(made.listing.get("catalog"), campaign.catalog, "bộ tiêu chí", folder)
    source = catalog_source(catalog_mod.load(campaign.catalog))
    env = environment()
    out = []
    for f, unit in made.entries("files", campaign, wanted):
        name = file_name(f"Sổ tự đánh giá chuyển đổi số năm {campaign.period} – {unit.name}.xlsx")
        context = {**_base(unit, campaign, sender, name), "period": campaign.period, "deadline": campaign.deadline_vi, "source": source}
        subject, text, html = render(env, "workbook", context)
        out.append(Letter(unit, "workbook", campaign.period, subject, text, html, made.attachment(name, f["path"])))
    return out


def requests(campaign: Campaign, folder: Path, sender: Sender, wanted: set[str] | None = None) -> list[Letter]:
    """The correction requests (``hue-dx requests``): the letter's PDF attached, its text in the body."""
    made = _Folder(folder, "hue-dx requests", ("requests",), "thư đề nghị", campaign.period)
    env = environment()
    out = []
    for x, unit in made.entries("letters", campaign, wanted):
        if not x.get("pdf"):
            raise UsageError(f"{folder}: thư gửi {unit.code} chưa có bản PDF (đã chạy hue-dx requests --no-pdf): chạy lại không có --no-pdf")
        name = file_name(f"Công văn đề nghị {x['summary']} – {unit.name}.pdf")
        letter_text = _file(folder, x["text"], made.made_by).decode("utf-8").strip()
        context = {**_base(unit, campaign, sender, name), "summary": x["summary"], "items": x["items"], "due": made.listing.get("due", ""),
                   "letter": letter_text}
        subject, text, html = render(env, "request", context)
        out.append(Letter(unit, "request", campaign.period, subject, text, html, made.attachment(name, x["pdf"]), DRAFT if x.get("draft") else ""))
    return out


def quarterly(recipe, quarter, folder: Path, sender: Sender, wanted: set[str] | None = None) -> list[Letter]:
    """The quarterly workbooks (``hue-dx tasks generate``), one letter each."""
    from ..tracking.periods import Quarter

    made = _Folder(folder, f"hue-dx tasks generate --period {quarter.id}", ("tracking",), "sổ báo cáo quý", quarter.id)
    campaign, period = recipe.campaign(quarter), recipe.period(quarter)
    previous = made.listing.get("prefilled_from")
    env = environment()
    out = []
    for f, unit in made.entries("files", campaign, wanted):
        name = file_name(f"Sổ báo cáo {quarter.vi} – {unit.name}.xlsx")
        rows = sum(int(f.get(k, 0)) for k in ("indicators", "lead", "on_behalf", "cooperate"))
        context = {**_base(unit, campaign, sender, name), "quarter": quarter.vi, "title": quarter.title_vi, "deadline": period.deadline_vi,
                   "cutoff": quarter.cutoff_vi, "cutoff_end": quarter.cutoff_end.strftime("%d/%m/%Y"), "rows": rows,
                   "prefilled": Quarter.parse(previous).vi if previous else "", "document": "Kế hoạch số 222/KH-UBND"}
        subject, text, html = render(env, "tracking-workbook", context)
        out.append(Letter(unit, "tracking-workbook", quarter.id, subject, text, html, made.attachment(name, f["path"])))
    return out


def reminders(recipe, quarter, folder: Path, sender: Sender, wanted: set[str] | None = None) -> list[Letter]:
    """The reminders (``hue-dx tasks report``): the letter's PDF attached."""
    made = _Folder(folder, f"hue-dx tasks report --period {quarter.id}", ("reminders",), "thư đôn đốc", quarter.id)
    campaign, period = recipe.campaign(quarter), recipe.period(quarter)
    env = environment()
    out = []
    for x, unit in made.entries("letters", campaign, wanted):
        name = file_name(f"Công văn đôn đốc báo cáo {quarter.vi} – {unit.name}.pdf")
        context = {**_base(unit, campaign, sender, name), "quarter": quarter.vi, "deadline": period.deadline_vi, "missing": x["missing"],
                   "late_on": x.get("late_on", ""), "due": dt.date.fromisoformat(x["due"]).strftime("%d/%m/%Y")}
        subject, text, html = render(env, "reminder", context)
        out.append(Letter(unit, "reminder", quarter.id, subject, text, html, made.attachment(name, x["pdf"]), DRAFT if x.get("draft") else ""))
    return out
