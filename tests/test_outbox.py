"""Sending (issue 29): drafts that parse back to the same subject, addresses and attachment
bytes; delivery through a real SMTP server started on 127.0.0.1 (every attachment intact, a
refused recipient recorded, a dropped connection then a re-run: each message exactly once);
replies matched to the unit and campaign on intake."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import json
import shutil
import sqlite3
import sys
import unicodedata
from pathlib import Path

import pytest
from smtpserver import PASSWORD, USER, Handler, Server

from hue_dx import cli
from hue_dx.addresses import AddressError, addresses
from hue_dx.campaign import CampaignError, load
from hue_dx.intake.ledger import Ledger
from hue_dx.intake.received import Spool, walk

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "workbooks"
# distinct units, long and short Vietnamese names, one unit with two addresses, one without any
ROSTER = """code,name,level,group,official_name,parent,place,abbreviation,signer_authority,signer_title,signer_name,email
STTTT,Sở Thông tin và Truyền thông,so,"Sở, ban, ngành",,UBND tỉnh Thừa Thiên Huế,Thừa Thiên Huế,STTTT,,GIÁM ĐỐC,,stttt@thuathienhue.gov.vn
SLDTBXH,Sở Lao động - Thương binh và Xã hội,so,"Sở, ban, ngành",,UBND tỉnh Thừa Thiên Huế,Thừa Thiên Huế,SLĐTBXH,,GIÁM ĐỐC,,sldtbxh@thuathienhue.gov.vn
BQLKKT,"Ban Quản lý Khu kinh tế, công nghiệp tỉnh",so,"Sở, ban, ngành",,UBND tỉnh Thừa Thiên Huế,Thừa Thiên Huế,BQLKKTCN,,TRƯỞNG BAN,,bqlkkt@thuathienhue.gov.vn
HALUOI,UBND huyện A Lưới,huyen,UBND cấp huyện,Ủy ban nhân dân huyện A Lưới,,A Lưới,UBND,TM. ỦY BAN NHÂN DÂN,CHỦ TỊCH,,{two}
HQDIEN,UBND huyện Quảng Điền,huyen,UBND cấp huyện,Ủy ban nhân dân huyện Quảng Điền,,Quảng Điền,UBND,TM. ỦY BAN NHÂN DÂN,CHỦ TỊCH,,hqdien@thuathienhue.gov.vn
HNDONG,UBND huyện Nam Đông,huyen,UBND cấp huyện,Ủy ban nhân dân huyện Nam Đông,,Nam Đông,UBND,TM. ỦY BAN NHÂN DÂN,CHỦ TỊCH,,
""".replace("{two}", "Haluoi@ThuaThienHue.gov.vn; vanthu.haluoi@thuathienhue.gov.vn").replace(
    "UBND huyện Quảng Điền,", unicodedata.normalize("NFD", "UBND huyện Quảng Điền,"))  # typed decomposed, as a Mac writes it
WITH_ADDRESS = ("STTTT", "SLDTBXH", "BQLKKT", "HALUOI", "HQDIEN")


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main([str(a) for a in argv])
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    """A recipe over six distinct units, and their workbooks (hue-dx generate)."""
    tmp = tmp_path_factory.mktemp("outbox")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    recipe = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8").replace('"roster-hue-2020.csv"', '"roster.csv"')
    (tmp / "dot.toml").write_text(recipe, encoding="utf-8")
    assert run("generate", "--recipe", tmp / "dot.toml", "--out", tmp / "so")[0] == 0
    return tmp


@pytest.fixture
def books(campaign, tmp_path) -> Path:
    """A fresh copy of the workbooks' folder (each test writes its drafts there)."""
    shutil.copytree(campaign / "so", tmp_path / "so")
    return tmp_path / "so"


def mail_args(campaign: Path, books: Path, archive: Path, *extra: object) -> list[object]:
    return ["mail", "workbooks", books, "--recipe", campaign / "dot.toml", "--archive", archive, "--pause", "0", *extra]


def files_by_unit(books: Path) -> dict[str, bytes]:
    listing = json.loads((books / "manifest.json").read_text(encoding="utf-8"))
    return {f["unit"]: (books / f["path"]).read_bytes() for f in listing["files"]}


def attachment_of(data: bytes) -> tuple[str, bytes]:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    (part,) = list(msg.iter_attachments())
    return part.get_filename(), part.get_content()


