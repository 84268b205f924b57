"""`hue-dx mail workbooks|requests` and `hue-dx tasks mail workbooks|reminders`: one e-mail per
unit, written as drafts, sent through the mail server with ``--send``.

``add_options`` declares what both groups share (imported by ``hue_dx.cli`` and
``hue_dx.tracking.cli`` at start-up: only argparse and ``commandline`` here, nothing heavy);
``run_assessment`` and ``run_tracking`` carry a command out and return its exit status.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..commandline import EXIT_OK, EXIT_PROBLEMS, positive_int, seconds
from ..errors import UsageError

SECURITY = ("starttls", "tls", "none")  # smtp.SECURITY (a test keeps them equal)
PASSWORD_ENV = "HUEDX_MAT_KHAU_THU"  # smtp.PASSWORD_ENV
DRAFTS = "thu-nhap"  # the drafts' folder, inside the folder of the files they carry


def add_options(parser: argparse.ArgumentParser, archive: Path) -> None:
    """The options of every mail command."""
    parser.add_argument("made", metavar="THƯ_MỤC", type=Path, nargs="?", default=None,
                        help="thư mục chứa các tệp cần gửi và manifest.json của lệnh đã tạo ra chúng (mặc định: thư mục mặc định của lệnh đó)")
    parser.add_argument("--out", metavar="THƯ_MỤC", type=Path, default=None, help=f"thư mục ghi thư nháp .eml (mặc định THƯ_MỤC/{DRAFTS})")
    parser.add_argument("--unit", metavar="MÃ", action="append", help="chỉ thư gửi đơn vị này (dùng nhiều lần cho nhiều đơn vị)")
    parser.add_argument("--archive", metavar="THƯ_MỤC", type=Path, default=None,
                        help=f"kho lưu trữ và sổ cái ghi các thư đã viết, đã gửi (mặc định {archive.as_posix()}; "
                             "cùng kho với lệnh tổng hợp để nhận ra thư trả lời)")
    parser.add_argument("--send", action="store_true", help="gửi thật qua máy chủ thư (không có: chỉ viết thư nháp, chạy thử)")
    parser.add_argument("--server", metavar="MÁY_CHỦ", default=None, help="máy chủ thư SMTP (mặc định khóa server của mục [mail] trong tệp đợt)")
    parser.add_argument("--port", metavar="CỔNG", type=positive_int, default=None, help="cổng (mặc định 587 với starttls, 465 với tls, 25 với none)")
    parser.add_argument("--security", choices=SECURITY, default=None,
                        help="mã hóa kết nối: starttls (mặc định), tls (mã hóa ngay từ đầu), none (máy chủ chuyển tiếp trong mạng nội bộ, không đăng nhập)")
    parser.add_argument("--user", metavar="TÊN", default=None, help="tên đăng nhập máy chủ thư (mật khẩu: biến môi trường hoặc hỏi khi chạy)")
    parser.add_argument("--password-env", metavar="BIẾN", default=None,
                        help=f"tên biến môi trường chứa mật khẩu (mặc định {PASSWORD_ENV}); không có thì hỏi khi chạy, không bao giờ đọc từ tệp")
    parser.add_argument("--cafile", metavar="TỆP.pem", type=Path, default=None,
                        help="chứng thư của tổ chức cấp chứng thư cho máy chủ thư, nếu hệ điều hành chưa biết")
    parser.add_argument("--pause", metavar="GIÂY", type=seconds, default=None, help="số giây nghỉ giữa hai thư (mặc định 2)")
    parser.add_argument("--resend", action="store_true", help="gửi lại cả thư đã gửi hoặc không rõ đã đến chưa (chỉ cùng --unit)")


def add_assessment(commands) -> argparse.ArgumentParser:
    """`hue-dx mail`: the campaign's workbooks and the correction requests."""
    mail = commands.add_parser("mail", help="thư điện tử gửi từng đơn vị: sổ đánh giá, thư đề nghị sửa (thư nháp .eml hoặc gửi qua máy chủ thư)",
                               description="Viết cho mỗi đơn vị một thư điện tử (tiêu đề, nội dung tiếng Việt, tệp của đơn vị đính kèm) thành thư nháp .eml "
                                           "mở được bằng Outlook, Thunderbird, webmail; với --send thì gửi qua máy chủ thư của tỉnh. Mọi thư ghi vào sổ cái: "
                                           "chạy lại chỉ gửi thư chưa gửi, thư trả lời được nhận ra khi tổng hợp.")
    kinds = mail.add_subparsers(dest="mail_kind", metavar="LOẠI", required=True)
    books = kinds.add_parser("workbooks", help="sổ đánh giá của từng đơn vị (sau hue-dx generate)",
                             description="Mỗi đơn vị một thư kèm sổ tự đánh giá của mình, từ thư mục hue-dx generate đã ghi (manifest.json).")
    letters = kinds.add_parser("requests", help="thư đề nghị sửa, giải trình của từng đơn vị (sau hue-dx requests)",
                               description="Mỗi đơn vị một thư kèm công văn đề nghị sửa (PDF), nội dung công văn trong thư, từ thư mục hue-dx requests đã ghi.")
    for sub in (books, letters):
        add_options(sub, Path("out") / "luu-tru")
        sub.add_argument("--recipe", metavar="TỆP", type=Path, help="tệp đợt đánh giá .toml (mặc định generator/campaign-2020.toml)")
    return mail


