"""`hue-dx tasks …`: the plan's tasks, their audit, reporting periods and the quarterly workbooks.

``add_parser(subparsers)`` declares the command group; ``tracking.commands.run(args, out)``
carries it out and returns the exit status (0 done; 1 done with something to review; 2 could
not run, raised as an error that ``hue_dx.cli.main`` turns into one Vietnamese line). This
module only declares, and imports neither ``hue_dx.cli`` nor ``commands`` (no import cycle):
``hue-dx … --help`` loads neither the tasks file's reader nor any Excel library.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..commandline import DATE_HELP, document_date, year
from ..errors import UsageError

DEFAULT_ARCHIVE = Path("out") / "luu-tru-bao-cao-quy"
DEFAULT_TASKS, DEFAULT_RECIPE = "hue-222-2020-tasks", "tracking-hue-222.toml"  # tasks.DEFAULT_TASKS, recipe.DEFAULT_RECIPE (a test keeps them equal)


class TasksUsageError(UsageError):
    """The command cannot run as asked; the message says why in Vietnamese."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    tasks = subparsers.add_parser(
        "tasks", help="nhiệm vụ của Kế hoạch (Phụ lục 1, 2, 3, 5, mục IV), kỳ báo cáo quý, sổ báo cáo quý của từng đơn vị",
        description="Các nhiệm vụ của Kế hoạch 222/KH-UBND dưới dạng dữ liệu: chỉ tiêu (Phụ lục 1), văn bản và chương trình (Phụ lục 2), "
                    "dự án (Phụ lục 3) với kinh phí (Phụ lục 5), nhiệm vụ thường xuyên (mục IV); đơn vị chủ trì, phối hợp. Không có VIỆC: in danh sách.")
    tasks.add_argument("--tasks", metavar="ID|TỆP", help=f"tệp nhiệm vụ (mặc định {DEFAULT_TASKS}; hoặc đường dẫn .toml)")
    tasks.add_argument("--recipe", metavar="TỆP", type=Path, help=f"tệp đợt báo cáo quý .toml (mặc định generator/{DEFAULT_RECIPE})")
    tasks.add_argument("--format", choices=("table", "json", "csv"), default="table", help="định dạng in danh sách (mặc định: table)")
    actions = tasks.add_subparsers(dest="tasks_action", metavar="VIỆC")
    check = actions.add_parser("check", help="kiểm tra tệp nhiệm vụ: tổng kinh phí in và cộng lại, Phụ lục 3 với Phụ lục 5, tên cơ quan, các quyết định",
                               description="Đối chiếu tổng kinh phí in trong Phụ lục 5 với tổng các dòng, từng dự án của Phụ lục 3 với dòng kinh phí, "
                                           "mọi tên cơ quan với danh sách đơn vị; đếm số dòng; liệt kê mọi quyết định. Thoát 1 nếu có lỗi.")
    check.add_argument("--format", dest="check_format", choices=("table", "json", "markdown"), default=None,
                       help="định dạng in ra (markdown: trang docs/tracking-decisions.md)")
    show = actions.add_parser("show", help="một nhiệm vụ: nguyên văn, chủ trì, phối hợp, năm, chỉ tiêu, kinh phí, quyết định",
                              description="In một nhiệm vụ (mã như PL1.3, PL2.I.5, PL3.B.2, IV.8.1, hoặc dòng kinh phí PL5.B.2).")
    show.add_argument("id", metavar="MÃ", help="mã nhiệm vụ, ví dụ PL3.A.I.1")
    unit = actions.add_parser("unit", help="những gì một đơn vị báo cáo mỗi quý: chỉ tiêu, nhiệm vụ chủ trì, phối hợp",
                              description="Liệt kê các chỉ tiêu và nhiệm vụ một đơn vị chủ trì (kể cả báo cáo thay cơ quan ngoài danh sách) và phối hợp.")
    unit.add_argument("code", metavar="MÃ_ĐƠN_VỊ", help="mã đơn vị trong danh sách, ví dụ STTTT")
    actions.add_parser("bodies", help="các cơ quan có tên trong Kế hoạch, cách viết, đơn vị tương ứng",
                       description="Bảng các cơ quan có tên trong Kế hoạch: mọi cách viết như in, đơn vị của danh sách hoặc ngoài danh sách, ai báo cáo thay.")
    per = actions.add_parser("periods", help="các kỳ báo cáo quý của một năm: thời gian chốt số liệu và hạn gửi",
                             description="Bốn kỳ báo cáo quý của một năm: thời gian chốt số liệu theo Điều 12 Nghị định 09/2019/NĐ-CP "
                                         "và hạn gửi theo cách tính của đợt báo cáo; quý IV cũng là báo cáo năm.")
    per.add_argument("year", metavar="NĂM", type=year, help="năm, ví dụ 2021")
    per.add_argument("--format", dest="periods_format", choices=("table", "json"), default="table", help="định dạng in ra")
    gen = actions.add_parser("generate", help="tạo sổ báo cáo quý Excel cho từng đơn vị",
                             description="Tạo cho mỗi đơn vị một sổ báo cáo quý: chỉ tiêu, nhiệm vụ chủ trì và phối hợp của đơn vị, ô nhập có kiểm tra, "
                                         "cột kiểm tra tự tính, điền sẵn số liệu quý trước nếu có. Ghi kèm manifest.json.")
    gen.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3 hoặc 'quý III năm 2021'")
    gen.add_argument("--out", metavar="THƯ_MỤC", type=Path, help="thư mục ghi sổ (mặc định out/bao-cao-quy-KỲ)")
    gen.add_argument("--unit", metavar="MÃ", action="append", help="chỉ tạo cho đơn vị này (dùng nhiều lần cho nhiều đơn vị)")
    gen.add_argument("--previous", metavar="TỆP.json", type=Path,
                     help="số liệu tổng hợp quý trước để điền sẵn (JSON: tasks, period, units → mã nhiệm vụ → câu trả lời)")
    con = actions.add_parser("consolidate", help="tổng hợp sổ báo cáo quý gửi về: kiểm tra, lưu kho, tổng hợp từng nhiệm vụ, bảng tổng hợp, dữ liệu mở",
                             description="Đọc các sổ báo cáo quý gửi về (tệp, thư mục, tệp nén, thư điện tử .eml, hộp thư .mbox), kiểm tra từng tệp, "
                                         "lưu vào kho theo SHA-256 và sổ cái, chọn tệp tính cho mỗi đơn vị (bản sửa sau cùng), tổng hợp từng nhiệm vụ "
                                         "(trạng thái chủ trì, phần việc phối hợp, mâu thuẫn, quá hạn), chỉ tiêu so với mục tiêu 2025, kinh phí so với "
                                         "Phụ lục 5; ghi bảng tổng hợp Excel, JSON, CSV và tệp số liệu để điền sẵn sổ quý sau. "
                                         "Thoát 0: không có gì cần xem; 1: có lỗi trong tệp, đơn vị chưa gửi, mâu thuẫn "
                                         "hoặc nhiệm vụ quá hạn; 2: không chạy được.")
    con.add_argument("inputs", metavar="ĐẦU_VÀO", type=Path, nargs="*", default=[],
                     help="tệp, thư mục, .zip, .eml hoặc .mbox (không có: tổng hợp lại từ kho lưu trữ)")
    con.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3")
    con.add_argument("--archive", metavar="THƯ_MỤC", type=Path, help=f"kho lưu trữ và sổ cái của đợt báo cáo quý (mặc định {DEFAULT_ARCHIVE})")
    con.add_argument("--out", metavar="THƯ_MỤC", type=Path, help="thư mục ghi kết quả (mặc định out/tong-hop-quy-KỲ)")
    cho = actions.add_parser("choose", help="chọn tệp được dùng cho một đơn vị trong một quý (quyết định của cán bộ, ghi vào sổ cái)",
                             description="Ghi quyết định của cán bộ: sổ báo cáo quý nào của đơn vị được dùng cho kỳ, thay cho quy tắc mặc định "
                                         "(bản có số liệu gửi sau cùng). Quyết định ghi vào sổ cái kèm thời điểm và lý do; hue-dx tasks consolidate "
                                         "dùng nó ở các lần chạy sau và ghi rõ trong kết quả. Không có MÃ_TỆP: in danh sách tệp của đơn vị trong kỳ.")
    cho.add_argument("unit", metavar="MÃ_ĐƠN_VỊ", help="mã đơn vị, ví dụ STTTT")
    cho.add_argument("sha", metavar="MÃ_TỆP", nargs="?", help="mã SHA-256 của tệp (đủ vài ký tự đầu, như trong trang 'Tệp đã nhận')")
    cho.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3")
    cho.add_argument("--reason", metavar="LÝ_DO", default="", help="lý do chọn (ghi vào sổ cái)")
    cho.add_argument("--undo", action="store_true", help="bỏ quyết định đã ghi, trở lại quy tắc mặc định")
    cho.add_argument("--archive", metavar="THƯ_MỤC", type=Path, help=f"kho lưu trữ của đợt báo cáo quý (mặc định {DEFAULT_ARCHIVE})")
    rep = actions.add_parser("report", help="báo cáo UBND tỉnh tình hình triển khai Kế hoạch trong quý và thư đôn đốc đơn vị gửi muộn, chưa gửi",
                             description="Từ kho lưu trữ của đợt báo cáo quý (sau hue-dx tasks consolidate): báo cáo tình hình triển khai Kế hoạch "
                                         "222/KH-UBND của quý (PDF và HTML, thể thức Nghị định 30/2020/NĐ-CP) và thư đôn đốc từng đơn vị gửi muộn "
                                         "hoặc chưa gửi báo cáo.")
    rep.add_argument("--period", metavar="KỲ", required=True, help="kỳ báo cáo, ví dụ 2021-Q3")
    rep.add_argument("--archive", metavar="THƯ_MỤC", type=Path, help=f"kho lưu trữ của đợt báo cáo quý (mặc định {DEFAULT_ARCHIVE})")
    rep.add_argument("--out", metavar="THƯ_MỤC", type=Path, help="thư mục ghi báo cáo và thư đôn đốc (mặc định out/bao-cao-ubnd-quy-KỲ)")
    from ..outbox.commands import add_tracking as add_mail

    add_mail(actions, DEFAULT_ARCHIVE)
    demo = actions.add_parser("demo", help="chạy bốn quý báo cáo trên dữ liệu có sẵn: tạo sổ, điền, tổng hợp, báo cáo, xu hướng năm",
                              description="Bốn quý của một năm trên dữ liệu có sẵn: tạo sổ báo cáo quý (điền sẵn số liệu quý trước), điền như các "
                                          "đơn vị (có đơn vị gửi muộn, bỏ một quý, báo cáo khác đơn vị chủ trì, gửi bản sửa, gõ sai), tổng hợp, "
                                          "báo cáo UBND tỉnh, thư đôn đốc, xu hướng của năm.")
    demo.add_argument("folder", metavar="THƯ_MỤC", type=Path, nargs="?", default=Path("out") / "demo-bao-cao-quy",
                      help="thư mục ghi (mặc định out/demo-bao-cao-quy)")
    demo.add_argument("--year", metavar="NĂM", type=year, default=None, help="năm (mặc định 2022: có nhiệm vụ năm 2021 đã quá hạn)")
    rep.add_argument("--date", metavar="NGÀY", type=document_date, default=None, help=DATE_HELP)
    for action in actions.choices.values():
        # where a person types them: after the command too (hue-dx tasks generate --recipe X); given
        # there, they win over the same options before the command, and never reset them when absent
        action.add_argument("--tasks", metavar="ID|TỆP", default=argparse.SUPPRESS, help="tệp nhiệm vụ (như hue-dx tasks --tasks)")
        action.add_argument("--recipe", metavar="TỆP", type=Path, default=argparse.SUPPRESS, help="tệp đợt báo cáo quý .toml (như hue-dx tasks --recipe)")
    return tasks
