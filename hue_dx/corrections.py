"""`hue-dx requests`: for each unit, a letter (công văn) asking to fix or explain exactly what
the consolidator found, cell by cell, with a deadline (HTML, PDF, and plain text for an e-mail).

Units that sent no valid file get a letter saying what to send, how and by when. The body
that writes the letters (the campaign's [contact]) writes none to itself: its own file's
problems are in the ranking workbook. A corrected file that comes back goes through the
consolidator again and supersedes the earlier one.

Every letter issued is recorded in the archive's ledger (``requests``: the unit, the file it is
about, when, the deadline, how many items, who issued it): the units' states (đề nghị sửa, then
đã sửa) are derived from it. A criterion an appraiser marked for follow-up is carried into the
unit's next letter as an item of its own, with the appraiser's comment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .documents import Document, local_time, recipients, unsigned_warning
from .intake.engine import BLANK_ONLY, UNUSABLE, ReceivedFile
from .intake.received import file_name as received_name
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
    warning: str = ""  # a draft for want of the signer's name: what to fill in, and where
    summary: str = ""  # what it is about (after "V/v")

    def as_dict(self) -> dict[str, object]:
        """As the folder's manifest lists it (names in the folder; what ``hue-dx mail requests`` reads)."""
        return {"unit": self.unit, "name": self.name, "items": self.items, "summary": self.summary, "html": self.html.name,
                "pdf": self.pdf.name if self.pdf.is_file() else None, "text": self.text.name, "draft": bool(self.warning)}


MANIFEST = "manifest.json"


def follow_up_items(root: Path | None, period: str) -> dict[str, list[dict[str, str]]]:
    """Per unit, the criteria appraisers marked for follow-up (the latest comment of each), as letter items."""
    if root is None or not (root / "ledger.sqlite").is_file():
        return {}
    from .intake.ledger import Ledger

    ledger = Ledger.reader(root)
    try:
        marked = ledger.follow_ups(period)
    finally:
        ledger.close()
    latest = {(f.unit, f.criterion): f for f in marked}
    out: dict[str, list[dict[str, str]]] = {}
    for (unit, code), f in latest.items():
        out.setdefault(unit, []).append({"where": f"Theo dõi của {f.appraiser}", "criterion": code,
                                         "message": f"Bên thẩm định đề nghị theo dõi: {f.text}",
                                         "hint": "Cập nhật số liệu, tài liệu kiểm chứng hoặc giải trình nội dung này khi gửi lại sổ."})
    return out


def write_letters(consolidation, folder: Path, days: int = 10, today: dt.date | None = None, pdf: bool = True,
                  archive: Path | None = None, by: str = "") -> list[Letter]:
    """``archive``: where each letter is recorded (default: the consolidation's own archive);
    ``by``: who issues them."""
    from . import reports
    from .files import write_atomic
    from .generate import file_name
    from .intake.ledger import Ledger, Request, now, person

    c = consolidation
    campaign, catalog = c.campaign, c.catalog
    today = today or dt.date.today()
    due = working_days_after(today, days)
    deadline = due.strftime("%d/%m/%Y")
    root = archive or (c.ledger.root if c.ledger is not None else None)
    follow = follow_up_items(root, campaign.period)
    issued: list[Request] = []
    body, signer, own = campaign.sender()
    drafting = campaign.contact.get("drafting", "")
    email = campaign.contact.get("email", "")
    warning = unsigned_warning("Thư đề nghị gửi các đơn vị", signer)  # every letter has the same signer: one warning
    received = {f.sha256: f for f in c.files}
    by_unit: dict[str, list[ReceivedFile]] = {}
    for f in c.files:
        if f.unit and f.kind != "appraisal":
            by_unit.setdefault(f.unit, []).append(f)
    env = reports.environment()
    letters = []
    for rows in c.groups.values():
        for row in rows:
            unit = row.unit
            if own is not None and unit.code == own.code:
                continue  # no letter to oneself
            rejected: list[dict[str, str]] = []
            if row.result is None:
                items: list[dict[str, str]] = []
                subject = f"gửi sổ tự đánh giá chuyển đổi số năm {campaign.period}"
                for f in by_unit.get(unit.code, []):
                    why = f.reason if f.state in (UNUSABLE, BLANK_ONLY) else ""
                    rejected.append({"name": received_name(f.source), "received": local_time(f.received), "why": why})
                file_sent = when_received = ""
            else:
                found = [i for i in row.result.issues if i.severity in ASKED]
                carried = follow.get(unit.code, [])
                if not found and not carried:
                    continue
                order = {ERROR: 0, WARNING: 1}
                found.sort(key=lambda i: (order[i.severity], i.sheet, _row_of(i.cell), i.criterion))
                items = [{"where": " · ".join(x for x in (i.sheet, i.cell and f"ô {i.cell}") if x) or "Cả tệp",
                          "criterion": i.criterion, "message": i.message, "hint": i.hint} for i in found] + carried
                subject = f"sửa, giải trình số liệu tự đánh giá chuyển đổi số năm {campaign.period}"
                file_sent = received_name(row.result.name)  # the name the unit gave it, not the path it was filed under here
                in_use = received.get(row.result.sha256)
                when_received = local_time(in_use.received if in_use else None, with_time=False)
            doc = Document(
                body=body, summary=subject, signer=signer, drafting=drafting, date=today, addressees=(unit.heading_name,),
                recipients=recipients(["Như trên"], "VT, " + drafting if drafting else "VT"),
                title=f"V/v {subject} – {unit.name}",
                metadata=reports.pdf_metadata(f"V/v {subject} – {unit.name}", body.name, f"Gửi {unit.heading_name}",
                                           [(row.result.name, row.result.sha256)] if row.result else []),
            )
            context = {
                "unit_name": unit.heading_name, "subject": subject, "period": campaign.period, "catalog_title": catalog.title,
                "source": reports.catalog_source(catalog), "sender": body.name, "email": email, "deadline": deadline,
                "campaign_deadline": campaign.deadline_vi, "items": items, "file_sent": file_sent, "received": when_received,
                "expected_file": file_name(campaign, unit), "rejected": rejected,
            }
            report = reports.render("request.html.j2", doc, **context)
            html_path, pdf_path, text_path = (folder / f"de-nghi-{unit.code}.{ext}" for ext in ("html", "pdf", "txt"))
            reports.write_html(report, html_path)
            text = env.get_template("request.txt.j2").render(doc=doc, **context)
            write_atomic(text_path, text.encode("utf-8"))
            if pdf:
                reports.write_pdf(report, pdf_path)
            letters.append(Letter(unit.code, unit.name, len(items), html_path, pdf_path, text_path, warning, subject))
            issued.append(Request(unit.code, row.result.sha256 if row.result else "", now(), due.isoformat(), len(items),
                                  len(follow.get(unit.code, [])) if row.result else 0, by or person(), text_path.name))
    if root is not None and issued and (root / "ledger.sqlite").is_file():
        ledger = Ledger(root)
        try:
            for sent in issued:
                ledger.request(campaign.period, sent)
            ledger.commit()
        finally:
            ledger.close()
    _manifest(folder, campaign.period, deadline, letters)
    return letters


def _manifest(folder: Path, period: str, deadline: str, letters: list[Letter]) -> None:
    """What was written, for ``hue-dx mail requests`` (each letter's unit and files)."""
    import json

    from . import __version__
    from .files import write_atomic

    listing = {"generator": f"hue-dx {__version__}", "kind": "requests", "period": period, "due": deadline,
               "letters": [letter.as_dict() for letter in letters]}
    write_atomic(folder / MANIFEST, (json.dumps(listing, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _row_of(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0
