"""Approval and locking: a ranking the Chairman signs stays what he signed.

``approve`` freezes the consolidation as it stands into a snapshot: every figure the outputs
need (each unit's file in use and its SHA-256, scores per criterion and pillar, self and final,
appraisals applied, ranks, the listing of files received, the province-wide figures, the issue
counts, the units' states and versions), as JSON, kept in the ledger's ``approvals`` table with
its SHA-256, with who approved, when and why; the documents issued from it (ranking workbook,
JSON, report) are written from the snapshot and recorded with their SHA-256 (``documents``).

While an approval is in force, every consolidation (``consolidate``, ``report ranking``,
``publish``) is rebuilt from the snapshot (``settle``): files received since are still checked,
archived and recorded, and listed apart (``after_approval``, "nhận sau khi duyệt"), but the
ranking and its documents do not change: the documents carry the approval's time, not the
run's, so they come out byte for byte as issued. ``reopen`` (recorded, with a reason) lifts the
lock; what was received since then counts, and the documents say they are not the approved one.

Nothing here is updated or deleted: approvals and reopenings are rows added to the ledger,
which refuses to change them (``ledger.APPEND_ONLY``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__
from ..appraisal import Appraisal
from ..campaign import Campaign, Unit
from ..catalog import Catalog
from ..documents import local_time
from ..errors import HueDxError, UsageError
from ..issues import Issue
from .engine import ReceivedFile
from .ledger import Approval, Issued, Ledger, Reopening, now
from .results import Consolidation, FileSummary, Final, LedgerFiles, Scores, UnitRow
from .states import APPROVED, NOT_SENT, UnitState
from .versions import VersionChange

FORMAT = 1  # of the snapshot
AFTER = "nhận sau khi duyệt"


class SnapshotError(HueDxError):
    """A snapshot that cannot be reproduced as it was approved (altered, or made for another criteria set)."""


# ------------------------------------------------------------------------------ the snapshot


def _scores(s: Scores) -> dict[str, Any]:
    return {"criteria": [[code, points, status, words, amax] for code, points, amax, status, words in s.rows()],
            "pillars": [[p.code, p.points, p.applicable_max, p.index] for p in s.pillars],
            "total": [s.total.points, s.total.applicable_max, s.total.index]}


def _unit_row(r: UnitRow) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": dataclasses.asdict(r.unit), "rank": r.rank, "pillar_ranks": r.pillar_ranks, "result": None}
    if r.result is not None:
        f = r.result
        out["result"] = {"name": f.name, "sha256": f.sha256, "modified": f.modified, "figures": f.figures, "errors": f.errors,
                         "warnings": f.warnings, "late": f.late, "pillars": [list(p) for p in f.pillars], "total": list(f.total),
                         "extra": [list(i) for i in f.extra], "mail_late": f.mail_late}
    if r.final is not None:
        out["self"] = _scores(r.final.self_result)
        out["final"] = None if r.final.final is r.final.self_result else _scores(r.final.final)
        out["applied"] = {code: dataclasses.asdict(a) for code, a in r.final.applied.items()}
        out["conflicts"] = {code: [dataclasses.asdict(a) for a in items] for code, items in r.final.conflicts.items()}
    return out


def fingerprint(catalog: Catalog) -> list[str]:
    return [catalog.id, catalog.version, *(c.code for c in catalog.criteria)]


def _recipe_sha256(campaign: Campaign) -> str:
    path = campaign.path
    return hashlib.sha256(path.read_bytes()).hexdigest() if path and Path(path).is_file() else ""


def snapshot_of(c: Consolidation, number: int) -> dict[str, Any]:
    """Everything the outputs of ``c`` need, as JSON-able data; the units ranked become
    "đã duyệt" in approval ``number``."""
    approved = {code: dataclasses.replace(s, state=APPROVED, approval=number) if s.state != NOT_SENT else s for code, s in c.states.items()}
    return {
        "format": FORMAT, "hue_dx": __version__, "period": c.campaign.period, "catalog": fingerprint(c.catalog),
        # files_seen of the approved result: every file it was made from (a run's own count would vary with the run)
        "recipe_sha256": _recipe_sha256(c.campaign), "seen": len(c.files), "new": 0,
        "groups": [[group, [_unit_row(r) for r in rows]] for group, rows in c.groups.items()],
        "missing": [dataclasses.asdict(u) for u in c.missing],
        "files": [f.as_dict() for f in c.files],
        "province": c.province, "differences": c.differences,
        "run_issues": [list(i) for i in c.run_issues], "superseded": [list(i) for i in c.superseded], "not_in_use": c.not_in_use,
        "issue_counts": [[severity, code, n] for (severity, code), n in c.issue_counts.items()],
        "issue_units": [[severity, code, sorted(units)] for (severity, code), units in c.issue_units.items()],
        "states": {code: s.as_dict() for code, s in approved.items()},
        "versions": {code: v.as_dict() for code, v in c.versions.items()},
    }


def dumps(snapshot: dict[str, Any]) -> tuple[str, str]:
    """The snapshot's text as kept (the same data always gives the same text) and its SHA-256."""
    text = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_scores(catalog: Catalog, data: dict[str, Any]) -> Scores:
    return Scores.stored(catalog, [tuple(c) for c in data["criteria"]], [tuple(p) for p in data["pillars"]], tuple(data["total"]))


