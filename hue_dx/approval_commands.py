"""`hue-dx approve`, `hue-dx reopen`, `hue-dx log`: the commands of approval and history, on an
archive (the library: ``intake.approval``, ``intake.history``). Thin: arguments in, the
library called, Vietnamese lines out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .commandline import EXIT_OK
from .errors import UsageError


def run(args: argparse.Namespace, out) -> int:
    from . import campaign as campaign_mod
    from . import catalog as catalog_mod

    campaign = campaign_mod.load(args.recipe)
    catalog = catalog_mod.load(campaign.catalog)
    root = args.archive or campaign.archive
    if not (root / "ledger.sqlite").is_file():
        raise UsageError(f"Không có sổ cái ở {root}: tổng hợp trước (hue-dx consolidate), hoặc chỉ --archive THƯ_MỤC")
    if args.command == "approve":
        return _approve(args, out, campaign, catalog, root)
    if args.command == "reopen":
        return _reopen(args, out, campaign, root)
    return _log(args, out, campaign, catalog, root)


def documents(c, folder: Path, pdf: bool = True) -> list[tuple[str, Path]]:
    """Write the documents of a consolidation into ``folder``: (kind in words, path) of each."""
    from . import reports
    from .files import write_atomic
    from .intake.outputs import write_csv, write_json, write_workbook
    from .intake.years import attach

    if c.comparison is None:  # against the years before, as every later output of it shows them
        attach(c)
    period = c.campaign.period
    written: list[tuple[str, Path]] = []
    workbook, data = folder / f"xep-hang-{period}.xlsx", folder / f"xep-hang-{period}.json"
    write_workbook(c, workbook)
    write_json(c, data)
    written += [("sổ xếp hạng", workbook), ("JSON", data)]
    written += [(f"CSV {p.name}", p) for p in write_csv(c, folder / "du-lieu-mo")]
    report = reports.ranking_report(c)
    html = folder / f"bao-cao-xep-hang-{period}.html"
    reports.write_html(report, html)
    written.append(("báo cáo HTML", html))
    if pdf:
        path = folder / f"bao-cao-xep-hang-{period}.pdf"
        write_atomic(path, reports.pdf_of(report).data)
        written.append(("báo cáo PDF", path))
    return written


def _approve(args: argparse.Namespace, out, campaign, catalog, root: Path) -> int:
    from .central import from_option
    from .intake import approval
    from .intake.consolidate import from_ledger
    from .intake.ledger import person

    live = from_ledger(catalog, campaign, root, central=from_option(args.central, catalog, campaign))
    who = person(args.by)
    folder = args.out or Path("out") / f"da-duyet-{campaign.period}"
    approved, issued = approval.approve(live, root, who, args.reason, lambda c: documents(c, folder, pdf=not args.no_pdf))
    assert approved.approval is not None
    ranked = sum(1 for rows in approved.groups.values() for r in rows if r.result)
    a = approved.approval
    out.write(f"Đã duyệt kết quả kỳ {campaign.period}, bản số {a.number}: {who}, lý do: {a.reason or '(không ghi)'}.\n"
              f"{ranked} đơn vị được xếp hạng, {len(approved.missing)} đơn vị chưa gửi; bản chốt SHA-256 {a.snapshot_sha256}.\n"
              + ("Có dùng số liệu do Sở cung cấp (--central).\n" if args.central else ""))
    out.write("Tài liệu đã lập từ bản chốt (SHA-256 ghi vào sổ cái):\n")
    for doc in issued:
        out.write(f"  {doc.what}: {doc.path}\n")
    out.write("Từ nay bảng xếp hạng và tài liệu giữ nguyên; tệp nhận sau được lưu và liệt kê (nhận sau khi duyệt). "
              "Muốn tính tệp mới: hue-dx reopen --reason \"…\".\n")
    return EXIT_OK


def _reopen(args: argparse.Namespace, out, campaign, root: Path) -> int:
    from .documents import local_time
    from .intake import approval
    from .intake.ledger import person

    done = approval.reopen(root, campaign.period, person(args.by), args.reason)
    out.write(f"Đã mở lại bản duyệt số {done.approval} của kỳ {campaign.period} ({done.by}, {local_time(done.at)}; lý do: {done.reason}).\n"
              "Lần tổng hợp sau tính cả các tệp nhận sau khi duyệt; mọi tài liệu lập từ nay ghi rõ không phải bản đã duyệt. "
              "Duyệt lại: hue-dx approve.\n")
    return EXIT_OK


def _log(args: argparse.Namespace, out, campaign, catalog, root: Path) -> int:
    from .intake.check import Context
    from .intake.consolidate import Assessment
    from .intake.engine import open_ledger
    from .intake.history import history

    open_ledger(Assessment(Context(catalog, campaign, {}), catalog, campaign), root).close()  # another kind's archive is refused
    from .intake.ledger import Ledger

    ledger = Ledger.reader(root)
    try:
        events = history(ledger, campaign.period, {u.code: u.name for u in campaign.units})
        approval, reopened = ledger.standing(campaign.period)
    finally:
        ledger.close()
    if args.json:
        payload: dict[str, Any] = {"period": campaign.period, "archive": str(root), "events": [e.as_dict() for e in events],
                                   "approval": None if approval is None else {"number": approval.number, "by": approval.by, "at": approval.at,
                                                                               "snapshot_sha256": approval.snapshot_sha256}}
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    from .intake.states import standing_short

    out.write(f"Lịch sử đợt đánh giá kỳ {campaign.period} (kho {root}): {len(events)} bước; hiện: {standing_short(approval, reopened)}.\n")
    for e in events:
        out.write(e.line() + "\n")
    if not events:
        out.write("  (chưa có gì)\n")
    return EXIT_OK