def unit_of(msg) -> str:
    return msg["Message-ID"].split("@")[0].split(".")[-1]


# ------------------------------------------------------------------ addresses in the data


def test_the_roster_reads_several_addresses_per_unit_checked_and_in_order():
    assert addresses(" A@X.gov.vn ;b@x.gov.vn; a@x.gov.vn") == ("A@x.gov.vn", "b@x.gov.vn")
    assert addresses("Sở Tư pháp <stp@thuathienhue.gov.vn>") == ("stp@thuathienhue.gov.vn",)
    assert addresses("") == ()
    for bad in ("stp@", "stp.thuathienhue.gov.vn", "a@@b.vn", "sở@thuathienhue.gov.vn", "stp@localhost"):
        with pytest.raises(AddressError):
            addresses(bad)


def test_a_bad_address_in_the_roster_says_which_line_and_unit(campaign, tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER.replace("hqdien@thuathienhue.gov.vn", "hqdien@thuathienhue"), encoding="utf-8")
    shutil.copy(campaign / "dot.toml", tmp_path / "dot.toml")
    with pytest.raises(CampaignError, match=r"dòng 6 \(đơn vị HQDIEN\), cột email"):
        load(tmp_path / "dot.toml")


def test_the_shipped_roster_has_an_address_for_every_unit_and_the_tracking_recipe_reads_it():
    from hue_dx.tracking import recipe

    assert all(u.email for u in load().units)
    assert {u.code: u.email for u in recipe.load().units} == {u.code: u.email for u in load().units}
    assert load().unit("SNV").email == ("snv@thuathienhue.gov.vn", "vanthu.snv@thuathienhue.gov.vn")


# ------------------------------------------------------------------ drafts


def test_every_draft_parses_back_to_its_subject_addresses_and_attachment_bytes(campaign, books, tmp_path):
    code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"))
    assert code == 1  # HNDONG has no address: something to review
    assert "HNDONG (UBND huyện Nam Đông)" in out and "Chạy thử" in out
    sent_files = files_by_unit(books)
    units = {u.code: u for u in load(campaign / "dot.toml").units}
    drafts = sorted((books / "thu-nhap").glob("*.eml"))
    assert len(drafts) == 6
    for path in drafts:
        raw = path.read_bytes()
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998 and raw.isascii()  # any server takes it as it is
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        unit = units[unit_of(msg)]
        assert msg["X-Unsent"] == "1"
        assert msg["Subject"] == f"Sổ tự đánh giá chuyển đổi số năm 2020 – {unit.name} (hạn gửi lại 31/12/2020)"
        assert unicodedata.is_normalized("NFC", unit.name) and unicodedata.is_normalized("NFC", msg["To"] or "")
        assert [a.addr_spec for a in msg["From"].addresses] == ["stttt@thuathienhue.gov.vn"]
        assert msg["From"].addresses[0].display_name == "Sở Thông tin và Truyền thông"
        to = [a for a in msg["To"].addresses] if msg["To"] else []
        assert [a.addr_spec for a in to] == list(unit.email)
        # Python's parser reads the folding between two encoded words of a long name as a space
        assert all(" ".join(a.display_name.split()) == unit.name for a in to)
        name, data = attachment_of(raw)
        assert name == f"Sổ tự đánh giá chuyển đổi số năm 2020 – {unit.name}.xlsx" and unicodedata.is_normalized("NFC", name)
        assert data == sent_files[unit.code]
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert f"Kính gửi: {unit.heading_name}" in text and unit.heading_name in html and "31/12/2020" in text
        assert unicodedata.is_normalized("NFC", text) and unicodedata.is_normalized("NFC", msg["Subject"])


def test_the_attachment_name_reads_in_vietnamese_by_rfc_2231_and_by_encoded_words(campaign, books, tmp_path):
    """Thunderbird and Python read filename* (RFC 2231); older Outlook and webmail read the
    encoded words of filename and name (RFC 2047), as hue-dx's own intake does."""
    run(*mail_args(campaign, books, tmp_path / "kho", "--unit", "BQLKKT"))
    (path,) = (books / "thu-nhap").glob("*.eml")
    raw = path.read_bytes()
    expected = "Sổ tự đánh giá chuyển đổi số năm 2020 – Ban Quản lý Khu kinh tế, công nghiệp tỉnh.xlsx"
    part = next(p for p in email.message_from_bytes(raw, policy=email.policy.compat32).walk() if p.get_content_disposition() == "attachment")
    assert part.get_param("filename*", header="content-disposition") is not None or "filename*=utf-8''" in part["Content-Disposition"]
    assert "filename*0" not in part["Content-Disposition"]  # no RFC 2231 continuations: older Outlook does not join them
    assert email.header.make_header(email.header.decode_header(" ".join(part.get_param("name").split()))).__str__() == expected
    with Spool() as spool:
        items = {i.name: i for i in walk([path], spool)}
    assert expected in items  # hue-dx's own intake names it as the unit sees it