def _restored_row(catalog: Catalog, data: dict[str, Any], files: LedgerFiles) -> UnitRow:
    row = UnitRow(Unit(**data["unit"]), None, data["rank"], dict(data["pillar_ranks"]))
    f = data["result"]
    if f is not None:
        row.result = FileSummary(f["name"], f["sha256"], f["modified"], f["figures"], f["errors"], f["warnings"], f["late"],
                                 tuple(tuple(p) for p in f["pillars"]), tuple(f["total"]),  # type: ignore[arg-type]
                                 [Issue(*i) for i in f["extra"]], f["mail_late"], files)
    if "self" in data:
        own = _stored_scores(catalog, data["self"])
        final = own if data["final"] is None else _stored_scores(catalog, data["final"])
        row.final = Final(own, final, {code: Appraisal(**a) for code, a in data["applied"].items()},
                          {code: [Appraisal(**a) for a in items] for code, items in data["conflicts"].items()})
    return row


def restore(text: str, sha256: str, catalog: Catalog, campaign: Campaign, root: Path) -> Consolidation:
    """The approved consolidation, rebuilt from its snapshot (checked against its SHA-256)."""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
        raise SnapshotError(f"bản chốt của kỳ {campaign.period} trong sổ cái {root} không còn khớp mã SHA-256 đã ghi khi duyệt: "
                            "sổ cái đã bị sửa ngoài hue-dx; khôi phục sổ cái từ bản sao lưu")
    data = json.loads(text)
    if data["catalog"] != fingerprint(catalog):
        raise SnapshotError(f"kết quả đã duyệt lập theo bộ tiêu chí {data['catalog'][0]} phiên bản {data['catalog'][1]}, nay đang dùng "
                            f"{catalog.id} phiên bản {catalog.version}: dùng lại đúng bộ tiêu chí đã duyệt, hoặc mở lại (hue-dx reopen)")
    files = LedgerFiles(root)
    c = Consolidation(catalog, campaign, {}, [Unit(**u) for u in data["missing"]], [ReceivedFile(**f) for f in data["files"]],
                      data["province"], seen=data["seen"], new=data["new"], differences=data["differences"], ledger=files)
    for group, rows in data["groups"]:
        c.groups[group] = [_restored_row(catalog, r, files) for r in rows]
    c.run_issues = [Issue(*i) for i in data["run_issues"]]
    c.superseded = [Issue(*i) for i in data["superseded"]]
    c.not_in_use = list(data["not_in_use"])
    c.issue_counts = Counter({(severity, code): n for severity, code, n in data["issue_counts"]})
    c.issue_units = {(severity, code): set(units) for severity, code, units in data["issue_units"]}
    c.states = {code: UnitState.from_dict(s) for code, s in data["states"].items()}
    c.versions = {code: VersionChange.from_dict(v) for code, v in data["versions"].items()}
    c.others = [f.source for f in c.files if f.kind in ("other", "problem")]
    return c


def differences(text: str, campaign: Campaign) -> list[str]:
    """What differs, since the snapshot was made, in what the documents take from outside it
    (the hue-dx version, the campaign recipe: its signer, its headings), in words."""
    data = json.loads(text)
    out = []
    if data["hue_dx"] != __version__:
        out.append(f"bản chốt lập bằng hue-dx {data['hue_dx']}, nay là {__version__}: số liệu giữ nguyên, tài liệu có thể khác từng byte")
    if data["recipe_sha256"] and data["recipe_sha256"] != _recipe_sha256(campaign):
        out.append(f"tệp đợt đánh giá {campaign.path} đã sửa sau khi duyệt: tiêu đề, người ký của tài liệu có thể khác bản đã duyệt")
    return out


