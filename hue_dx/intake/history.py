"""`hue-dx log`: a campaign's history from its ledger, every step with its time and its name.

The runs (who ran them), the files received (a file received while an approval was in force is
said to be so), the officers' choices (and their undoing), the letters asking for corrections,
the appraisal workbooks, the approvals and the documents issued from them, the reopenings:
each an ``Event``, oldest first, in Vietnamese for a person and as records for machines. Read
only: the ledger is opened read-only and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from ..documents import local_time
from .ledger import Ledger, file_name, moment

RUN, RECEIVED, CHOICE, REQUEST, APPRAISAL, APPROVAL, DOCUMENT, REOPENING = (
    "run", "received", "choice", "request", "appraisal", "approval", "document", "reopening")
WORDS = {RUN: "tổng hợp", RECEIVED: "nhận tệp", CHOICE: "chọn tệp", REQUEST: "đề nghị sửa", APPRAISAL: "thẩm định",
         APPROVAL: "duyệt", DOCUMENT: "ban hành", REOPENING: "mở lại"}
_ORDER = {RUN: 0, RECEIVED: 1, APPRAISAL: 2, CHOICE: 3, REQUEST: 4, APPROVAL: 5, DOCUMENT: 6, REOPENING: 7}


@dataclass(frozen=True)
class Event:
    """One step of a campaign's history."""

    at: str  # ISO time
    what: str  # one of WORDS
    by: str  # who ("" when the ledger did not record it: older ledgers, files received)
    text: str  # in Vietnamese
    unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "what_vi": WORDS[self.what]}

    def line(self) -> str:
        who = f" — {self.by}" if self.by else ""
        return f"{local_time(self.at)}  [{WORDS[self.what]}] {self.text}{who}"


_DAWN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def history(ledger: Ledger, period: str, names: dict[str, str]) -> list[Event]:
    """Every step recorded for ``period``, oldest first (``names``: unit code -> name)."""
    def unit(code: str) -> str:
        return f"{names.get(code, code)} ({code})" if code else "(không rõ đơn vị)"

    events: list[Event] = []
    windows = _approved_windows(ledger, period)
    for run, started, finished, inputs, files, new, by in ledger.runs():
        events.append(Event(started, RUN, by, f"lần chạy {run}: đọc {files} tệp ({new} tệp mới) từ {', '.join(inputs) or '(không có đầu vào)'}",
                            details={"run": run, "finished": finished, "inputs": inputs, "files": files, "new": new}))
    for run, seen, source, sha, code, kind in ledger.received_in(period):
        during = next((n for n, start, end in windows if start <= (moment(seen) or _DAWN) < end), 0)
        after = f"; nhận sau khi duyệt (bản số {during}), không tính cho đến khi mở lại" if during and kind == "self" else ""
        what = {"self": "sổ tự đánh giá", "appraisal": "phiếu thẩm định"}.get(kind, "tệp")
        events.append(Event(seen, RECEIVED, "", f"{what} {file_name(source)} của {unit(code)}, SHA-256 {sha[:16]}…{after}", code,
                            {"run": run, "source": source, "sha256": sha, "kind": kind, "after_approval": during}))
    for code, appraiser, saved, criteria, received, source in ledger.appraisal_records(period):
        events.append(Event(received, APPRAISAL, appraiser, f"phiếu thẩm định {file_name(source)} của {appraiser} cho {unit(code)}: "
                            f"{criteria} tiêu chí (lưu lúc {local_time(saved)})", code, {"criteria": criteria, "saved": saved, "source": source}))
    for code, choice in ledger.decisions(period):
        text = (f"{unit(code)} dùng tệp SHA-256 {choice.sha256[:16]}…" if choice.sha256 else f"{unit(code)} trở lại quy tắc mặc định")
        events.append(Event(choice.decided_at, CHOICE, choice.by, text + f"; lý do: {choice.reason or '(không ghi)'}", code,
                            {"sha256": choice.sha256, "reason": choice.reason}))
    for sent in ledger.requests(period):
        deadline = dt.date.fromisoformat(sent.deadline).strftime("%d/%m/%Y") if sent.deadline else ""
        about = f"về tệp SHA-256 {sent.sha256[:16]}…" if sent.sha256 else "(đơn vị chưa gửi sổ)"
        carried = f", {sent.follow_ups} nội dung theo dõi của bên thẩm định" if sent.follow_ups else ""
        events.append(Event(sent.issued_at, REQUEST, sent.by, f"thư {sent.letter} gửi {unit(sent.unit)} {about}: {sent.items} nội dung{carried}, "
                            f"hạn {deadline}", sent.unit, {"sha256": sent.sha256, "deadline": sent.deadline, "items": sent.items,
                                                        "follow_ups": sent.follow_ups, "letter": sent.letter}))
    for a in ledger.approvals(period):
        events.append(Event(a.at, APPROVAL, a.by, f"duyệt kết quả, bản số {a.number}; lý do: {a.reason or '(không ghi)'}; "
                            f"bản chốt SHA-256 {a.snapshot_sha256[:16]}…", details={"number": a.number, "reason": a.reason,
                                                                                  "snapshot_sha256": a.snapshot_sha256}))
    for d in ledger.documents(period):
        events.append(Event(d.at, DOCUMENT, d.by, f"{d.what} {d.path} (từ bản duyệt số {d.approval}), SHA-256 {d.sha256[:16]}…",
                            details={"approval": d.approval, "path": d.path, "sha256": d.sha256}))
    for r in ledger.reopenings(period):
        events.append(Event(r.at, REOPENING, r.by, f"mở lại bản duyệt số {r.approval}; lý do: {r.reason}", details={"approval": r.approval,
                                                                                                             "reason": r.reason}))
    return sorted(events, key=lambda e: (moment(e.at) or _DAWN, _ORDER[e.what]))


def _approved_windows(ledger: Ledger, period: str) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """(approval, from, until) of each time an approval was in force."""
    ends = {r.approval: moment(r.at) or _DAWN for r in ledger.reopenings(period)}
    far = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
    return [(a.number, moment(a.at) or _DAWN, ends.get(a.number, far)) for a in ledger.approvals(period)]
