"""`hue-dx requests`: for each unit, a short letter asking to fix or explain exactly what the
consolidator found, cell by cell, with a deadline (HTML, PDF, and plain text for an e-mail).

Units that sent no valid file get a letter asking for it. A corrected file that comes back
goes through the consolidator again and supersedes the earlier one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .issues import ERROR, WARNING

ASKED = (ERROR, WARNING)  # information records ask nothing of the unit


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (Saturdays and Sundays skipped)."""
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class Letter:
    unit: str
    name: str
    items: int
    html: Path
    pdf: Path
    text: Path


def write_letters(consolidation, folder: Path, days: int = 10, today: dt.date | None = None, pdf: bool = True) -> list[Letter]:
    from . import reports
    from .generate import write_atomic

    c = consolidation
    campaign, catalog = c.campaign, c.catalog
    today = today or dt.date.today()
    deadline = working_days_after(today, days).strftime("%d/%m/%Y")
    when = dt.datetime.now()
    sender = campaign.contact.get("unit", "Sở Thông tin và Truyền thông")
    contact = sender + (f" (thư điện tử {campaign.contact['email']})" if campaign.contact.get("email") else "")
    env = reports._env()
    letters = []
    for rows in c.groups.values():
        for row in rows:
            unit = row.unit
            if row.result is None:
                items, subject, ask = [], "gửi sổ tự đánh giá chuyển đổi số", "gửi sổ tự đánh giá đã điền đầy đủ"
                file_name = sha_short = ""
            else:
                found = [i for i in row.result.issues if i.severity in ASKED]
                if not found:
                    continue
                order = {ERROR: 0, WARNING: 1}
                found.sort(key=lambda i: (order[i.severity], i.sheet, _row_of(i.cell), i.criterion))
                items = [{"where": " · ".join(x for x in (i.sheet, i.cell and f"ô {i.cell}") if x) or "Cả tệp",
                          "criterion": i.criterion, "message": i.message, "hint": i.hint} for i in found]
                subject = "sửa, giải trình số liệu tự đánh giá chuyển đổi số"
                ask = "sửa hoặc giải trình các nội dung sau"
                file_name, sha_short = row.result.name, row.result.sha256[:16]
            context = {
                **reports._heading(campaign, campaign.report, when), "issuer_parent": "", "issuer": sender.upper(), "number": "Số:        /STTTT",
                "title": f"Đề nghị {subject} – {unit.name}", "footer": f"{unit.name} – đề nghị sửa, giải trình {campaign.period}",
                "orientation": "portrait", "unit_name": unit.name, "subject": subject, "ask": ask, "period": campaign.period,
                "catalog_title": catalog.title, "file_name": file_name, "sha_short": sha_short, "sender": sender,
                "sender_upper": sender.upper(), "deadline": deadline, "items": items, "contact": contact, "version": __version__,
                "made_at": when.strftime("%d/%m/%Y %H:%M"), "catalog_id": catalog.id,
            }
            html_path, pdf_path, text_path = (folder / f"de-nghi-{unit.code}.{ext}" for ext in ("html", "pdf", "txt"))
            html_text = env.get_template("request.html.j2").render(**context)
            write_atomic(html_path, html_text.encode("utf-8"))
            write_atomic(text_path, env.get_template("request.txt.j2").render(**context).encode("utf-8"))
            if pdf:
                reports.write_pdf(html_text, pdf_path)
            letters.append(Letter(unit.code, unit.name, len(items), html_path, pdf_path, text_path))
    return letters


def _row_of(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0