def test_a_draft_written_again_keeps_its_message_id_and_a_new_file_gets_a_new_one(campaign, books, tmp_path):
    archive = tmp_path / "kho"
    run(*mail_args(campaign, books, archive, "--unit", "HQDIEN"))
    first = email.message_from_bytes(next((books / "thu-nhap").glob("*.eml")).read_bytes(), policy=email.policy.default)["Message-ID"]
    run(*mail_args(campaign, books, archive, "--unit", "HQDIEN"))
    again = email.message_from_bytes(next((books / "thu-nhap").glob("*.eml")).read_bytes(), policy=email.policy.default)["Message-ID"]
    assert first == again and first.endswith("@thuathienhue.gov.vn>")
    assert run("generate", "--recipe", campaign / "dot.toml", "--out", books, "--unit", "HQDIEN")[0] == 0  # a new generation: other bytes
    run(*mail_args(campaign, books, archive, "--unit", "HQDIEN"))
    newer = email.message_from_bytes(next((books / "thu-nhap").glob("*.eml")).read_bytes(), policy=email.policy.default)["Message-ID"]
    assert newer != first
    ledger = Ledger(archive)
    try:
        rows = ledger.messages("workbook", "2020")
    finally:
        ledger.close()
    assert [r.state for r in rows] == ["written", "written"] and {r.unit for r in rows} == {"HQDIEN"}


# ------------------------------------------------------------------ sending


def smtp(server: Server, *extra: object) -> list[object]:
    return ["--send", "--server", "127.0.0.1", "--port", server.port, "--security", server.security, *extra]


def delivered(handler: Handler) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for r in handler.received:
        msg = email.message_from_bytes(r.data, policy=email.policy.default)
        out.setdefault(unit_of(msg), []).append(r.data)
    return out


def test_every_message_arrives_with_its_attachment_intact(campaign, books, tmp_path):
    handler = Handler()
    with Server(handler) as server:
        code, out, err = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1 and not err  # the unit without an address is to review
    got = delivered(handler)
    assert sorted(got) == sorted(WITH_ADDRESS)
    files = files_by_unit(books)
    for unit, messages in got.items():
        (data,) = messages
        assert hashlib.sha256(attachment_of(data)[1]).hexdigest() == hashlib.sha256(files[unit]).hexdigest()
        assert email.message_from_bytes(data, policy=email.policy.default)["X-Unsent"] is None  # a draft mark only on drafts
    halu = next(r for r in handler.received if "haluoi" in r.rcpt_tos[0].lower())
    assert halu.rcpt_tos == ["Haluoi@thuathienhue.gov.vn", "vanthu.haluoi@thuathienhue.gov.vn"] and halu.mail_from == "stttt@thuathienhue.gov.vn"
    db = sqlite3.connect(tmp_path / "kho" / "ledger.sqlite")
    states = dict(db.execute("SELECT unit, state FROM messages"))
    assert states == {**dict.fromkeys(WITH_ADDRESS, "sent"), "HNDONG": "written"}
    shas = dict(db.execute("SELECT unit, attachment FROM messages"))
    assert shas["BQLKKT"] == hashlib.sha256(files["BQLKKT"]).hexdigest()
    assert "chưa có địa chỉ thư" in out
    # a re-run sends nothing again
    with Server(handler := Handler()) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert handler.received == [] and sum(": đã gửi trước đó, không gửi lại (" in line for line in out.splitlines()) == len(WITH_ADDRESS)


