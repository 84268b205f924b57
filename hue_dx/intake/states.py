"""Where each unit stands in a campaign, derived from the ledger, never stored: chưa gửi, đã
nhận, đề nghị sửa (a letter issued, with its date and deadline), đã sửa (a file received after
the letter), đã thẩm định (appraisals applied to the file in use), đã duyệt (the consolidation
approved); and how the campaign itself stands (approved, reopened, or never approved), in words.

Order of the rules, for one unit: an approval in force decides (đã duyệt, for a unit ranked in
it); without a file in use the unit has not sent (chưa gửi, even when asked to); an appraisal
made after the latest letter (or with no letter) makes it đã thẩm định; the latest letter makes
it đề nghị sửa while the file it was about is still in use, đã sửa once a file received after
the letter is; otherwise đã nhận.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..documents import local_time
from .ledger import Approval, FileRow, Reopening, Request, moment

NOT_SENT, RECEIVED, ASKED, CORRECTED, APPRAISED, APPROVED = "chưa gửi", "đã nhận", "đề nghị sửa", "đã sửa", "đã thẩm định", "đã duyệt"
STATES = (NOT_SENT, RECEIVED, ASKED, CORRECTED, APPRAISED, APPROVED)


@dataclass(frozen=True)
class UnitState:
    """One unit's state, and the facts it was derived from."""

    unit: str
    state: str  # one of STATES
    file: str = ""  # SHA-256 of the file in use
    received: str = ""  # when that file was received (ISO)
    requested: str = ""  # the latest letter: when issued (ISO)
    deadline: str = ""  # and its deadline (ISO date)
    items: int = 0  # and how many cells it asked about
    appraised: str = ""  # when the latest appraisal workbook applied was received (ISO)
    approval: int = 0  # the approval it is part of (0: none)

    def overdue(self, today: dt.date) -> bool:
        return self.state == ASKED and bool(self.deadline) and dt.date.fromisoformat(self.deadline) < today

    @property
    def detail(self) -> str:
        """The facts in words: "đề nghị ngày 27/11/2026, hạn 11/12/2026 (5 nội dung)"."""
        parts = []
        if self.requested:
            deadline = dt.date.fromisoformat(self.deadline).strftime("%d/%m/%Y") if self.deadline else ""
            asked = "đề nghị gửi sổ" if not self.file else "đề nghị sửa"  # a unit that sent nothing was asked to send
            parts.append(f"{asked} ngày {local_time(self.requested, with_time=False)}" + (f", hạn {deadline}" if deadline else "")
                         + (f" ({self.items} nội dung)" if self.items else ""))
        if self.appraised:
            parts.append(f"thẩm định ngày {local_time(self.appraised, with_time=False)}")
        if self.approval:
            parts.append(f"bản đã duyệt số {self.approval}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UnitState:
        return cls(**{k: v for k, v in data.items() if k != "detail"})


def unit_state(unit: str, row: FileRow | None, requests: Iterable[Request], appraised: str = "", approval: int = 0) -> UnitState:
    """``row``: the unit's file in use (None: nothing counts); ``requests``: the unit's letters;
    ``appraised``: when the latest appraisal applied to the file in use was received ("": none)."""
    latest = max(requests, key=lambda r: moment(r.issued_at) or _DAWN, default=None)
    asked = dict(requested=latest.issued_at, deadline=latest.deadline, items=latest.items) if latest else {}
    if row is None:
        return UnitState(unit, NOT_SENT, **asked)  # type: ignore[arg-type]
    facts = dict(file=row.sha256, received=row.received_at, appraised=appraised, **asked)
    if approval:
        return UnitState(unit, APPROVED, approval=approval, **facts)  # type: ignore[arg-type]
    asked_at = moment(latest.issued_at) if latest else None
    if appraised and (asked_at is None or (moment(appraised) or _DAWN) >= asked_at):
        return UnitState(unit, APPRAISED, **facts)  # type: ignore[arg-type]
    if latest is not None:
        after = row.sha256 != latest.sha256 and (moment(row.received_at) or _DAWN) >= (asked_at or _DAWN)
        return UnitState(unit, CORRECTED if after else ASKED, **facts)  # type: ignore[arg-type]
    return UnitState(unit, RECEIVED, **facts)  # type: ignore[arg-type]


_DAWN = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def standing_words(approval: Approval | None, reopened: Reopening | None, reproduced: bool) -> str:
    """How a document made now stands against the approvals, in one sentence for its reader."""
    if approval is not None and reproduced:
        return (f"Kết quả đã duyệt số {approval.number} ngày {local_time(approval.at)} ({approval.by}); "
                f"bản chốt SHA-256 {approval.snapshot_sha256[:16]}…: tài liệu này lập lại đúng bản đã duyệt.")
    if reopened is not None:
        return (f"Kết quả đã duyệt số {reopened.approval} đã được mở lại ngày {local_time(reopened.at)} ({reopened.by}; lý do: "
                f"{reopened.reason}): tài liệu này lập từ số liệu hiện có, KHÔNG phải bản đã duyệt.")
    return "Kết quả chưa được duyệt: tài liệu này KHÔNG phải bản đã duyệt."


def standing_short(approval: Approval | None, reopened: Reopening | None) -> str:
    """The same in a few words, for a sheet's subtitle: "đã duyệt số 1 ngày 10/12/2026 09:00"."""
    if approval is not None:
        return f"đã duyệt số {approval.number} ngày {local_time(approval.at)} ({approval.by})"
    if reopened is not None:
        return f"bản đã duyệt số {reopened.approval} đã mở lại ngày {local_time(reopened.at)}: KHÔNG phải bản đã duyệt"
    return "chưa duyệt: KHÔNG phải bản đã duyệt"


def approval_record(approval: Approval | None) -> dict[str, Any] | None:
    """The approval a result reproduces, for machines (JSON): who, when, the snapshot's SHA-256."""
    if approval is None:
        return None
    return {"number": approval.number, "by": approval.by, "at": approval.at, "reason": approval.reason,
            "snapshot_sha256": approval.snapshot_sha256}