def add_tracking(actions, archive: Path) -> argparse.ArgumentParser:
    """`hue-dx tasks mail`: the quarterly workbooks and the reminders."""
    mail = actions.add_parser("mail", help="thư điện tử gửi từng đơn vị: sổ báo cáo quý, thư đôn đốc (thư nháp .eml hoặc gửi qua máy chủ thư)",
                              description="Viết cho mỗi đơn vị một thư điện tử kèm sổ báo cáo quý hoặc công văn đôn đốc, thành thư nháp .eml; với --send "
                                          "thì gửi qua máy chủ thư. Mọi thư ghi vào sổ cái của đợt báo cáo quý: chạy lại chỉ gửi thư chưa gửi.")
    kinds = mail.add_subparsers(dest="mail_kind", metavar="LOẠI", required=True)
    books = kinds.add_parser("workbooks", help="sổ báo cáo quý của từng đơn vị (sau hue-dx tasks generate)",
                             description="Mỗi đơn vị một thư kèm sổ báo cáo quý của mình, từ thư mục hue-dx tasks generate đã ghi.")
    letters = kinds.add_parser("reminders", help="thư đôn đốc đơn vị gửi muộn, chưa gửi (sau hue-dx tasks report)",
                               description="Mỗi đơn vị gửi muộn hoặc chưa gửi một thư kèm công văn đôn đốc (PDF), "
                                           "từ thư mục thư đôn đốc hue-dx tasks report đã ghi.")
    for sub in (books, letters):
        add_options(sub, archive)
        sub.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3")
    return mail


# ------------------------------------------------------------------------------ running


def run_assessment(args: argparse.Namespace, out) -> int:
    from .. import campaign as campaign_mod
    from .. import catalog as catalog_mod
    from ..intake.check import Context
    from ..intake.consolidate import Assessment
    from . import letters

    campaign = campaign_mod.load(args.recipe)
    sender = _sender(campaign)
    wanted = _wanted(args, campaign.unit)
    if args.mail_kind == "workbooks":
        folder = args.made or Path("out") / f"so-danh-gia-{campaign.period}"
        made = letters.workbooks(campaign, folder, sender, wanted)
    else:
        folder = args.made or Path("out") / "de-nghi"
        made = letters.requests(campaign, folder, sender, wanted)
    catalog = catalog_mod.load(campaign.catalog)
    kind = Assessment(Context(catalog, campaign, {}), catalog, campaign)  # to open its archive (no file is checked)
    args.archive = args.archive or campaign.archive  # the campaign's own archive (its recipe's ``archive``)
    return _run(args, kind, campaign.path, sender, made, folder, out)


def run_tracking(catalog, recipe, args: argparse.Namespace, out) -> int:
    from ..tracking.intake import Context, QuarterlyKind
    from ..tracking.periods import Quarter
    from . import letters

    quarter = Quarter.parse(args.period)
    campaign = recipe.campaign(quarter)
    sender = _sender(campaign)
    wanted = _wanted(args, recipe.unit)
    if args.mail_kind == "workbooks":
        folder = args.made or Path("out") / f"bao-cao-quy-{quarter.id}"
        made = letters.quarterly(recipe, quarter, folder, sender, wanted)
    else:
        folder = args.made or Path("out") / f"bao-cao-ubnd-quy-{quarter.id}" / "thu-don-doc"
        made = letters.reminders(recipe, quarter, folder, sender, wanted)
    return _run(args, QuarterlyKind(Context(catalog, recipe, quarter)), recipe.path, sender, made, folder, out)


def _sender(campaign):
    from .compose import Sender

    return Sender.of_campaign(campaign)


def _wanted(args: argparse.Namespace, find) -> set[str] | None:
    if args.resend and not args.unit:
        raise UsageError("--resend chỉ dùng cùng --unit MÃ (gửi lại thư của những đơn vị đã chỉ rõ)")
    return {find(code).code for code in args.unit} if args.unit else None


