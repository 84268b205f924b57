"""An officer's choice of the file that counts for a unit, the same for every kind of return
(``hue-dx choose`` for the assessment, ``hue-dx tasks choose`` for a quarter): list the unit's
files, record a choice with its reason and who made it (the latest decision wins), or go back to
the rule, itself a recorded decision (the ledger keeps every one: ``hue-dx log``). The choice is
honoured by the next consolidation (``Ledger.current``) and said there (``file-chosen``)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..documents import local_time
from .engine import ReturnKind, open_ledger
from .ledger import person
from .received import InputError


def choose(kind: ReturnKind, root: Path, unit: tuple[str, str], period: str, sha: str | None, reason: str, *, undo: bool,
           rerun: str, out: TextIO, by: str | None = None) -> int:
    """``unit`` is (code, name); ``rerun`` the command that brings the choice into the outputs;
    ``by`` who decides (else the system user). Without ``sha``, the unit's files are listed.
    Returns the exit status (0)."""
    code, name = unit
    if not (root / "ledger.sqlite").is_file():
        raise InputError(f"Không có sổ cái ở {root}: tổng hợp trước, hoặc chỉ --archive THƯ_MỤC")
    ledger = open_ledger(kind, root)
    try:
        if undo:
            who = person(by)
            if not ledger.unchoose(period, code, reason, who):
                out.write(f"{name} không có quyết định chọn tệp nào đang có hiệu lực: không ghi gì.\n")
                return 0
            out.write(f"Đã ghi quyết định của {who}: {name} trở lại quy tắc mặc định (các quyết định trước vẫn lưu trong sổ cái). "
                      f"Chạy lại {rerun} để cập nhật.\n")
            return 0
        files = ledger.unit_files(code, period, kind.kind)
        wanted = sha.strip().lower() if sha else ""
        matches = [f for f in files if wanted and f.sha256.startswith(wanted)]
        if len(matches) != 1:
            out.write(f"Các tệp của {name} ({code}) trong sổ cái, kỳ {kind.period_vi(period)}:\n")
            for f in files:
                state = "dùng được" if f.accepted else "không dùng được"
                out.write(f"  {f.sha256[:16]}  {f.sent_or_saved} {local_time(f.sent or f.modified or f.received_at)}  "
                          f"{max(f.figures, 0)} ô số liệu  {state}  {f.source}\n")
            if not files:
                out.write("  (chưa có tệp nào)\n")
            if sha:
                raise InputError(f"mã {sha!r} {'khớp nhiều tệp' if matches else 'không khớp tệp nào'} của đơn vị {code}")
            return 0
        chosen = matches[0]
        if not chosen.accepted:
            raise InputError(f"tệp {chosen.source} không dùng được (xem trang 'Vấn đề' của bảng tổng hợp); không thể chọn")
        who = person(by)
        ledger.choose(period, code, chosen.sha256, reason, who)
    finally:
        ledger.close()
    note = " (tệp chưa có số liệu!)" if chosen.figures == 0 else ""
    out.write(f"Đã ghi quyết định của {who}: {name} dùng tệp {chosen.source} (SHA-256 {chosen.sha256[:16]}…){note}. Chạy lại {rerun} để cập nhật.\n")
    return 0