def test_a_refused_recipient_is_recorded_and_the_run_goes_on(campaign, books, tmp_path):
    handler = Handler(refuse={"sldtbxh@thuathienhue.gov.vn", "vanthu.haluoi@thuathienhue.gov.vn"})
    with Server(handler) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1
    assert sorted(delivered(handler)) == ["BQLKKT", "HALUOI", "HQDIEN", "STTTT"]
    db = sqlite3.connect(tmp_path / "kho" / "ledger.sqlite")
    rows = {u: (s, r, json.loads(to)) for u, s, r, to in db.execute("SELECT unit, state, reply, recipients FROM messages")}
    assert rows["SLDTBXH"][0] == "refused" and "550 5.1.1 Không có hộp thư này" in rows["SLDTBXH"][1]
    assert rows["HALUOI"][0] == "sent" and "không nhận vanthu.haluoi@thuathienhue.gov.vn" in rows["HALUOI"][1]
    assert rows["HALUOI"][2] == ["Haluoi@thuathienhue.gov.vn"]  # who really got it
    assert "máy chủ từ chối" in out and "550 5.1.1" in out
    # the roster fixed, a re-run sends only the refused one
    with Server(handler := Handler()) as server:
        run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert sorted(delivered(handler)) == ["SLDTBXH"]


def test_a_dropped_connection_then_a_rerun_delivers_each_message_exactly_once(campaign, books, tmp_path):
    """The server drops the connection as the 3rd message begins (it never took it) and, as the
    run reconnects, goes away for good; a re-run sends the rest, nothing twice."""
    handler = Handler(drop_at={3})
    with Server(handler) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1 and len(handler.received) == 4  # the 3rd failed, the run reconnected and went on
    first = delivered(handler)
    db = sqlite3.connect(tmp_path / "kho" / "ledger.sqlite")
    failed = [u for (u,) in db.execute("SELECT unit FROM messages WHERE state = 'failed'")]
    assert len(failed) == 1 and failed[0] not in first
    handler = Handler(down=True)
    with Server(handler) as server:  # a server that drops everything: the run stops, nothing recorded as sent
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1 and handler.received == [] and "Chạy lại đúng lệnh này" in out
    handler = Handler()
    with Server(handler) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    second = delivered(handler)
    assert sorted(second) == failed
    together = [u for d in (first, second) for u, msgs in d.items() for _ in msgs]
    assert sorted(together) == sorted(WITH_ADDRESS)  # each message exactly once


def test_a_message_taken_before_the_connection_dropped_is_never_sent_twice_unless_asked(campaign, books, tmp_path):
    handler = Handler(take_then_drop={2})
    with Server(handler) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1 and "không rõ đã đến chưa" in out and "--resend" in out
    got = delivered(handler)
    assert sorted(got) == sorted(WITH_ADDRESS)
    db = sqlite3.connect(tmp_path / "kho" / "ledger.sqlite")
    (unknown,) = [u for (u,) in db.execute("SELECT unit FROM messages WHERE state = 'unknown'")]
    with Server(handler := Handler()) as server:
        run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
        assert handler.received == []  # exactly once: not sent again
        assert run(*mail_args(campaign, books, tmp_path / "kho", "--resend"), *smtp(server))[0] == 2  # --resend needs --unit
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho", "--unit", unknown, "--resend"), *smtp(server))
    assert list(delivered(handler)) == [unknown] and code == 0


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_sending_over_starttls_or_tls_logs_in_with_the_password_from_the_environment(campaign, books, tmp_path, monkeypatch, security):
    handler = Handler()
    monkeypatch.setenv("MAT_KHAU_THU", PASSWORD)
    with Server(handler, security, tmp_path) as server:
        argv = [*mail_args(campaign, books, tmp_path / "kho", "--unit", "HALUOI"), *smtp(server, "--user", USER, "--cafile", server.cafile)]
        code, _, err = run(*argv, "--password-env", "MAT_KHAU_THU")
        assert code == 0 and not err, err
        assert list(delivered(handler)) == ["HALUOI"]
        monkeypatch.setenv("MAT_KHAU_THU", "sai")
        code, _, err = run(*[*mail_args(campaign, books, tmp_path / "kho2", "--unit", "HALUOI"),
                             *smtp(server, "--user", USER, "--cafile", server.cafile, "--password-env", "MAT_KHAU_THU")])
        assert code == 2 and "không nhận tên đăng nhập hoặc mật khẩu" in err
        code, _, err = run(*mail_args(campaign, books, tmp_path / "kho3", "--unit", "HALUOI"), *smtp(server))  # the system does not know this authority
        assert code == 2 and "--cafile" in err
    assert len(handler.received) == 1