def settings(path: Path) -> dict:
    """The recipe's [mail] table: server, port, security, user, password_env, pause."""
    import tomllib

    from ..campaign import section

    return section(tomllib.loads(path.read_text(encoding="utf-8")), "mail")


def _server(args: argparse.Namespace, recipe: Path):
    from .smtp import PORTS, Server

    given = settings(recipe)
    host = args.server or given.get("server", "")
    if not host:
        raise UsageError(f"chưa có máy chủ thư: --server MÁY_CHỦ, hoặc khóa server của mục [mail] trong {recipe}")
    security = args.security or given.get("security") or "starttls"
    if security not in SECURITY:
        raise UsageError(f"{recipe}: khóa security của mục [mail] phải là một trong {', '.join(SECURITY)}, gặp {security!r}")
    try:
        port = args.port or int(given.get("port") or PORTS[security])
    except ValueError:
        raise UsageError(f"{recipe}: khóa port của mục [mail] phải là một số, gặp {given.get('port')!r}") from None
    if args.cafile is not None and not args.cafile.is_file():
        raise UsageError(f"Không tìm thấy tệp: {args.cafile}")
    return Server(host, port, security, args.user if args.user is not None else given.get("user", ""),
                  args.password_env or given.get("password_env") or PASSWORD_ENV, args.cafile)


def _pause(args: argparse.Namespace, recipe: Path) -> float:
    if args.pause is not None:
        return args.pause
    try:
        return seconds(str(settings(recipe).get("pause", "2")))
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"{recipe}: khóa pause của mục [mail]: {exc}") from None


def _run(args: argparse.Namespace, kind, recipe: Path, sender, made, folder: Path, out) -> int:
    from ..documents import local_time
    from ..intake.engine import open_ledger
    from . import sending
    from .smtp import Connection, password

    drafts = args.out or folder / DRAFTS
    connect = None
    if args.send:
        server = _server(args, recipe)
        secret = password(server)

        def connect() -> Connection:
            connection = Connection(server, secret)
            connection.open()
            return connection
    ledger = open_ledger(kind, args.archive or kind.default_archive)
    try:
        def progress(o) -> None:
            to = "; ".join(o.letter.recipients) or "(chưa có địa chỉ)"
            said = f" ({o.reply})" if o.reply and o.state in sending.TO_REVIEW else f" ({local_time(o.before)})" if o.before else ""
            out.write(f"  {o.letter.unit.code:<10} {to}: {o.state_vi}{said}\n")
            out.flush()

        out.write(f"{len(made)} thư, người gửi {sender.name} <{sender.address}>:\n")
        outcomes = sending.run(made, sender, ledger, drafts, connect=connect, pause=_pause(args, recipe) if args.send else 0.0,
                               resend=args.resend, progress=progress)
    finally:
        ledger.close()
    return _summary(outcomes, drafts, args, out)


def _summary(outcomes, drafts: Path, args: argparse.Namespace, out) -> int:
    from collections import Counter

    from .sending import STATES, TO_REVIEW

    out.write(f"Thư nháp (.eml, mở bằng Outlook, Thunderbird hoặc nhập vào webmail: docs/mail.md): {drafts}\n")
    counts = Counter(o.state for o in outcomes)
    if args.send:
        out.write("Kết quả: " + "; ".join(f"{STATES[state]}: {n}" for state, n in counts.items()) + ".\n")
    else:
        out.write("Chạy thử: chưa gửi thư nào (thêm --send để gửi qua máy chủ thư).\n")
    missing = [o.letter.unit for o in outcomes if not o.letter.recipients]
    if missing:
        out.write(f"Chưa có địa chỉ thư ({len(missing)} đơn vị, điền cột email của danh sách đơn vị): "
                  + ", ".join(f"{u.code} ({u.name})" for u in missing) + "\n")
    drafts_doc = [o.letter.unit.code for o in outcomes if o.letter.draft]
    if drafts_doc:
        out.write(f"Văn bản còn là dự thảo, không gửi ({len(drafts_doc)}): {', '.join(drafts_doc)}; điền họ tên người ký rồi chạy lại lệnh tạo văn bản.\n")
    if any(o.state == "unknown" for o in outcomes):
        out.write("Thư 'không rõ đã đến chưa': xem hộp thư đã gửi hoặc hỏi đơn vị; gửi lại bằng --unit MÃ --resend.\n")
    if any(o.state in ("failed", "not-tried") for o in outcomes):
        out.write("Chạy lại đúng lệnh này để gửi các thư chưa gửi được (thư đã gửi không bao giờ được gửi lại).\n")
    review = bool(missing) or any(o.state in TO_REVIEW for o in outcomes) or bool(drafts_doc)
    return EXIT_PROBLEMS if review else EXIT_OK
