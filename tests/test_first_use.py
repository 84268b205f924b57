"""What trips a person the first time (issue 21.7): options where they are typed (``hue-dx tasks
generate --recipe X``), a document date for every document command (assessment and tracking),
exit codes kept through a pipe (``tasks consolidate … | head``)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_reports import pdf_text

from hue_dx import cli

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "generator" / "tracking-hue-222.toml"
TASKS = ROOT / "hue_dx" / "catalogs" / "hue-222-2020-tasks.toml"
CLEAN = ROOT / "samples" / "workbooks" / "2020_STTTT_da-dien.xlsx"


def run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exc:  # a bad argument: argparse's one line, exit 2
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_recipe_and_tasks_are_understood_after_the_subcommand_too(tmp_path):
    code, out, err = run("tasks", "generate", "--recipe", RECIPE, "--tasks", TASKS, "--period", "2022-Q3", "--unit", "SNV",
                         "--out", tmp_path / "a")
    assert code == 0, err
    assert "Đã tạo 1 sổ báo cáo quý III năm 2022" in out
    code, out, err = run("tasks", "--recipe", RECIPE, "generate", "--period", "2022-Q3", "--unit", "SNV", "--out", tmp_path / "b")
    assert code == 0, err  # before the subcommand, as it always was
    code, _, err = run("tasks", "unit", "SNV", "--recipe", tmp_path / "khong-co.toml")
    assert code == 2 and "khong-co.toml" in err  # given after the subcommand, it is the one used


def test_tracking_report_takes_the_documents_date(tmp_path):
    code, _, err = run("tasks", "generate", "--period", "2022-Q3", "--unit", "SNV", "--out", tmp_path / "so")
    assert code == 0, err
    kho = tmp_path / "kho"
    assert run("tasks", "consolidate", tmp_path / "so", "--period", "2022-Q3", "--archive", kho, "--out", tmp_path / "th")[0] == 1
    code, _, err = run("tasks", "report", "--period", "2022-Q3", "--archive", kho, "--out", tmp_path / "bc", "--date", "25/09/2022")
    assert code == 1, err
    text = pdf_text(tmp_path / "bc" / "bao-cao-trien-khai-ke-hoach-222-2022-Q3.pdf")
    assert "Thừa Thiên Huế, ngày 25 tháng 9 năm 2022" in text
    letter = next((tmp_path / "bc" / "thu-don-doc").glob("don-doc-2022-Q3-SYT-*.pdf"))
    assert "ngày 25 tháng 9 năm 2022" in pdf_text(letter)
    code, _, err = run("tasks", "report", "--period", "2022-Q3", "--archive", kho, "--date", "31/02/2022")
    assert code == 2 and "ngày không có thật" in err


def test_assessment_documents_take_the_documents_date(tmp_path):
    folder = tmp_path / "gui-ve"
    folder.mkdir()
    shutil.copy(CLEAN, folder / CLEAN.name)
    code, _, err = run("report", "unit", CLEAN, "-o", tmp_path / "u.pdf", "--date", "2021-01-15")
    assert code == 0, err
    assert "ngày 15 tháng 01 năm 2021" in pdf_text(tmp_path / "u.pdf")
    run("report", "ranking", folder, "-o", tmp_path / "r.pdf", "--archive", tmp_path / "kho", "--date", "16/01/2021")
    assert "ngày 16 tháng 01 năm 2021" in pdf_text(tmp_path / "r.pdf")
    run("requests", folder, "--out", tmp_path / "thu", "--archive", tmp_path / "kho", "--date", "18/01/2021")
    letters = " ".join(pdf_text(p) for p in (tmp_path / "thu").glob("*.pdf"))
    assert "ngày 18 tháng 01 năm 2021" in letters


def test_the_exit_code_survives_a_reader_that_goes_away(tmp_path):
    """`hue-dx tasks consolidate … | head`: head leaves after its lines; the command still ends
    with 1 (units missing: something to review), as `set -o pipefail` or PIPESTATUS shows."""
    code, _, err = run("tasks", "generate", "--period", "2022-Q3", "--unit", "SNV", "--out", tmp_path / "so")
    assert code == 0, err
    here = Path(cli.__file__).resolve().parents[1]  # the hue_dx under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-m", "hue_dx", "tasks", "consolidate", str(tmp_path / "so"), "--period", "2022-Q3",
                                "--archive", str(tmp_path / "kho"), "--out", str(tmp_path / "th")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader has gone before anything was written
    error = process.stderr.read().decode("utf-8", "replace")
    assert process.wait(timeout=300) == 1, error
    assert "Traceback" not in error
