"""Every file received is accounted for: archives inside archives (to a stated depth), e-mails
and mailboxes with their attachments (sender and date become the received date), files
that are not workbooks, two files of one name; what counts as a unit's submission (a blank
file never replaces a filled one, a file with fewer figures is flagged, an officer's choice
is recorded and honoured)."""

from __future__ import annotations

import hashlib
import json
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import corpus
import pytest
from openpyxl import load_workbook
from xlsxedit import pack

from hue_dx import cli
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.outputs import write_json, write_workbook
from hue_dx.intake.received import MAX_DEPTH, Spool, walk


def _mail(sender: str, when: str, attachments: dict[str, bytes], subject: str = "Gửi sổ tự đánh giá") -> EmailMessage:
    import datetime as dt

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "stttt@thuathienhue.gov.vn", subject
    message["Date"] = format_datetime(dt.datetime.fromisoformat(when))
    message.set_content("Kính gửi Sở Thông tin và Truyền thông,\nđơn vị gửi kèm sổ tự đánh giá.")
    for name, data in attachments.items():
        kind = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet") if name.endswith(".xlsx") else ("application", "octet-stream")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message


@pytest.fixture(scope="module")
def files(corpus_world):
    cases, campaign, catalog, ctx = corpus_world
    return {c.name: c.data for c in cases}, campaign, catalog, ctx


