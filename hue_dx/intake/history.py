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
    run: float = 0.0  # where it stands among the runs: a run's id, or a decision's last run + 0.5 (orders steps of one second)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["run"]
        return {**out, "what_vi": WORDS[self.what]}

    def line(self) -> str:
        who = f" — {self.by}" if self.by else ""
        return f"{local_time(self.at)}  [{WORDS[self.what]}] {self.text}{who}"


_DAWN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def history(ledger: Ledger, period: str, names: dict[str, str]) -> list[Event]:
    """Every step recorded for ``period``, oldest first (``names``: unit code -> name)."""
    def unit(code: str) -> str:
        return f"{names.get(code, code)} ({code})" if code else "(không rõ đơn vị)"

    events: list[Event] = []
    runs = ledger.runs()
    starts = [(moment(started) or _DAWN, run) for run, started, *_ in runs]

    def after(run: int, at: str) -> float:
        """A decision's place among the runs (a ledger before version 4 kept none: by its time)."""
        if not run:
            when = moment(at) or _DAWN
            run = max((n for start, n in starts if start <= when), default=0)
        return run + 0.5

    windows = _approved_windows(ledger, period)
    for run, started, finished, inputs, files, new, by in runs:
        events.append(Event(started, RUN, by, f"lần chạy {run}: đọc {files} tệp ({new} tệp mới) từ {', '.join(inputs) or '(không có đầu vào)'}",
                            details={"run": run, "finished": finished, "inputs": inputs, "files": files, "new": new}, run=run))
    for run, seen, source, sha, code, kind in ledger.received_in(period):
        during = next((n for n, start, end in windows if start < run <= end), 0)
        late = f"; nhận sau khi duyệt (bản số {during}), không tính cho đến khi mở lại" if during and kind == "self" else ""
        what = {"self": "sổ tự đánh giá", "appraisal": "phiếu thẩm định"}.get(kind, "tệp")
        events.append(Event(seen, RECEIVED, "", f"{what} {file_name(source)} của {unit(code)}, SHA-256 {sha[:16]}…{late}", code,
                            {"run": run, "source": source, "sha256": sha, "kind": kind, "after_approval": during}, run))
    for code, appraiser, saved, criteria, received, source, run in ledger.appraisal_records(period):
        events.append(Event(received, APPRAISAL, appraiser, f"phiếu thẩm định {file_name(source)} của {appraiser} cho {unit(code)}: "
                            f"{criteria} tiêu chí (lưu lúc {local_time(saved)})", code, {"criteria": criteria, "saved": saved, "source": source},
                            run + 0.2))
    for code, choice in ledger.decisions(period):
        text = (f"{unit(code)} dùng tệp SHA-256 {choice.sha256[:16]}…" if choice.sha256 else f"{unit(code)} trở lại quy tắc mặc định")
        events.append(Event(choice.decided_at, CHOICE, choice.by, text + f"; lý do: {choice.reason or '(không ghi)'}", code,
                            {"sha256": choice.sha256, "reason": choice.reason}, after(choice.after_run, choice.decided_at)))
    for sent in ledger.requests(period):
        deadline = dt.date.fromisoformat(sent.deadline).strftime("%d/%m/%Y") if sent.deadline else ""
        about = f"về tệp SHA-256 {sent.sha256[:16]}…" if sent.sha256 else "(đơn vị chưa gửi sổ)"
        carried = f", {sent.follow_ups} nội dung theo dõi của bên thẩm định" if sent.follow_ups else ""
        events.append(Event(sent.issued_at, REQUEST, sent.by, f"thư {sent.letter} gửi {unit(sent.unit)} {about}: {sent.items} nội dung{carried}, "
                            f"hạn {deadline}", sent.unit, {"sha256": sent.sha256, "deadline": sent.deadline, "items": sent.items,
                                                        "follow_ups": sent.follow_ups, "letter": sent.letter}, after(sent.after_run, sent.issued_at)))
    for a in ledger.approvals(period):
        events.append(Event(a.at, APPROVAL, a.by, f"duyệt kết quả, bản số {a.number}; lý do: {a.reason or '(không ghi)'}; "
                            f"bản chốt SHA-256 {a.snapshot_sha256[:16]}…", details={"number": a.number, "reason": a.reason,
                                                                                  "snapshot_sha256": a.snapshot_sha256}, run=after(a.after_run, a.at)))
    for d in ledger.documents(period):
        events.append(Event(d.at, DOCUMENT, d.by, f"{d.what} {d.path} (từ bản duyệt số {d.approval}), SHA-256 {d.sha256[:16]}…",
                            details={"approval": d.approval, "path": d.path, "sha256": d.sha256}, run=after(d.after_run, d.at)))
    for r in ledger.reopenings(period):
        events.append(Event(r.at, REOPENING, r.by, f"mở lại bản duyệt số {r.approval}; lý do: {r.reason}", details={"approval": r.approval,
                                                                                                             "reason": r.reason},
                            run=after(r.after_run, r.at)))
    return sorted(events, key=lambda e: (e.run, moment(e.at) or _DAWN, _ORDER[e.what]))


def _approved_windows(ledger: Ledger, period: str) -> list[tuple[int, int, float]]:
    """(approval, last run before it, last run before its reopening) of each approval: a file
    first received in a run between the two came while it was in force."""
    ends = {r.approval: r.after_run for r in ledger.reopenings(period)}
    return [(a.number, a.after_run, ends.get(a.number, float("inf"))) for a in ledger.approvals(period)]
