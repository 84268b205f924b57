"""Mail and containers as clients, mail servers and other operating systems deliver them: every
part of a message that is not its text is an item (named when nameless), webmail exports (.tgz
of .eml) and tars opened within the zip's bounds, Outlook .msg read, zip and tar names from a
Mac read as written, every container listed with what it held, and each file carrying the ids
of its message. Messages are built with the standard ``email`` package, .msg files by
tests/containers.py (the layout [MS-OXMSG] gives), read back by olefile."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import mailbox
import os
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import containers
import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsxedit import pack

from hue_dx.intake import archives, cfb, received
from hue_dx.intake.consolidate import consolidate
from hue_dx.intake.received import Spool, walk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(scope="module")
def files(corpus_world):
    cases, campaign, catalog, ctx = corpus_world
    return {c.name: c.data for c in cases}, campaign, catalog, ctx


def _walked(paths: list[Path]) -> list[tuple[received.Item, str]]:
    """Items and the SHA-256 of the bytes each stands for ("" when it has none on disk)."""
    with Spool() as spool:
        items = walk(paths, spool)
        return [(i, _sha(i)) for i in items]


def _sha(item: received.Item) -> str:
    if not item.path:
        return ""
    if item.member is not None:
        with zipfile.ZipFile(item.path) as zf:
            return hashlib.sha256(zf.read(item.member)).hexdigest()
    return hashlib.sha256(Path(item.path).read_bytes()).hexdigest()


def _h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _message(sender: str, when: dt.datetime, text: str = "Kính gửi Sở TT&TT, đơn vị gửi kèm sổ.", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "stttt@thuathienhue.gov.vn", "Gửi sổ tự đánh giá"
    message["Date"] = format_datetime(when)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def _nameless(message: EmailMessage, data: bytes, media: str, disposition: str = "attachment") -> None:
    maintype, subtype = media.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype)
    part = message.get_payload()[-1]
    del part["Content-Disposition"]
    part["Content-Disposition"] = disposition


# ------------------------------------------------------------------------------ 1. every part an item


def test_a_nameless_attachment_is_an_item_named_from_its_media_type_archived_and_checked(files, tmp_path):
    data, campaign, catalog, ctx = files
    inbox = tmp_path / "thu"
    inbox.mkdir()
    message = _message("Văn thư Sở Y tế <vanthu@syt.gov.vn>", dt.datetime(2025, 12, 8, 9, 30, tzinfo=VN))
    message.add_alternative("<p>Kính gửi Sở TT&amp;TT, đơn vị gửi kèm sổ.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4\n%\xe2\xe3 bien ban", maintype="application", subtype="pdf", filename="Biên bản.pdf")
    syt = data["SYT lan 2 da sua.xlsx"]
    _nameless(message, syt, XLSX)  # Content-Disposition: attachment, the workbook's media type, no file name
    _nameless(message, data["Nam Dong.xlsx"], "text/plain", "inline")  # a workbook relabelled text/plain, no name
    _nameless(message, b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "inline")  # a logo pasted into the text
    (inbox / "thu.eml").write_bytes(message.as_bytes())

    walked = _walked([inbox])
    by_name = {i.name: (i, sha) for i, sha in walked}
    assert set(by_name) == {"thu.eml", "Biên bản.pdf", "tep-dinh-kem-2.xlsx", "tep-dinh-kem-3.xlsx", "tep-dinh-kem-4.png"}
    assert by_name["tep-dinh-kem-2.xlsx"][1] == _h(syt) and by_name["tep-dinh-kem-2.xlsx"][0].kind == "workbook"
    assert by_name["tep-dinh-kem-3.xlsx"][1] == _h(data["Nam Dong.xlsx"])
    assert by_name["thu.eml"][0].note == "thư điện tử .eml, đã mở: 4 tệp đính kèm"

    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    used = {r.unit.code: r.result.name for rows in result.groups.values() for r in rows if r.result}
    assert used["SYT"].endswith("thu.eml!/tep-dinh-kem-2.xlsx") and used["HNDONG"].endswith("thu.eml!/tep-dinh-kem-3.xlsx")
    listed = {f.source: f for f in result.files}
    assert str(inbox / "thu.eml!/tep-dinh-kem-2.xlsx") in listed and str(inbox / "thu.eml!/tep-dinh-kem-4.png") in listed
    assert (tmp_path / "kho" / "files" / _h(syt)[:2] / f"{_h(syt)}.xlsx").exists()


def test_only_the_messages_own_text_is_not_an_item(tmp_path):
    when = dt.datetime(2025, 12, 9, 8, 0, tzinfo=VN)
    forwarded = _message("Sở Tư pháp <stp@thuathienhue.gov.vn>", dt.datetime(2025, 12, 1, 8, 0, tzinfo=VN), "Thư gốc của Sở Tư pháp.",
                         Message_ID="<goc@stp.gov.vn>")
    forwarded.add_alternative("<p>Thư gốc</p>", subtype="html")
    forwarded.add_attachment(b"PK\x03\x04 so tu phap", maintype="application", subtype="octet-stream", filename="STP.xlsx")
    outer = _message("Văn phòng <vp@thuathienhue.gov.vn>", when, "Chuyển tiếp thư của Sở Tư pháp.")
    outer.add_alternative("<p>Chuyển tiếp</p>", subtype="html")
    outer.add_attachment(forwarded)  # message/rfc822: its text is its own body, not a file
    _nameless(outer, b"ghi chu kem theo", "text/plain")  # text marked attachment, no name: a file
    report = (b"From: MAILER-DAEMON@thuathienhue.gov.vn\r\nDate: " + format_datetime(when).encode() + b"\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\n"
              b"Content-Type: text/plain; charset=utf-8\r\n\r\nTh\xc6\xb0 kh\xc3\xb4ng g\xe1\xbb\xadi \xc4\x91\xc6\xb0\xe1\xbb\xa3c.\r\n--b\r\n"
              b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.thuathienhue.gov.vn\r\n\r\n"
              b"Final-Recipient: rfc822; x@y.vn\r\nAction: failed\r\n--b--\r\n")
    (tmp_path / "chuyen-tiep.eml").write_bytes(outer.as_bytes())
    (tmp_path / "bao-loi.eml").write_bytes(report)

    walked = _walked([tmp_path / "chuyen-tiep.eml", tmp_path / "bao-loi.eml"])
    items = {i.source.rsplit(str(tmp_path) + "/", 1)[1]: i for i, _ in walked}
    assert set(items) == {"chuyen-tiep.eml", "chuyen-tiep.eml!/tep-dinh-kem-1.eml", "chuyen-tiep.eml!/tep-dinh-kem-1.eml!/STP.xlsx",
                          "chuyen-tiep.eml!/tep-dinh-kem-2.txt", "bao-loi.eml"}
    assert items["chuyen-tiep.eml!/tep-dinh-kem-1.eml"].note == "thư chuyển tiếp, đã mở: 1 tệp đính kèm"
    inner = items["chuyen-tiep.eml!/tep-dinh-kem-1.eml!/STP.xlsx"]
    assert inner.sender == "Sở Tư pháp <stp@thuathienhue.gov.vn>" and inner.sent == "2025-12-01T08:00:00+07:00"
    assert inner.message_id == "goc@stp.gov.vn"
    assert items["bao-loi.eml"].note == "thư điện tử .eml: không có tệp đính kèm"


# ------------------------------------------------------------------------------ 2. tar and webmail exports


def test_a_webmail_export_tgz_is_read_message_by_message(files, tmp_path):
    data, campaign, catalog, ctx = files
    one = _message("Văn thư Sở Y tế <vanthu@syt.gov.vn>", dt.datetime(2025, 12, 8, 9, 30, tzinfo=VN))
    one.add_attachment(data["SYT lan 2 da sua.xlsx"], maintype="application", subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       filename="Sổ Sở Y tế.xlsx")
    two = _message("Sở Tư pháp <stp@thuathienhue.gov.vn>", dt.datetime(2025, 12, 9, 10, 0, tzinfo=VN))
    two.add_attachment(pack({"STP.xlsx": data["STP chen dong.xlsx"]}), maintype="application", subtype="zip", filename="STP.zip")
    export = containers.tarred({"Inbox/0000000257-Gửi sổ tự đánh giá.eml": one.as_bytes(), "Inbox/0000000257-Gửi sổ tự đánh giá.eml.meta": b"{}",
                   "Inbox/0000000301-Sổ Sở Tư pháp.eml": two.as_bytes(), "Inbox.meta": b"{}"})
    (tmp_path / "thu-den").mkdir()
    (tmp_path / "thu-den" / "Inbox.tgz").write_bytes(export)

    walked = _walked([tmp_path / "thu-den"])
    opened = {i.name: i.note for i, _ in walked if i.kind == "container"}
    assert opened["Inbox.tgz"] == "tệp nén .tgz, đã mở: 4 tệp"
    assert opened["0000000257-Gửi sổ tự đánh giá.eml"] == "thư điện tử .eml, đã mở: 1 tệp đính kèm"
    assert opened["STP.zip"] == "tệp nén .zip, đã mở: 1 tệp"
    metas = [i for i, _ in walked if i.name.endswith(".meta")]
    assert len(metas) == 2 and all(i.kind == "maybe" and "Zimbra" in i.note for i in metas)

    result = consolidate(catalog, campaign, [tmp_path / "thu-den"], tmp_path / "kho", workers=1, context=ctx)
    used = {r.unit.code: r.result.name for rows in result.groups.values() for r in rows if r.result}
    assert used["SYT"].endswith("Inbox.tgz!/Inbox/0000000257-Gửi sổ tự đánh giá.eml!/Sổ Sở Y tế.xlsx")
    assert used["STP"].endswith("0000000301-Sổ Sở Tư pháp.eml!/STP.zip!/STP.xlsx")
    row = next(f for f in result.files if f.source.endswith("Sổ Sở Y tế.xlsx"))
    assert row.sender == "Văn thư Sở Y tế <vanthu@syt.gov.vn>" and row.sent.startswith("2025-12-08T09:30")


@pytest.mark.parametrize("mode,name", [("w", "goi.tar"), ("w:gz", "goi.tar.gz"), ("w:bz2", "goi.tar.bz2"), ("w:xz", "goi.tar.xz")])
def test_tar_members_never_leave_the_spool_and_links_are_not_followed(tmp_path, mode, name):
    link = tarfile.TarInfo("lien-ket.xlsx")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("cung.xlsx")
    hard.type, hard.linkname = tarfile.LNKTYPE, "../../so.xlsx"
    fifo = tarfile.TarInfo("ong")
    fifo.type = tarfile.FIFOTYPE
    inbox = tmp_path / "a" / "b"
    inbox.mkdir(parents=True)
    (inbox / name).write_bytes(containers.tarred({"../../thoat.xlsx": b"PK\x03\x04 ra ngoai", "/tmp/tuyet-doi.xlsx": b"PK\x03\x04 tuyet doi",
                                     "lien-ket.xlsx": link, "cung.xlsx": hard, "ong": fifo, "SYT.xlsx": b"PK\x03\x04 that"}, mode))
    with Spool() as spool:
        items = walk([inbox / name], spool)
        spooled = sorted(p.name for p in spool.iterdir())
        assert all(p.split(".")[0].isdigit() for p in spooled), spooled
        escaped = hashlib.sha256(b"PK\x03\x04 ra ngoai").hexdigest()
        assert [i for i in items if i.name == "thoat.xlsx" and _sha(i) == escaped]
    assert not (tmp_path / "thoat.xlsx").exists() and not (tmp_path / "a" / "thoat.xlsx").exists()
    assert not Path("/tmp/tuyet-doi.xlsx").exists()
    kinds = {i.source.split("!/", 1)[-1]: (i.kind, i.note) for i in items}
    assert kinds["lien-ket.xlsx"][0] == "other" and "không theo liên kết" in kinds["lien-ket.xlsx"][1]
    assert kinds["cung.xlsx"][0] == "other" and "liên kết cứng" in kinds["cung.xlsx"][1]
    assert kinds["ong"][0] == "other"
    assert kinds["SYT.xlsx"][0] == "workbook"
    assert items[0].kind == "container" and items[0].note.endswith("đã mở: 6 tệp")


def test_tar_and_zip_limits_are_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(received, "MAX_MEMBERS", 3)
    monkeypatch.setattr(received, "MAX_MEMBER_BYTES", 1000)
    members = {f"so-{n}.xlsx": f"PK\x03\x04 {n}".encode() for n in range(5)}
    (tmp_path / "nhieu.tgz").write_bytes(containers.tarred(members))
    (tmp_path / "nhieu.zip").write_bytes(pack(members))
    (tmp_path / "lon.tgz").write_bytes(containers.tarred({"lon.xlsx": b"x" * 5000, "nho.xlsx": b"PK"}))
    cut = containers.tarred({"a.xlsx": os.urandom(900), "b.xlsx": os.urandom(900), "c.xlsx": os.urandom(900)}, "w")
    (tmp_path / "cat-cut.tar").write_bytes(cut[:2200])
    (tmp_path / "khong-phai.tgz").write_bytes(b"day khong phai tep nen")
    (tmp_path / "sau.tgz").write_bytes(containers.tarred({"thu.eml": _deep_mail()}))
    items = _relative(tmp_path)
    problems = {s: (i.note, i.detail) for s, i in items.items() if i.kind == "problem"}
    assert problems["nhieu.tgz!/so-3.xlsx"] == ("file-zip-bomb", "hơn 3 mục")
    assert problems["nhieu.zip!/…"][0] == "file-zip-bomb" and "3 mục đầu" in problems["nhieu.zip!/…"][1]
    assert sum(s.startswith("nhieu.zip!/so-") for s in items) == 3
    assert problems["lon.tgz!/lon.xlsx"][0] == "file-too-large" and "lon.tgz!/nho.xlsx" in items
    assert [s for s in problems if s.startswith("cat-cut.tar!/")] == ["cat-cut.tar!/(sau mục thứ 2)"]
    assert items["cat-cut.tar!/a.xlsx"].kind == "workbook"
    assert items["khong-phai.tgz"].kind == "maybe" and "không mở được" in items["khong-phai.tgz"].note
    assert [s for s in problems if s.startswith("sau.tgz")] == ["sau.tgz!/thu.eml!/ngoai.zip!/trong.zip"]
    assert problems["sau.tgz!/thu.eml!/ngoai.zip!/trong.zip"][0] == "archive-too-deep"

    # a decompression bomb: far more unpacked than read, past the bound (the workbook reader's 60 MB, here 2 MB)
    monkeypatch.undo()
    monkeypatch.setattr(archives, "MAX_UNZIPPED_BYTES", 2 * 1024 * 1024)
    bomb = tmp_path / "bom"
    bomb.mkdir()
    (bomb / "bom.tgz").write_bytes(containers.tarred({f"b{n:02d}.bin": b"\x00" * 1024 * 1024 for n in range(20)}))
    items = _relative(bomb)
    problems = [(s, i.note) for s, i in items.items() if i.kind == "problem"]
    assert len(problems) == 1 and problems[0][1] == "file-zip-bomb" and "giải nén" in items[problems[0][0]].detail
    assert len(items) < 1 + 20  # the rest is not read


def _relative(folder: Path) -> dict[str, received.Item]:
    with Spool() as spool:
        return {i.source.replace(str(folder) + "/", ""): i for i in walk(sorted(folder.iterdir()), spool)}


def _deep_mail() -> bytes:
    message = _message("a@b.vn", dt.datetime(2025, 12, 1, tzinfo=VN))
    message.add_attachment(pack({"trong.zip": pack({"a.xlsx": b"PK"})}), maintype="application", subtype="zip", filename="ngoai.zip")
    return message.as_bytes()


# ------------------------------------------------------------------------------ 3. Outlook .msg


def _outlook_world(data: dict[str, bytes]) -> bytes:
    forwarded = containers.Outlook(sender_name="Văn thư Sở Tư pháp", smtp="vanthu@stp.gov.vn",
                                submitted=dt.datetime(2025, 12, 1, 1, 0, tzinfo=dt.UTC), message_id="<goc@stp.gov.vn>",
                                attachments=[containers.Attached("STP.xlsx", data["STP chen dong.xlsx"], XLSX)])
    return containers.msg(containers.Outlook(
        sender_name="Văn thư Sở Y tế", smtp="vanthu@syt.gov.vn", exchange="/O=EXCHANGELABS/OU=EXCHANGE/CN=RECIPIENTS/CN=VANTHU",
        submitted=dt.datetime(2025, 12, 8, 2, 30, tzinfo=dt.UTC), delivered=dt.datetime(2025, 12, 8, 2, 31, tzinfo=dt.UTC),
        subject="Gửi sổ tự đánh giá", body="Kính gửi Sở.", message_id="<syt-1@syt.gov.vn>", in_reply_to="<dot-2025@stttt.gov.vn>",
        references="<dot-2025@stttt.gov.vn>",
        attachments=[containers.Attached("Sổ đánh giá Sở Y tế.xlsx", data["SYT lan 2 da sua.xlsx"], XLSX, short_name="SODANH~1.XLS"),
                     containers.Attached(None, b"%PDF-1.4 bien ban", "application/pdf"),
                     containers.Attached(display="Sổ của Sở Tư pháp", message=forwarded),
                     containers.Attached("Nam Đông.xlsx", link="\\\\may-chu\\chia-se\\Nam Đông.xlsx")]))


def test_an_outlook_msg_is_read_for_its_attachments_sender_and_date(files, tmp_path):
    data, campaign, catalog, ctx = files
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "Gửi sổ tự đánh giá.msg").write_bytes(_outlook_world(data))
    walked = _walked([inbox])
    items = {i.source.split("!/", 1)[-1] if "!/" in i.source else i.name: (i, sha) for i, sha in walked}
    top, _ = items["Gửi sổ tự đánh giá.msg"]
    assert top.kind == "container" and top.note == "thư Outlook .msg, đã mở: 4 tệp đính kèm"
    workbook, sha = items["Sổ đánh giá Sở Y tế.xlsx"]
    assert sha == _h(data["SYT lan 2 da sua.xlsx"]) and workbook.kind == "workbook"
    assert workbook.sender == "Văn thư Sở Y tế <vanthu@syt.gov.vn>" and workbook.sent == "2025-12-08T02:30:00+00:00"
    assert workbook.message_id == "syt-1@syt.gov.vn" and workbook.replies_to == ("dot-2025@stttt.gov.vn",)
    assert items["tep-dinh-kem-2.pdf"][1] == _h(b"%PDF-1.4 bien ban")
    embedded, embedded_sha = items["Sổ của Sở Tư pháp.msg"]
    assert embedded.kind == "container" and embedded_sha and embedded.note == "thư Outlook .msg, đã mở: 1 tệp đính kèm"
    inner, inner_sha = items["Sổ của Sở Tư pháp.msg!/STP.xlsx"]
    assert inner_sha == _h(data["STP chen dong.xlsx"]) and inner.sender == "Văn thư Sở Tư pháp <vanthu@stp.gov.vn>"
    assert inner.message_id == "goc@stp.gov.vn"
    link, _ = items["Nam Đông.xlsx"]
    assert link.kind == "other" and "liên kết" in link.note and "Nam Đông.xlsx" in link.note

    result = consolidate(catalog, campaign, [inbox], tmp_path / "kho", workers=1, context=ctx)
    used = {r.unit.code: r.result.name for rows in result.groups.values() for r in rows if r.result}
    assert used["SYT"].endswith(".msg!/Sổ đánh giá Sở Y tế.xlsx") and used["STP"].endswith("Sổ của Sở Tư pháp.msg!/STP.xlsx")


def test_an_outlook_msg_in_8_bit_strings_and_a_damaged_one(tmp_path):
    old = containers.msg(containers.Outlook(sender_name="Sở Nội vụ", smtp="snv@thuathienhue.gov.vn", unicode=False, codepage=1258,
                                      delivered=dt.datetime(2025, 12, 3, 1, 0, tzinfo=dt.UTC),
                                      headers="Message-ID: <cu@snv.gov.vn>\r\nIn-Reply-To: <dot@stttt.gov.vn>\r\n",
                                      attachments=[containers.Attached("Báo cáo Sở Nội vụ.xlsx", b"PK\x03\x04 snv")]))
    (tmp_path / "cu.msg").write_bytes(old)
    (tmp_path / "hong.msg").write_bytes(old[:1024])
    (tmp_path / "khong-phai-thu.msg").write_bytes(cfb.write({"Workbook": b"\x09\x08" + b"\x00" * 100}))
    items = _relative(tmp_path)
    item = items["cu.msg!/Báo cáo Sở Nội vụ.xlsx"]
    assert item.sender == "Sở Nội vụ <snv@thuathienhue.gov.vn>" and item.sent == "2025-12-03T01:00:00+00:00"
    assert item.message_id == "cu@snv.gov.vn" and item.replies_to == ("dot@stttt.gov.vn",)
    for name in ("hong.msg", "khong-phai-thu.msg"):
        assert items[name].kind == "maybe" and "kéo tệp đính kèm ra thư mục" in items[name].note and "chuyển tiếp thư" in items[name].note


# ------------------------------------------------------------------------------ 4. names from a Mac


def _raw_zip(entries: list[tuple[bytes, bytes, int, bytes]]) -> bytes:
    """A stored zip written byte by byte: (raw name, data, flags, extra field) per entry, so
    names can be as other programs write them (Python's zipfile sets the UTF-8 flag itself)."""
    local, central = bytearray(), bytearray()
    for name, data, flags, extra in entries:
        crc = zlib.crc32(data)
        offset = len(local)
        local += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, 0, 0, 33, crc, len(data), len(data), len(name), len(extra))
        local += name + extra + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x0314, 20, flags, 0, 0, 33, crc, len(data), len(data), len(name),
                               len(extra), 0, 0, 0, 0, offset) + name + extra
    return bytes(local + central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(local), 0))