def test_no_password_in_the_environment_and_no_terminal_is_one_line_and_nothing_sent(campaign, books, tmp_path, monkeypatch):
    monkeypatch.delenv("HUEDX_MAT_KHAU_THU", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(*mail_args(campaign, books, tmp_path / "kho"), "--send", "--server", "127.0.0.1", "--user", USER)
    assert code == 2 and "HUEDX_MAT_KHAU_THU" in err
    code, _, err = run(*mail_args(campaign, books, tmp_path / "kho"), "--send", "--server", "127.0.0.1", "--user", USER, "--security", "none")
    assert code == 2 and "không mã hóa" in err


def test_the_server_comes_from_the_recipes_mail_table(campaign, books, tmp_path):
    handler = Handler()
    with Server(handler) as server:
        recipe = (campaign / "dot.toml").read_text(encoding="utf-8") + f'\n[mail]\nserver = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\npause = 0\n'
        (campaign / "mail.toml").write_text(recipe, encoding="utf-8")
        code, _, err = run("mail", "workbooks", books, "--recipe", campaign / "mail.toml", "--archive", tmp_path / "kho", "--unit", "STTTT", "--send")
    assert code == 0 and not err and list(delivered(handler)) == ["STTTT"]


# ------------------------------------------------------------------ replies matched on intake


def reply_to(draft: Path, sender: str, workbook: bytes, name: str) -> bytes:
    """What a unit's client sends back: Re: subject, In-Reply-To and References, the workbook re-attached."""
    original = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    msg = email.message.EmailMessage()
    msg["From"], msg["To"] = sender, "stttt@thuathienhue.gov.vn"
    msg["Subject"] = "Re: " + original["Subject"]
    msg["Date"] = "Mon, 21 Dec 2020 09:00:00 +0700"
    msg["Message-ID"] = f"<tra-loi.{hashlib.sha256(workbook + sender.encode()).hexdigest()[:12]}@thuathienhue.gov.vn>"
    msg["In-Reply-To"] = original["Message-ID"]
    msg["References"] = original["Message-ID"]
    msg.set_content("Kính gửi Sở, đơn vị gửi lại sổ đã điền.")
    msg.add_attachment(workbook, maintype="application", subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=name)
    return msg.as_bytes()


def test_a_reply_to_a_draft_is_matched_to_its_unit_and_campaign_on_intake(tmp_path):
    """The province's roster and the filled sample workbook of A Lưới: the reply from the unit's
    address, the workbook re-attached, is said to answer the message sent to HALUOI; a reply
    from an address not in the roster is listed as such."""
    archive, letters = tmp_path / "kho", tmp_path / "so"
    assert run("generate", "--out", letters, "--unit", "HALUOI", "--unit", "STTTT")[0] == 0
    assert run("mail", "workbooks", letters, "--archive", archive)[0] == 0
    drafts = {p.name.split("_")[2]: p for p in (letters / "thu-nhap").glob("*.eml")}
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    filled = (SAMPLES / "2020_HALUOI_da-dien.xlsx").read_bytes()
    clerk = "Văn thư A Lưới <vanthu.haluoi@thuathienhue.gov.vn>"
    (inbox / "tra-loi-a-luoi.eml").write_bytes(reply_to(drafts["HALUOI"], clerk, filled, "Sổ A Lưới đã điền.xlsx"))
    own = (SAMPLES / "2020_STTTT_da-dien.xlsx").read_bytes()
    # from a personal address, answering A Lưới's message with another unit's workbook
    (inbox / "tu-gmail.eml").write_bytes(reply_to(drafts["HALUOI"], "Nguyen Van A <nguyenvana.stttt@gmail.com>", own, "so.xlsx"))
    code, _, err = run("consolidate", inbox, "-o", tmp_path / "xep-hang.xlsx", "--archive", archive, "--json", tmp_path / "kq.json")
    assert not err
    files = json.loads((tmp_path / "kq.json").read_text(encoding="utf-8"))["files"]
    workbook = next(f for f in files if f["name"] == "Sổ A Lưới đã điền.xlsx")
    assert workbook["unit"] == "HALUOI" and workbook["reply_to_unit"] == "HALUOI" and workbook["state"] == "đang dùng"
    assert workbook["reply_to"] == email.message_from_bytes(drafts["HALUOI"].read_bytes(), policy=email.policy.default)["Message-ID"].strip("<>")
    assert workbook["reply_note"].startswith("trả lời thư gửi sổ tự đánh giá kỳ 2020 gửi HALUOI") and "không có trong danh sách" not in workbook["reply_note"]
    container = next(f for f in files if f["name"] == "tra-loi-a-luoi.eml")
    assert container["reply_to_unit"] == "HALUOI"
    stranger = next(f for f in files if f["name"] == "so.xlsx")
    assert stranger["unit"] == "STTTT" and stranger["reply_to_unit"] == "HALUOI" and "tệp là của STTTT" in stranger["reply_note"]
    assert "nguyenvana.stttt@gmail.com, địa chỉ không có trong danh sách đơn vị" in stranger["reply_note"]
    issues = json.loads((tmp_path / "kq.json").read_text(encoding="utf-8"))["issues"]
    unknown = [i for i in issues if i["code"] == "mail-reply-unknown-sender"]
    assert len(unknown) == 1 and unknown[0]["unit"] == "HALUOI" and unknown[0]["severity"] == "info"  # once per e-mail, not per file
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "xep-hang.xlsx", read_only=True)["Tệp đã nhận"]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Trả lời thư" in cells and any(c.startswith("trả lời thư gửi sổ tự đánh giá kỳ 2020 gửi HALUOI") for c in cells)
    # a later run that receives nothing new still knows the reply (the ids are in the ledger)
    (tmp_path / "empty").mkdir()
    run("consolidate", tmp_path / "empty", "-o", tmp_path / "again.xlsx", "--archive", archive, "--json", tmp_path / "again.json")
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["files"]
    assert next(f for f in again if f["source"].endswith("Sổ A Lưới đã điền.xlsx"))["reply_to_unit"] == "HALUOI"