def test_nested_archives_e_mails_and_mailboxes_are_opened_and_every_file_listed(files, tmp_path):
    data, campaign, catalog, ctx = files
    inbox = tmp_path / "thu-den"
    inbox.mkdir()
    good, syt = data["2020_STTTT_so-thong-tin.xlsx"], data["SYT lan 2 da sua.xlsx"]
    # a zip inside a zip (two levels: opened), and one nested past the limit (reported)
    (inbox / "ngoai.zip").write_bytes(pack({"trong/trong.zip": pack({"STTTT.xlsx": good})}))
    deep = pack({"a.xlsx": data["A Luoi.xlsx"]})
    for level in range(MAX_DEPTH):
        deep = pack({f"lop-{level}.zip": deep})
    (inbox / "qua-sau.zip").write_bytes(deep)
    # an e-mail with a workbook named in Vietnamese, a zip holding another, and a Word file
    message = _mail("Văn thư Sở Y tế <vanthu@syt.gov.vn>", "2025-12-08T09:30:00+07:00",
                    {"Sổ đánh giá Sở Y tế.xlsx": syt, "kèm theo.zip": pack({"Nam Đông.xlsx": data["Nam Dong.xlsx"]}),
                     "Công văn.docx": pack({"word/document.xml": b"<w:document/>"})})
    (inbox / "thu Y te.eml").write_bytes(message.as_bytes())
    # a mailbox with two messages
    box = mailbox.mbox(str(inbox / "hop-thu.mbox"))
    box.add(_mail("Sở Tư pháp <stp@thuathienhue.gov.vn>", "2025-12-09T10:00:00+07:00", {"STP.xlsx": data["STP chen dong.xlsx"]}))
    box.add(_mail("Thanh tra <tt@thuathienhue.gov.vn>", "2025-12-10T10:00:00+07:00", {"TTT.xlsx": data["Thanh tra khong kiem chung.xlsx"]}))
    box.flush()
    box.close()
    # files beside the workbooks, and two different files of one name in two folders
    (inbox / "bien ban.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    (inbox / "anh chup.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    for folder, name in (("lan-1", "SYT lan 1.xlsx"), ("lan-2", "SYT lan 2 da sua.xlsx")):
        (inbox / folder).mkdir()
        (inbox / folder / "SYT.xlsx").write_bytes(data[name])

    with Spool() as spool:
        items = walk([inbox], spool)
    sources = [i.source for i in items]
    assert str(inbox / "ngoai.zip") + "!/trong/trong.zip!/STTTT.xlsx" in sources
    deep_item = next(i for i in items if i.source.startswith(str(inbox / "qua-sau.zip")) and i.kind != "container")
    assert deep_item.kind == "problem" and deep_item.note == "archive-too-deep"
    containers = {i.source: i.note for i in items if i.kind == "container"}
    assert containers[str(inbox / "ngoai.zip")] == containers[str(inbox / "ngoai.zip") + "!/trong/trong.zip"] == "tệp nén .zip, đã mở: 1 tệp"
    mail_items = [i for i in items if "thu Y te.eml" in i.source]
    assert {i.name for i in mail_items if i.kind != "container"} == {"Sổ đánh giá Sở Y tế.xlsx", "Nam Đông.xlsx", "Công văn.docx"}
    assert {i.name for i in mail_items if i.kind == "container"} == {"thu Y te.eml", "kèm theo.zip"}
    assert containers[str(inbox / "thu Y te.eml")] == "thư điện tử .eml, đã mở: 3 tệp đính kèm"
    assert all(i.sender == "Văn thư Sở Y tế <vanthu@syt.gov.vn>" and i.sent.startswith("2025-12-08T09:30") for i in mail_items)
    assert containers[str(inbox / "hop-thu.mbox")] == "hộp thư .mbox, đã mở: 2 thư"
    assert sum(s.startswith(str(inbox / "hop-thu.mbox!/thư ")) for s in containers) == 2

    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    used = {r.unit.code: r.result.name for rows in result.groups.values() for r in rows if r.result}
    assert used["STTTT"].endswith("trong.zip!/STTTT.xlsx") and used["HNDONG"].endswith("kèm theo.zip!/Nam Đông.xlsx")
    assert used["STP"].endswith("STP.xlsx") and "TTT" in used
    listed = {f.source: f for f in result.files}
    assert set(listed) == set(sources), "every file received is listed, by path"
    assert listed[str(inbox / "bien ban.pdf")].state == "đã lưu, không chấm"
    assert "Word" in listed[next(s for s in sources if s.endswith("Công văn.docx"))].reason
    assert listed[deep_item.source].state == "đã ghi nhận, không đọc được"
    inner = listed[str(inbox / "ngoai.zip") + "!/trong/trong.zip"]  # a zip inside a zip is listed by its path (issue 20)
    assert (inner.kind, inner.state, inner.reason) == ("container", "đã mở", "tệp nén .zip, đã mở: 1 tệp")
    two = [f for f in result.files if f.source.endswith("SYT.xlsx") and "lan-" in f.source]
    assert len(two) == 2 and two[0].sha256 != two[1].sha256
    mail_row = next(f for f in result.files if f.source.endswith("Sổ đánh giá Sở Y tế.xlsx"))
    assert mail_row.sender.startswith("Văn thư Sở Y tế") and mail_row.sent.startswith("2025-12-08")
    codes = {i.code for i in result.issues}
    assert {"archive-too-deep", "file-other"} <= codes and "file-internal-error" not in codes
    # the outputs name every file too
    write_json(result, tmp_path / "xh.json")
    assert set(f["source"] for f in json.loads((tmp_path / "xh.json").read_text(encoding="utf-8"))["files"]) == set(sources)
    write_workbook(result, tmp_path / "xh.xlsx")
    sheet = load_workbook(tmp_path / "xh.xlsx")["Tệp đã nhận"]
    assert {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)} == set(sources)


def test_a_file_sent_late_by_e_mail_is_late_whenever_it_was_saved(files, tmp_path):
    data, campaign, catalog, ctx = files
    recipe = tmp_path / "dot.toml"
    recipe.write_text(campaign.path.read_text(encoding="utf-8").replace('deadline = "2030-12-31"', 'deadline = "2026-06-30"'), encoding="utf-8")
    from hue_dx import campaign as campaign_mod

    early = campaign_mod.load(recipe)
    inbox = tmp_path / "thu"
    inbox.mkdir()
    saved_on_time = data["2020_STTTT_so-thong-tin.xlsx"]  # saved 01/01/2026
    (inbox / "muon.eml").write_bytes(_mail("stttt <a@b.vn>", "2026-07-02T08:00:00+07:00", {"STTTT.xlsx": saved_on_time}).as_bytes())
    result = consolidate(catalog, early, [inbox], tmp_path / "kho", workers=1, context=ctx)
    late = [i for i in result.issues if i.code == "file-late" and i.unit == "STTTT"]
    assert len(late) == 1 and late[0].value == "02/07/2026" and "thư" in late[0].read and "ngày của thư gửi tệp" in late[0].message