def test_names_from_a_mac_zip_read_as_utf8_and_its_hidden_entries_stay_hidden(tmp_path):
    def mac(name: str) -> bytes:  # macOS's Archive Utility: UTF-8, decomposed, no UTF-8 flag
        return unicodedata.normalize("NFD", name).encode("utf-8")

    packed = _raw_zip([(mac("Báo cáo CĐS/Sổ đánh giá Sở Y tế.xlsx"), b"PK\x03\x04 syt", 0, b""),
                       (mac("__MACOSX/Báo cáo CĐS/._Sổ đánh giá Sở Y tế.xlsx"), b"\x00\x05\x16\x07", 0, b""),
                       (mac("Báo cáo CĐS/.DS_Store"), b"\x00\x00\x00\x01Bud1", 0, b"")])
    with zipfile.ZipFile(io.BytesIO(packed)) as zf:
        assert zf.namelist()[0].startswith("Ba╠üo ca╠üo C─ÉS")  # what Python (and hue-dx before) made of it
    legacy = b"Ke hoach.xlsx"
    unicode_path = struct.pack("<HHBI", 0x7075, 5 + len("Kế hoạch.xlsx".encode()), 1, zlib.crc32(legacy)) + "Kế hoạch.xlsx".encode()
    (tmp_path / "mac.zip").write_bytes(packed)
    (tmp_path / "dos.zip").write_bytes(_raw_zip([("Résumé.xlsx".encode("cp437"), b"PK\x03\x04 dos", 0, b"")]))
    (tmp_path / "7zip.zip").write_bytes(_raw_zip([(legacy, b"PK\x03\x04 7zip", 0, unicode_path)]))
    items = {i.source.rsplit("/", 1)[-1] if "!/" not in i.source else i.source.split("!/", 1)[1]: i for i, _ in _walked(sorted(tmp_path.iterdir()))}
    assert items["Báo cáo CĐS/Sổ đánh giá Sở Y tế.xlsx"].kind == "workbook"
    assert items["Báo cáo CĐS/Sổ đánh giá Sở Y tế.xlsx"].name == "Sổ đánh giá Sở Y tế.xlsx"
    hidden = items["__MACOSX/Báo cáo CĐS/._Sổ đánh giá Sở Y tế.xlsx"]
    assert hidden.kind == "other" and items["Báo cáo CĐS/.DS_Store"].kind == "other"
    assert items["Résumé.xlsx"].kind == "workbook"  # bytes that are no UTF-8: CP437, as written
    assert items["Kế hoạch.xlsx"].kind == "workbook"  # the Info-ZIP Unicode Path field beside a legacy name
    assert all(unicodedata.is_normalized("NFC", s) for s in items)
    assert _sha(items["Báo cáo CĐS/Sổ đánh giá Sở Y tế.xlsx"]) == _h(b"PK\x03\x04 syt")  # still read in place