# ------------------------------------------------------------------ the other kinds: letters and quarterly workbooks


def two_units(tmp_path: Path, signer: str = "Trần Thị B") -> Path:
    """The shipped recipe over two units of the province's roster: the sender and A Lưới."""
    lines = (ROOT / "generator" / "roster-hue-2020.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "hai.csv").write_text("\n".join(x for x in lines if x.startswith(("code,", "STTTT,", "HALUOI,"))) + "\n", encoding="utf-8")
    recipe = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8").replace('"roster-hue-2020.csv"', '"hai.csv"')
    (tmp_path / "hai.toml").write_text(recipe.replace('signer_name = "Trần Thị B"', f'signer_name = "{signer}"'), encoding="utf-8")
    return tmp_path / "hai.toml"


def test_a_correction_request_goes_with_its_letter_attached_and_its_text_in_the_body(tmp_path):
    recipe, inbox = two_units(tmp_path), tmp_path / "ve"
    inbox.mkdir()
    shutil.copy(SAMPLES / "2020_HALUOI_da-dien.xlsx", inbox)
    assert run("requests", inbox, "--recipe", recipe, "--out", tmp_path / "thu", "--archive", tmp_path / "kho")[0] == 1  # the file has errors
    code, out, err = run("mail", "requests", tmp_path / "thu", "--recipe", recipe, "--archive", tmp_path / "kho")
    assert code == 0 and not err
    (draft,) = (tmp_path / "thu" / "thu-nhap").glob("*.eml")
    msg = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "V/v sửa, giải trình số liệu tự đánh giá chuyển đổi số năm 2020 – UBND huyện A Lưới"
    assert [a.addr_spec for a in msg["To"].addresses] == ["haluoi@thuathienhue.gov.vn", "vanthu.haluoi@thuathienhue.gov.vn"]
    name, data = attachment_of(draft.read_bytes())
    assert name == "Công văn đề nghị sửa, giải trình số liệu tự đánh giá chuyển đổi số năm 2020 – UBND huyện A Lưới.pdf"
    assert data == (tmp_path / "thu" / "de-nghi-HALUOI.pdf").read_bytes() and data.startswith(b"%PDF")
    letter = (tmp_path / "thu" / "de-nghi-HALUOI.txt").read_text(encoding="utf-8").strip()
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert letter in body and body.count("Kính gửi") == 1


def test_a_letter_still_a_draft_is_written_but_never_sent(tmp_path):
    recipe, inbox = two_units(tmp_path, signer=""), tmp_path / "ve"
    inbox.mkdir()
    shutil.copy(SAMPLES / "2020_HALUOI_da-dien.xlsx", inbox)
    run("requests", inbox, "--recipe", recipe, "--out", tmp_path / "thu", "--archive", tmp_path / "kho")
    handler = Handler()
    with Server(handler) as server:
        code, out, _ = run("mail", "requests", tmp_path / "thu", "--recipe", recipe, "--archive", tmp_path / "kho", "--pause", "0", *smtp(server))
    assert code == 1 and handler.received == [] and "dự thảo, không gửi" in out
    assert len(list((tmp_path / "thu" / "thu-nhap").glob("*.eml"))) == 1


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> Path:
    """A quarter's workbooks for two units, and the reminders of a quarter nobody reported."""
    tmp = tmp_path_factory.mktemp("quy")
    assert run("tasks", "generate", "--period", "2021-Q3", "--unit", "SYT", "--unit", "HALUOI", "--out", tmp / "so")[0] == 0
    (tmp / "trong").mkdir()
    run("tasks", "consolidate", tmp / "trong", "--period", "2021-Q3", "--archive", tmp / "kho", "--out", tmp / "tong-hop")
    run("tasks", "report", "--period", "2021-Q3", "--archive", tmp / "kho", "--out", tmp / "bao-cao")
    return tmp


def test_the_quarterly_workbooks_go_each_to_its_unit(quarter, tmp_path):
    code, _, err = run("tasks", "mail", "workbooks", quarter / "so", "--period", "2021-Q3", "--archive", tmp_path / "kho", "--out", tmp_path / "nhap")
    assert code == 0 and not err
    files = files_by_unit(quarter / "so")
    for draft in (tmp_path / "nhap").glob("*.eml"):
        msg = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        unit = load().unit(unit_of(msg))
        # the 18th of September 2021 is a Saturday: the deadline rolls to Monday
        assert msg["Subject"] == f"Sổ báo cáo quý III năm 2021 tình hình triển khai Kế hoạch 222/KH-UBND – {unit.name} (hạn gửi 20/09/2021)"
        name, data = attachment_of(draft.read_bytes())
        assert name == f"Sổ báo cáo quý III năm 2021 – {unit.name}.xlsx" and data == files[unit.code]
    assert sorted(unit_of(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)) for p in (tmp_path / "nhap").glob("*.eml")) == [
        "HALUOI", "SYT"]
    code, _, err = run("tasks", "mail", "workbooks", quarter / "so", "--period", "2021-Q4", "--archive", tmp_path / "kho")
    assert code == 2 and "kỳ 2021-Q3, không phải 2021-Q4" in err  # another quarter's folder is refused
    code, _, err = run("mail", "workbooks", quarter / "so", "--archive", tmp_path / "kho-2")
    assert code == 2 and "không phải sổ đánh giá" in err