def _unit_file(corpus_world, unit: str, figures: dict | None, saved: str) -> bytes:
    """A workbook of ``unit`` filled with ``figures`` (None: blank), saved at ``saved``."""
    cases, campaign, catalog, ctx = corpus_world
    from hue_dx.generate import generate
    from hue_dx.workbook.fill import fill, set_saved_time

    folder = Path(ctx.campaign.path).parent / f"blank-{unit}"
    if not folder.exists():
        generate(catalog, campaign, folder, [campaign.unit(unit)], manifest=False)
    blank = next(folder.glob("*.xlsx")).read_bytes()
    return set_saved_time(fill(blank, figures, corpus.CONTACT) if figures is not None else blank, saved)


def test_what_counts_as_a_submission_and_an_officers_choice(corpus_world, tmp_path, capsys):
    cases, campaign, catalog, ctx = corpus_world
    full = corpus.sample_inputs("STTTT")
    fewer = {code: values for n, (code, values) in enumerate(full.items()) if n % 2 == 0}
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "SCT day du.xlsx").write_bytes(_unit_file(corpus_world, "SCT", full, "2025-12-01T08:00:00Z"))
    (inbox / "SCT trong.xlsx").write_bytes(_unit_file(corpus_world, "SCT", None, "2025-12-10T08:00:00Z"))  # blank, later
    (inbox / "SXD trong.xlsx").write_bytes(_unit_file(corpus_world, "SXD", None, "2025-12-10T08:00:00Z"))  # only a blank
    (inbox / "SNV day du.xlsx").write_bytes(_unit_file(corpus_world, "SNV", full, "2025-12-01T08:00:00Z"))
    (inbox / "SNV it hon.xlsx").write_bytes(_unit_file(corpus_world, "SNV", fewer, "2025-12-05T08:00:00Z"))  # emptier, later
    archive = tmp_path / "kho"
    result = consolidate(catalog, campaign, [inbox], archive, workers=1, context=ctx)
    rows = {r.unit.code: r for group in result.groups.values() for r in group}
    assert rows["SCT"].result.name.endswith("SCT day du.xlsx")  # the later blank does not replace it
    assert rows["SXD"].result is None and "SXD" in {u.code for u in result.missing}
    not_received = next(i for i in result.issues if i.code == "unit-not-received" and i.unit == "SXD")
    assert "chưa có số liệu" in not_received.message
    assert rows["SNV"].result.name.endswith("SNV it hon.xlsx")
    fewer_record = next(i for i in result.issues if i.code == "file-fewer-figures")
    assert fewer_record.unit == "SNV" and "SNV day du.xlsx" in fewer_record.value
    states = {Path(f.source).name: f.state for f in result.files}
    assert states["SCT trong.xlsx"] == "sổ chưa có số liệu" and states["SNV day du.xlsx"] == "không dùng"

    # the officer decides the fuller file is right: recorded in the ledger, honoured, said
    full_sha = hashlib.sha256((inbox / "SNV day du.xlsx").read_bytes()).hexdigest()
    code = cli.main(["choose", "SNV", full_sha[:10], "--reason", "Đơn vị xác nhận gửi nhầm bản", "--archive", str(archive),
                     "--recipe", str(campaign.path)])
    assert code == 0 and "SNV day du.xlsx" in capsys.readouterr().out
    again = consolidate(catalog, campaign, [inbox], archive, workers=1, context=ctx)
    rows = {r.unit.code: r for group in again.groups.values() for r in group}
    assert rows["SNV"].result.sha256 == full_sha
    chosen = next(i for i in again.issues if i.code == "file-chosen")
    assert "gửi nhầm" in chosen.message and chosen.unit == "SNV"
    states = {Path(f.source).name: (f.state, f.reason) for f in again.files}
    assert states["SNV day du.xlsx"] == ("đang dùng", "do cán bộ chọn")
    assert states["SNV it hon.xlsx"][0] == "không dùng" and "cán bộ đã chọn" in states["SNV it hon.xlsx"][1]
    assert cli.main(["choose", "SNV", "--undo", "--archive", str(archive), "--recipe", str(campaign.path)]) == 0
    assert cli.main(["choose", "SNV", "ffffffff", "--archive", str(archive), "--recipe", str(campaign.path)]) == 2