def test_names_from_a_mac_tar_are_nfc_and_its_appledouble_entries_hidden(tmp_path):
    name = unicodedata.normalize("NFD", "Báo cáo/Sổ đánh giá Sở Y tế.xlsx")
    (tmp_path / "mac.tar.gz").write_bytes(containers.tarred({name: b"PK\x03\x04 syt", "Báo cáo/._Sổ đánh giá Sở Y tế.xlsx": b"\x00\x05\x16\x07"}))
    items = {i.source.split("!/", 1)[-1]: i for i, _ in _walked([tmp_path / "mac.tar.gz"]) if "!/" in i.source}
    assert set(items) == {"Báo cáo/Sổ đánh giá Sở Y tế.xlsx", "Báo cáo/._Sổ đánh giá Sở Y tế.xlsx"}
    assert items["Báo cáo/Sổ đánh giá Sở Y tế.xlsx"].kind == "workbook" and items["Báo cáo/._Sổ đánh giá Sở Y tế.xlsx"].kind == "other"


# ------------------------------------------------------------------------------ 5, 6. containers named, ids carried


def test_every_container_received_is_an_item_saying_what_it_held(tmp_path):
    reply = _message("Sở Nội vụ <snv@thuathienhue.gov.vn>", dt.datetime(2025, 12, 10, 8, 0, tzinfo=VN), Message_ID="<tl-1@snv.gov.vn>",
                     In_Reply_To="<dot-2025.snv@stttt.gov.vn>", References="<dot-2025@stttt.gov.vn> <dot-2025.snv@stttt.gov.vn>")
    reply.add_attachment(pack({"SNV.xlsx": b"PK\x03\x04 snv", "ghi chu.txt": b"x", "trong.zip": pack({"a.xlsx": b"PK"})}),
                         maintype="application", subtype="zip", filename="Sổ SNV.zip")
    box = mailbox.mbox(str(tmp_path / "hop-thu.mbox"))
    box.add(reply)
    box.add(_message("x@y.vn", dt.datetime(2025, 12, 11, tzinfo=VN)))
    box.flush()
    box.close()
    items = {i.source.replace(str(tmp_path) + "/", ""): i for i, sha in _walked([tmp_path / "hop-thu.mbox"])}
    opened = {s: i.note for s, i in items.items() if i.kind == "container"}
    assert opened == {"hop-thu.mbox": "hộp thư .mbox, đã mở: 2 thư",
                          "hop-thu.mbox!/thư 1": "thư điện tử, đã mở: 1 tệp đính kèm",
                          "hop-thu.mbox!/thư 1!/Sổ SNV.zip": "tệp nén .zip, đã mở: 3 tệp",
                          "hop-thu.mbox!/thư 1!/Sổ SNV.zip!/trong.zip": "tệp nén .zip, đã mở: 1 tệp",
                          "hop-thu.mbox!/thư 2": "thư điện tử: không có tệp đính kèm"}
    order = list(items)
    assert order.index("hop-thu.mbox!/thư 1!/Sổ SNV.zip") < order.index("hop-thu.mbox!/thư 1!/Sổ SNV.zip!/SNV.xlsx")
    deep = items["hop-thu.mbox!/thư 1!/Sổ SNV.zip!/trong.zip!/a.xlsx"]
    for found in (deep, items["hop-thu.mbox!/thư 1"], items["hop-thu.mbox!/thư 1!/Sổ SNV.zip"]):
        assert found.message_id == "tl-1@snv.gov.vn"
        assert found.replies_to == ("dot-2025.snv@stttt.gov.vn", "dot-2025@stttt.gov.vn")
        assert found.sender == "Sở Nội vụ <snv@thuathienhue.gov.vn>"
    assert items["hop-thu.mbox"].message_id == "" and items["hop-thu.mbox"].replies_to == ()
    assert all(i.path for i in items.values() if i.kind == "container")  # each has its own bytes to archive