def test_the_reminders_go_to_the_units_that_have_not_reported_and_a_reply_is_matched(quarter, tmp_path):
    archive = tmp_path / "kho"
    shutil.copytree(quarter / "kho", archive)
    folder = quarter / "bao-cao" / "thu-don-doc"
    handler = Handler()
    with Server(handler) as server:
        code, out, err = run("tasks", "mail", "reminders", folder, "--period", "2021-Q3", "--archive", archive, "--out", tmp_path / "nhap",
                             "--pause", "0", *smtp(server))
    assert code == 0 and not err
    got = delivered(handler)
    assert len(got) == len(load().units) - 1  # every unit but the sender itself
    pdfs = {json_row["unit"]: (folder / json_row["pdf"]).read_bytes() for json_row in json.loads((folder / "manifest.json").read_text("utf-8"))["letters"]}
    assert all(attachment_of(msgs[0])[1] == pdfs[unit] for unit, msgs in got.items())
    # A Lưới answers the reminder with its quarterly workbook
    draft = next((tmp_path / "nhap").glob("*HALUOI*.eml"))
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    workbook = next((quarter / "so").glob("2021-Q3_HALUOI_*.xlsx")).read_bytes()
    (inbox / "tra-loi.eml").write_bytes(reply_to(draft, "haluoi@thuathienhue.gov.vn", workbook, "Báo cáo quý III.xlsx"))
    run("tasks", "consolidate", inbox, "--period", "2021-Q3", "--archive", archive, "--out", tmp_path / "tong-hop")
    from openpyxl import load_workbook

    sheet = load_workbook(next((tmp_path / "tong-hop").glob("*.xlsx")), read_only=True)["Tệp đã nhận"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    header = next(r for r in rows if "Trả lời thư" in r)
    row = dict(zip(header, next(r for r in rows if str(r[0]).endswith("Báo cáo quý III.xlsx")), strict=True))
    assert row["Đơn vị"] == "HALUOI" and row["Tình trạng"] == "sổ chưa có số liệu"  # returned as it was sent
    assert row["Trả lời thư"].startswith("trả lời thư đôn đốc báo cáo quý kỳ quý III năm 2021 gửi HALUOI")


def test_the_command_line_states_the_same_security_choices_and_password_variable_as_the_sender():
    from hue_dx.outbox import commands
    from hue_dx.outbox import smtp as smtp_mod

    assert commands.SECURITY == smtp_mod.SECURITY and commands.PASSWORD_ENV == smtp_mod.PASSWORD_ENV


def test_the_password_comes_from_the_environment_else_the_prompt_never_from_an_option(monkeypatch):
    from hue_dx.outbox.smtp import Server as Mailserver
    from hue_dx.outbox.smtp import password

    server = Mailserver("mail.thuathienhue.gov.vn", 587, user="stttt", password_env="MAT_KHAU_THU")
    monkeypatch.delenv("MAT_KHAU_THU", raising=False)
    asked: list[str] = []
    assert password(server, prompt=lambda text: asked.append(text) or "từ lời nhắc") == "từ lời nhắc" and "stttt" in asked[0]
    monkeypatch.setenv("MAT_KHAU_THU", "từ biến môi trường")
    assert password(server, prompt=lambda text: "không hỏi") == "từ biến môi trường"
    assert password(Mailserver("relay", 25, "none")) is None  # no user: no password
    options = {a.dest for p in cli.parsers(cli.build_parser()) if p.prog.endswith(" mail workbooks") for a in p._actions}
    assert "password" not in options and "password_env" in options


def test_a_ledger_of_the_version_before_gets_the_replies_column_and_the_messages_table(tmp_path):
    root = tmp_path / "kho"
    root.mkdir()
    db = sqlite3.connect(root / "ledger.sqlite")
    db.executescript("""CREATE TABLE files (sha256 TEXT PRIMARY KEY, size INTEGER, received_at TEXT, source TEXT, accepted INTEGER,
        unit TEXT, period TEXT, catalog TEXT, level TEXT, generation_id TEXT, modified TEXT, total REAL, max REAL, idx REAL, result TEXT,
        kind TEXT DEFAULT 'self', errors INTEGER DEFAULT 0, issues TEXT DEFAULT '[]', figures INTEGER DEFAULT -1);
        CREATE TABLE sources (sha256 TEXT, source TEXT, seen_at TEXT, run INTEGER, sender TEXT DEFAULT '', sent TEXT DEFAULT '',
        PRIMARY KEY (sha256, source));
        INSERT INTO sources VALUES ('ab', 'cu.xlsx', '2020-12-01T08:00:00+07:00', 1, '', '');
        PRAGMA user_version = 3;""")
    db.close()
    ledger = Ledger(root)
    try:
        assert "replies_to" in {r[1] for r in ledger.db.execute("PRAGMA table_info(sources)")}
        assert ledger.messages() == [] and ledger.answered(["ab"]) == {}
        ledger.seen("cd", "moi.eml!/so.xlsx", replies_to=("a@x.vn", "b@x.vn"))
        assert ledger.db.execute("SELECT replies_to FROM sources WHERE sha256 = 'cd'").fetchone() == ("a@x.vn b@x.vn",)
    finally:
        ledger.close()


def test_a_server_gone_away_stops_the_run_and_the_next_run_sends_every_message_once(campaign, books, tmp_path):
    handler = Handler(down=True)
    with Server(handler) as server:
        code, out, _ = run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert code == 1 and handler.received == []
    states = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("  ")]
    assert sum(s.startswith("chưa gửi được") for s in states) == 2 and states.count("chưa gửi (lần chạy dừng trước thư này)") == len(WITH_ADDRESS) - 2
    db = sqlite3.connect(tmp_path / "kho" / "ledger.sqlite")
    assert sorted(s for (s,) in db.execute("SELECT state FROM messages")) == ["failed"] * 2 + ["written"] * 4  # every draft recorded
    with Server(handler := Handler()) as server:
        run(*mail_args(campaign, books, tmp_path / "kho"), *smtp(server))
    assert sorted(u for u, msgs in delivered(handler).items() for _ in msgs) == sorted(WITH_ADDRESS)