# ------------------------------------------------------------------------------ in force


def settle(live: Consolidation, root: Path) -> Consolidation:
    """The consolidation outputs are made from: the approved one while an approval is in force
    (rebuilt from its snapshot, what was received since listed apart, ``live`` kept beside it),
    else ``live`` itself, which then says whether an approval was reopened."""
    if not (root / "ledger.sqlite").is_file():
        return live
    ledger = Ledger.reader(root)
    try:
        approval, reopened = ledger.standing(live.campaign.period)
        if approval is None:
            live.reopened = reopened
            return live
        text = ledger.snapshot(live.campaign.period, approval.number)
    finally:
        ledger.close()
    approved = restore(text, approval.snapshot_sha256, live.catalog, live.campaign, root)
    approved.approval, approved.live = approval, live
    known = {f.sha256 for f in approved.files}
    approved.after_approval = [dataclasses.replace(f, state=AFTER, reason=f"sau bản đã duyệt số {approval.number}; nếu mở lại: {f.state}"
                                                   + (f" ({f.reason})" if f.reason else ""))
                               for f in live.files if f.sha256 not in known]
    return approved


# ------------------------------------------------------------------------------ deciding


def approve(live: Consolidation, root: Path, by: str, reason: str,
            issue: Callable[[Consolidation], list[tuple[str, Path]]] | None = None) -> tuple[Consolidation, list[Issued]]:
    """Freeze ``live`` (the consolidation as the archive stands: ``consolidate.from_ledger``) as
    the next approval of its period; return the approved consolidation rebuilt from the snapshot,
    as every later run will, and the documents ``issue`` wrote from it ((kind, path) of each),
    recorded with their SHA-256. One transaction: if a document cannot be written, nothing is
    recorded. Refused while another approval is in force."""
    ledger = Ledger(root)
    try:
        period = live.campaign.period
        current, _ = ledger.standing(period)
        if current is not None:
            raise UsageError(f"kỳ {period} đã duyệt (bản số {current.number}, {current.by}, {local_time(current.at)}); muốn duyệt lại, "
                             "mở lại trước: hue-dx reopen --reason \"…\"")
        if not any(r.result for rows in live.groups.values() for r in rows):
            raise UsageError(f"chưa có đơn vị nào được xếp hạng trong kỳ {period}: không có gì để duyệt")
        number = len(ledger.approvals(period)) + 1
        text, sha = dumps(snapshot_of(live, number))
        approval = ledger.approve(period, by, reason, text, sha)
        approved = restore(text, sha, live.catalog, live.campaign, root)
        approved.approval = approval
        at = now()
        issued = [Issued(approval.number, what, str(path), hashlib.sha256(path.read_bytes()).hexdigest(), at, by)
                  for what, path in (issue(approved) if issue is not None else [])]
        for doc in issued:
            ledger.issued(period, doc)
        ledger.commit()
    finally:
        ledger.close()  # uncommitted (a refusal, a document that could not be written): nothing recorded
    return approved, issued


def reopen(root: Path, period: str, by: str, reason: str) -> Reopening:
    """Lift the approval in force (recorded, with who and why)."""
    if not reason.strip():
        raise UsageError("cần lý do mở lại: --reason \"…\" (ghi vào sổ cái)")
    ledger = Ledger(root)
    try:
        current, reopened = ledger.standing(period)
        if current is None:
            said = f" (bản số {reopened.approval} đã mở lại {local_time(reopened.at)})" if reopened else ""
            raise UsageError(f"kỳ {period} chưa có kết quả nào đang được duyệt{said}: không có gì để mở lại")
        done = ledger.reopen(period, current.number, by, " ".join(reason.split()))
        ledger.commit()
    finally:
        ledger.close()
    return done


def same_as_issued(root: Path, period: str, approval: Approval, what: str, path: Path) -> bool | None:
    """Whether a document just written is byte for byte the one of its kind issued from the
    approval (None when none of that kind was issued)."""
    ledger = Ledger.reader(root)
    try:
        issued = [d for d in ledger.documents(period) if d.approval == approval.number and d.what == what]
    finally:
        ledger.close()
    if not issued:
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest() == issued[0].sha256