def test_two_attachments_of_one_name_are_two_items(tmp_path):
    message = _message("a@b.vn", dt.datetime(2025, 12, 1, tzinfo=VN))
    for data in (b"PK\x03\x04 mot", b"PK\x03\x04 hai"):
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename="SYT.xlsx")
    (tmp_path / "thu.eml").write_bytes(message.as_bytes())
    walked = [(i.name, sha) for i, sha in _walked([tmp_path / "thu.eml"]) if i.kind != "container"]
    assert walked == [("SYT.xlsx", _h(b"PK\x03\x04 mot")), ("SYT (2).xlsx", _h(b"PK\x03\x04 hai"))]


# ------------------------------------------------------------------------------ 7. the property test


NAME_FORMS = ("rfc2231", "encoded-word", "content-type-only", "none", "inline-none", "ascii")
ENCODINGS = ("base64", "quoted-printable", "8bit")
SENDERS = ("Văn thư Sở Y tế", "Phòng Văn hóa - Thông tin huyện A Lưới", "Sở Tư pháp", "UBND phường Thuận Hòa")
MEDIA = {".xlsx": XLSX, ".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".csv": "text/csv", ".png": "image/png", ".bin": "application/octet-stream"}


class _Expected:
    def __init__(self) -> None:
        self.files: list[tuple[str, str, str, str]] = []  # sha256, name ("" when made), sender, sent
        self.containers = 0
        self.counter = 0

    def unique(self) -> int:
        self.counter += 1
        return self.counter


def _leaf(draw, expected: _Expected, message: EmailMessage, envelope: tuple[str, str], in_zip: dict | None) -> None:
    n = expected.unique()
    suffix = draw(st.sampled_from(sorted(MEDIA)))
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding == "8bit" or suffix == ".csv":
        data = f"Mã,Tên đơn vị,{n}\nSYT,Sở Y tế,{draw(st.integers(0, 10**6))}\n".encode()
        encoding, suffix = draw(st.sampled_from(ENCODINGS)), ".csv"
    else:
        data = bytes([1, n % 256]) + draw(st.binary(min_size=0, max_size=300))
    stem = draw(st.sampled_from(["Sổ đánh giá Sở Y tế", "Biên bản kiểm tra", "Báo cáo CĐS quý 4", "so-lieu", "Ảnh chụp"]))
    name = f"{stem} {n}{suffix}"
    if in_zip is not None:
        in_zip[name] = data
        expected.files.append((_h(data), name, *envelope))
        return
    form = draw(st.sampled_from(NAME_FORMS))
    maintype, subtype = MEDIA[suffix].split("/")
    if form == "ascii":
        name = f"file-{n}{suffix}"
    cte = encoding if not (encoding == "8bit" and suffix != ".csv") else "base64"
    kwargs = {} if maintype == "text" else {"maintype": maintype, "subtype": subtype}
    payload: bytes | str = data
    if maintype == "text":
        payload = data.decode()
        kwargs = {"subtype": subtype}
    message.add_attachment(payload, **kwargs, cte=cte, **({"filename": name} if form in ("rfc2231", "ascii") else {}))
    part = message.get_payload()[-1]
    if form == "encoded-word":
        del part["Content-Disposition"]
        encoded = "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?="
        part["Content-Disposition"] = f'attachment; filename="{encoded}"'
    elif form == "content-type-only":
        del part["Content-Disposition"]
        part.set_param("name", name)
    elif form in ("none", "inline-none"):  # no name anywhere; marked attachment, or inline (a file all the same)
        del part["Content-Disposition"]
        part["Content-Disposition"] = "attachment" if form == "none" else "inline"
        name = ""
    expected.files.append((_h(data), name, *envelope))


def _container(draw, expected: _Expected, message: EmailMessage, envelope: tuple[str, str], depth: int) -> None:
    kind = draw(st.sampled_from(["zip", "tgz"]))
    members: dict[str, bytes] = {}
    for _ in range(draw(st.integers(1, 3))):
        _leaf(draw, expected, message, envelope, members)
    packed = pack(members) if kind == "zip" else containers.tarred(members)
    expected.containers += 1
    n = expected.unique()
    message.add_attachment(packed, maintype="application", subtype="zip" if kind == "zip" else "x-compressed-tar",
                           filename=f"Đính kèm {n}.{kind}")


@st.composite
def messages(draw, depth: int = 1, around: tuple[str, str] | None = None, expected: _Expected | None = None):
    expected = expected or _Expected()
    sender = f"{draw(st.sampled_from(SENDERS))} <don-vi-{expected.unique()}@thuathienhue.gov.vn>"
    when = dt.datetime(2025, 12, draw(st.integers(1, 28)), draw(st.integers(0, 23)), draw(st.integers(0, 59)), tzinfo=VN)
    message = EmailMessage()
    legacy = draw(st.sampled_from(["utf-8", "windows-1258 raw", "windows-1258 encoded"])) if depth == 1 else "utf-8"
    placeholder = f"NAME-PLACEHOLDER-{expected.unique()}"
    message["From"] = sender if legacy == "utf-8" else f"{placeholder} <{sender.split('<')[1]}"
    message["To"], message["Subject"] = "stttt@thuathienhue.gov.vn", "Gửi sổ"
    message["Date"] = format_datetime(when)
    body = draw(st.sampled_from(["plain", "alternative", "related"]))
    message.set_content("Kính gửi Sở Thông tin và Truyền thông.")
    envelope = (sender, when.isoformat(timespec="seconds"))
    expected.containers += 1
    if body != "plain":
        message.add_alternative("<p>Kính gửi Sở <img src='cid:logo'></p>", subtype="html")
    if body == "related":
        html = message.get_payload()[1] if message.is_multipart() else message
        logo = bytes([9, expected.unique() % 256]) + b"logo"
        html.add_related(logo, maintype="image", subtype="png", cid="<logo>")
        expected.files.append((_h(logo), "", *envelope))
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.sampled_from(["leaf", "leaf", "container", "forward"]))
        if choice == "container" and depth < received.MAX_DEPTH:
            _container(draw, expected, message, envelope, depth)
        elif choice == "forward" and depth < received.MAX_DEPTH - 1:
            inner, _, _ = draw(messages(depth + 1, envelope, expected))
            message.add_attachment(inner)
        else:
            _leaf(draw, expected, message, envelope, None)
    swap = (b"", b"")
    if legacy != "utf-8":  # the From header's name as old Vietnamese clients write it: raw windows-1258, or an encoded word in it
        legacy_name = containers.cp1258(sender.split(" <")[0])
        if legacy == "windows-1258 encoded":
            legacy_name = b"=?windows-1258?b?" + base64.b64encode(legacy_name) + b"?="
        swap = (placeholder.encode(), legacy_name)
    return message, expected, swap


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(st.data())
def test_every_attachment_of_any_message_is_an_item_exactly_once_with_its_bytes_sender_and_date(tmp_path_factory, data):
    message, expected, (placeholder, legacy) = data.draw(messages())
    raw = message.as_bytes()  # written here, not in the strategy: the boundaries are random
    if placeholder:
        raw = raw.replace(placeholder, legacy, 1)
    folder = tmp_path_factory.mktemp("thu")
    (folder / "thu.eml").write_bytes(raw)
    walked = _walked([folder / "thu.eml"])
    files = [(i, sha) for i, sha in walked if i.kind != "container"]
    assert sum(i.kind == "container" for i, _ in walked) == expected.containers
    got = sorted((sha, i.sender, i.sent) for i, sha in files)
    assert got == sorted((sha, sender, sent) for sha, _, sender, sent in expected.files)
    names = {sha: i.name for i, sha in files}
    for sha, name, _, _ in expected.files:
        assert names[sha] == (unicodedata.normalize("NFC", name) if name else names[sha])
        assert name or names[sha].startswith("tep-dinh-kem-")
    assert len({i.source for i, _ in walked}) == len(walked)


@settings(deadline=None)
@given(st.recursive(st.binary(max_size=9000), lambda inner: st.dictionaries(st.text("abcxyzĐạ_.#0123", min_size=1, max_size=31), inner,
                                                                              max_size=6), max_leaves=30))
def test_the_compound_file_writer_is_read_back_by_olefile(tree):
    tree = {"root": tree} if isinstance(tree, bytes) else tree
    read = olefile.OleFileIO(io.BytesIO(cfb.write(tree)), raise_defects=olefile.DEFECT_INCORRECT)

    def walk_tree(node: cfb.Tree, at: list[str]) -> None:
        for name, value in node.items():
            if isinstance(value, dict):
                assert read.get_type([*at, name]) == olefile.STGTY_STORAGE
                walk_tree(value, [*at, name])
            else:
                assert read.openstream([*at, name]).read() == value

    walk_tree(tree, [])