def test_a_fuller_correction_is_no_file_with_fewer_figures(corpus_world, tmp_path):
    """A unit's later file with more figures than its first is used without a word: the file in
    use keeps its count of figures when read back from the ledger (issue 20: every unit with two
    accepted files was said to have "0 ô so với …")."""
    cases, campaign, catalog, ctx = corpus_world
    full = corpus.sample_inputs("STTTT")
    fewer = {code: values for n, (code, values) in enumerate(full.items()) if n % 2 == 0}
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "SNV lan 1.xlsx").write_bytes(_unit_file(corpus_world, "SNV", fewer, "2025-12-01T08:00:00Z"))
    (inbox / "SNV lan 2.xlsx").write_bytes(_unit_file(corpus_world, "SNV", full, "2025-12-05T08:00:00Z"))
    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    row = next(r for group in result.groups.values() for r in group if r.unit.code == "SNV")
    assert row.result.name.endswith("SNV lan 2.xlsx") and row.result.figures > 0
    assert not [i for i in result.issues if i.code == "file-fewer-figures"]


def test_check_of_a_blank_workbook_says_there_are_no_figures_and_exits_one(corpus_world, tmp_path, capsys):
    """No table of zeros for a workbook with no figure at all: it says so, and the exit code says
    there is something to review (issue 20)."""
    from hue_dx import cli

    cases, campaign, catalog, ctx = corpus_world
    path = tmp_path / "SDL.xlsx"
    path.write_bytes(_unit_file(corpus_world, "SDL", None, "2025-12-01T08:00:00Z"))
    assert cli.main(["check", str(path), "--recipe", str(campaign.path)]) == 1
    out = capsys.readouterr().out
    assert "chưa có số liệu nào" in out and "TỔNG CỘNG" not in out


def test_a_file_larger_than_any_workbook_is_archived_whole(corpus_world, tmp_path):
    """A 21 MB attachment beside the workbooks (a scanned PDF) is archived byte for byte under its
    own SHA-256, not cut at the workbook size limit (the mail review found it truncated)."""
    cases, campaign, catalog, ctx = corpus_world
    inbox = tmp_path / "thu"
    inbox.mkdir()
    big = b"%PDF-1.4\n" + bytes(range(256)) * (21 * 4096)
    (inbox / "ban scan.pdf").write_bytes(big)
    (inbox / "so lon.xlsx").write_bytes(b"PK\x03\x04" + big)
    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    rows = {f.name: f for f in result.files}
    pdf = rows["ban scan.pdf"]
    assert pdf.sha256 == hashlib.sha256(big).hexdigest() and pdf.size == len(big) and pdf.state == "đã lưu, không chấm"
    assert (tmp_path / "kho" / "files" / pdf.sha256[:2] / f"{pdf.sha256}.pdf").read_bytes() == big
    assert any(i.code == "file-too-large" and i.file.endswith("so lon.xlsx") for i in result.issues)


def test_a_workbook_with_renamed_parts_is_checked_whatever_it_is_named(corpus_world, tmp_path):
    """A workbook whose main part is not xl/workbook.xml (found through _rels/.rels, as the
    standard says) is a workbook when it arrives named .zip or .doc too: checked, not opened as
    an archive nor kept as another file (the reader review found both tests hard-coded)."""
    import xlsxforms

    cases, campaign, catalog, ctx = corpus_world
    data = xlsxforms.variant(_unit_file(corpus_world, "SNV", corpus.sample_inputs("STTTT"), "2025-12-01T08:00:00Z"), ["relative-parts"])
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "SNV.zip").write_bytes(data)
    (inbox / "SNV bao cao.doc").write_bytes(data)
    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    states = sorted((f.name, f.kind, f.state) for f in result.files)
    # the same bytes received twice: checked as a workbook once (the first in folder order), the other a duplicate of it
    assert states == [("SNV bao cao.doc", "self", "đang dùng"), ("SNV.zip", "self", "trùng tệp đã nhận")]
