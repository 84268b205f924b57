"""The exit-code contract of every command, and no traceback for any argument or input.

0 done and clean; 1 done with something to review; 2 could not run (cli.EXIT_CODES). Every
leaf command of the parser must appear in VALID below: a new command without a row fails
here, so that it cannot escape the battery of bad arguments derived from its own options.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hue_dx import cli
from hue_dx.commandline import TRACKING_EXIT_CODES

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "samples" / "workbooks" / "2020_STTTT_da-dien.xlsx"  # no error: check exits 0
FLAWED = ROOT / "samples" / "workbooks" / "2020_HALUOI_da-dien.xlsx"  # errors: check exits 1


def run(*argv: object, cwd: Path | None = None) -> tuple[int, str, str]:
    """cli.main in this process (fast); the traceback battery below uses real processes."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr, Path.cwd()
    sys.stdout, sys.stderr = out, err
    try:
        if cwd:
            os.chdir(cwd)
        code = cli.main([str(a) for a in argv])
    finally:
        sys.stdout, sys.stderr = old[0], old[1]
        os.chdir(old[2])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Files every case needs: a one-unit campaign (so that a clean run exists), inputs, traps."""
    tmp = tmp_path_factory.mktemp("contract")
    roster = [line for line in (ROOT / "generator" / "roster-hue-2020.csv").read_text(encoding="utf-8").splitlines()
              if line.startswith(("code,", "STTTT,"))]
    (tmp / "roster-one.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    recipe = (ROOT / "generator" / "campaign-2020.toml").read_text(encoding="utf-8")
    (tmp / "one.toml").write_text(recipe.replace('roster = "roster-hue-2020.csv"', 'roster = "roster-one.csv"'), encoding="utf-8")
    (tmp / "clean").mkdir()
    shutil.copy(CLEAN, tmp / "clean" / CLEAN.name)
    (tmp / "empty-folder").mkdir()
    (tmp / "empty.xlsx").write_bytes(b"")
    (tmp / "empty.json").write_bytes(b"")
    (tmp / "garbage.xlsx").write_bytes(bytes(range(256)) * 8)
    (tmp / "garbage.json").write_bytes(b"\xff\xfe\x00garbage\x9c")
    (tmp / "garbage.toml").write_bytes(b"\x00\x01[[[ = =")
    (tmp / "a-file").write_text("not a folder", encoding="utf-8")
    # what the mail commands send: a workbook, a quarter's workbook, and folders of no letter
    assert run("generate", "--unit", "STTTT", "--out", tmp / "books")[0] == 0
    assert run("tasks", "generate", "--period", "2021-Q3", "--unit", "STTTT", "--out", tmp / "qbooks")[0] == 0
    for folder, kind, period in (("letters", "requests", "2020"), ("reminders", "reminders", "2021-Q3")):
        (tmp / folder).mkdir()
        (tmp / folder / "manifest.json").write_text(f'{{"kind": "{kind}", "period": "{period}", "due": "", "letters": []}}', encoding="utf-8")
    return tmp


# ------------------------------------------------------------------ good input, each command

def test_catalog_commands_exit_zero_when_clean():
    assert run("catalog")[0] == 0
    assert run("catalog", "--format", "json")[0] == 0
    assert run("catalog", "--format", "csv")[0] == 0
    assert run("catalog", "show", "5.2.1")[0] == 0
    assert run("catalog", "check")[0] == 0
    assert run("issue-types")[0] == 0


def test_score_exits_zero_when_every_criterion_scores_and_one_when_some_need_review():
    assert run("score", ROOT / "samples" / "inputs" / "STTTT.json")[0] == 0
    assert run("score", ROOT / "samples" / "inputs" / "HALUOI.json")[0] == 1


def test_generate_and_addin_build_exit_zero(tmp_path):
    assert run("generate", "--unit", "STTTT", "--out", tmp_path / "books")[0] == 0
    assert run("addin", "build", "--out", tmp_path / "addin")[0] == 0


def test_check_exits_zero_on_a_clean_workbook_and_one_on_a_workbook_with_errors():
    assert run("check", CLEAN)[0] == 0
    assert run("check", FLAWED)[0] == 1


def test_report_unit_follows_check(tmp_path):
    assert run("report", "unit", CLEAN, "-o", tmp_path / "clean.pdf")[0] == 0
    assert run("report", "unit", FLAWED, "-o", tmp_path / "flawed.pdf")[0] == 1
    assert (tmp_path / "flawed.pdf").stat().st_size > 0  # done: the report exists, it only needs reviewing


@pytest.mark.parametrize("roster, expected", [("one", 0), ("province", 1)])
def test_every_command_that_consolidates_gives_the_same_exit_code_on_the_same_inputs(world, tmp_path, roster, expected):
    """One clean file: 0 when it is the whole roster, 1 when 29 units have not sent theirs."""
    recipe = ["--recipe", world / "one.toml"] if roster == "one" else []
    archive = ["--archive", tmp_path / "archive"]
    codes = {
        "consolidate": run("consolidate", world / "clean", "-o", tmp_path / "r.xlsx", *archive, *recipe)[0],
        "report ranking": run("report", "ranking", world / "clean", "-o", tmp_path / "r.pdf", *archive, *recipe)[0],
        "requests": run("requests", world / "clean", "--out", tmp_path / "letters", "--no-pdf", *archive, *recipe)[0],
        "appraise": run("appraise", world / "clean", "--out", tmp_path / "forms", *archive, *recipe)[0],
        "publish": run("publish", world / "clean", "--out", tmp_path / "site", *archive, *recipe)[0],
    }
    assert codes == dict.fromkeys(codes, expected)


def test_an_empty_folder_is_done_with_every_unit_not_received(world, tmp_path):
    """The issue's contradiction: 30 units not received is something to review, not a clean run."""
    code, out, _ = run("consolidate", world / "empty-folder", "-o", tmp_path / "r.xlsx", "--archive", tmp_path / "a")
    assert code == 1 and "chưa gửi: 30" in out and (tmp_path / "r.xlsx").is_file()
    assert run("report", "ranking", world / "empty-folder", "-o", tmp_path / "r.pdf", "--archive", tmp_path / "a")[0] == 1
    assert run("requests", world / "empty-folder", "--out", tmp_path / "l", "--no-pdf", "--archive", tmp_path / "a")[0] == 1
    assert run("appraise", world / "empty-folder", "--out", tmp_path / "f", "--archive", tmp_path / "a")[0] == 1


def test_check_on_an_existing_folder_says_it_is_a_folder(world):
    code, _, err = run("check", world / "empty-folder")
    assert code == 2 and "là một thư mục" in err and "Không tìm thấy" not in err


@pytest.mark.parametrize("name, code, words", [("empty.xlsx", 1, "không có nội dung"), ("garbage.xlsx", 1, "[lỗi]")])
def test_check_on_an_empty_or_broken_file_reports_it_as_a_finding(world, name, code, words):
    """check's job is to say what is wrong with a returned file: an empty file is such a finding."""
    got, out, err = run("check", world / name)
    assert got == code and words in out and not err


# ------------------------------------------------------------------ help, in Vietnamese, for every command

ENGLISH = ["usage:", "options:", "positional arguments", "optional arguments", "show this help", "show program's version",
           "default:", "subcommands", "WORKERS", "PASSWORD", "DAYS", "LEVEL", "INTERPRETER", "CATALOG", "OUT ", "FILE", "FOLDER"]


def test_no_help_page_has_an_english_word_of_argparse_and_every_one_states_the_exit_codes():
    for parser in cli.parsers(cli.build_parser()):
        text = parser.format_help()
        assert text.startswith("Cách dùng: "), parser.prog
        found = [w for w in ENGLISH if w in text]
        assert not found, (parser.prog, found)
        contract = TRACKING_EXIT_CODES if parser.prog.startswith("hue-dx tasks") else cli.EXIT_CODES  # the same codes, in its words
        assert _same_words(contract, text), parser.prog


def _same_words(expected: str, text: str) -> bool:
    """The contract as wrapped on a narrow terminal still says the same words in the same order."""
    return " ".join(expected.split()) in " ".join(text.split())


def test_every_option_has_help_and_a_vietnamese_placeholder():
    for parser in cli.parsers(cli.build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions), parser.prog
                continue
            assert action.help, (parser.prog, action.dest)
            if action.nargs != 0 and not action.choices:  # what the person types, named in Vietnamese
                assert action.metavar and not action.metavar.isascii(), (parser.prog, action.dest)


def test_help_through_a_real_process_is_vietnamese_and_loads_no_library():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hue_dx", "consolidate", "--help"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and done.stdout.startswith("Cách dùng: hue-dx consolidate")
    assert _same_words(cli.EXIT_CODES, done.stdout)
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not loaded & {"openpyxl", "jinja2", "weasyprint", "pandas", "numpy", "multiprocessing", "tomllib"}
    assert not any(line.split("|")[-1].strip() in ("hue_dx.catalog", "hue_dx.rules", "hue_dx.intake") for line in done.stderr.splitlines())


def test_a_consolidation_of_no_file_loads_no_report_or_analysis_library(world, tmp_path):
    """Start-up of consolidate: the Excel reader and writer, not jinja2, WeasyPrint, pyHanko or pandas."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hue_dx", "consolidate", str(world / "empty-folder"),
                           "-o", str(tmp_path / "r.xlsx"), "--archive", str(tmp_path / "a")], capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 1
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "openpyxl" in loaded and not loaded & {"jinja2", "weasyprint", "pyhanko", "pandas", "xlwings"}


def test_every_phrase_of_the_running_pythons_argparse_is_translated():
    """Read argparse's source: every _() and ngettext() message id has a Vietnamese entry."""
    import ast

    from hue_dx.argparse_vi import MESSAGES

    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            ids.update(arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    assert ids and not ids - set(MESSAGES), sorted(ids - set(MESSAGES))


def test_argparse_is_left_as_it_was_for_other_parsers():
    cli.build_parser().format_help()
    other = argparse.ArgumentParser(prog="x")
    assert "usage: x" in other.format_help()


# ------------------------------------------------------------------ no traceback, ever

#: the smallest valid arguments of every leaf command, (positionals, options) ({w}: the world folder, {t}: a fresh folder)
VALID: dict[tuple[str, ...], tuple[list[str], list[str]]] = {
    ("catalog",): ([], []),
    ("catalog", "show"): (["5.2.1"], []),
    ("catalog", "check"): ([], []),
    ("catalog", "export"): ([], ["-o", "{t}/bo-tieu-chi.xlsx"]),
    ("catalog", "build"): ([str(ROOT / "samples" / "criteria" / "mau-thu-nghiem-2026.xlsx")], ["-o", "{t}/bo.toml"]),
    ("score",): ([str(ROOT / "samples" / "inputs" / "STTTT.json")], []),
    ("generate",): ([], ["--unit", "STTTT", "--out", "{t}/books"]),
    ("check",): ([str(CLEAN)], []),
    ("consolidate",): (["{w}/clean"], ["-o", "{t}/r.xlsx", "--archive", "{t}/a"]),
    ("demo",): (["{t}/demo"], []),
    ("history",): ([], ["-o", "{t}/panel.csv", "--archive", "{t}/a"]),
    ("report", "unit"): ([str(CLEAN)], ["-o", "{t}/u.pdf"]),
    ("report", "ranking"): (["{w}/clean"], ["-o", "{t}/r.pdf", "--archive", "{t}/a"]),
    ("requests",): (["{w}/clean"], ["--out", "{t}/l", "--archive", "{t}/a"]),
    ("appraise",): (["{w}/clean"], ["--out", "{t}/f", "--archive", "{t}/a"]),
    ("publish",): (["{w}/clean"], ["--out", "{t}/site", "--archive", "{t}/a"]),
    ("addin", "build"): ([], ["--out", "{t}/addin"]),
    ("issue-types",): ([], []),
    ("mail", "workbooks"): (["{w}/books"], ["--out", "{t}/nhap", "--archive", "{t}/a"]),
    ("mail", "requests"): (["{w}/letters"], ["--out", "{t}/nhap", "--archive", "{t}/a"]),
    ("choose",): (["STTTT"], ["--archive", "{t}/a"]),
    ("approve",): ([], ["--archive", "{t}/a", "--out", "{t}/d", "--no-pdf"]),
    ("reopen",): ([], ["--reason", "bản sửa được chấp nhận", "--archive", "{t}/a"]),
    ("log",): ([], ["--archive", "{t}/a"]),
    ("tasks",): ([], []),
    ("tasks", "check"): ([], []),
    ("tasks", "show"): (["PL3.E.3"], []),
    ("tasks", "unit"): (["STTTT"], []),
    ("tasks", "bodies"): ([], []),
    ("tasks", "periods"): (["2021"], []),
    ("tasks", "generate"): ([], ["--period", "2021-Q3", "--out", "{t}/q", "--unit", "STTTT"]),
    ("tasks", "consolidate"): (["{w}/clean"], ["--period", "2021-Q3", "--archive", "{t}/k", "--out", "{t}/o"]),
    ("tasks", "report"): ([], ["--period", "2021-Q3", "--archive", "{t}/k", "--out", "{t}/o"]),
    ("tasks", "choose"): (["STTTT"], ["--period", "2021-Q3", "--archive", "{t}/k"]),
    ("tasks", "demo"): (["{t}/demo-quy"], []),
    ("tasks", "mail", "workbooks"): (["{w}/qbooks"], ["--period", "2021-Q3", "--out", "{t}/nhap", "--archive", "{t}/k"]),
    ("tasks", "mail", "reminders"): (["{w}/reminders"], ["--period", "2021-Q3", "--out", "{t}/nhap", "--archive", "{t}/k"]),
}


def leaves(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if prefix and (not subs or not subs[0].required):
        yield prefix, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from leaves(sub, prefix + (name,))


def test_every_command_has_a_row_in_the_battery():
    assert {path for path, _ in leaves(cli.build_parser())} == set(VALID)


def bad_arguments() -> list[tuple[list[str], int]]:
    """(argv, expected exit code): derived from every command's own options, then by hand."""
    cases: list[tuple[list[str], int]] = [([], 2), (["--no-such-option"], 2), (["no-such-command"], 2), (["--debug"], 2)]
    for path, parser in leaves(cli.build_parser()):
        positionals, options = VALID[path]
        valid = [*positionals, *options]
        cases.append(([*path, *valid, "--khong-co-tuy-chon-nay"], 2))
        cases.append(([*path, *valid, "{t}/thua-mot-tham-so"], 2))  # one input too many, or one that does not exist
        if any(a.required for a in parser._actions if not a.option_strings):
            cases.append(([*path, *options], 2))  # a required input left out
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            option = action.option_strings[-1]
            cases.append(([*path, *valid, option], 2))  # the option's value left out
            if action.choices:
                cases.append(([*path, *valid, option, "khong-co"], 2))
            if action.type is cli.positive_int:
                cases += [([*path, *valid, option, value], 2) for value in ("0", "-1", "abc", "1.5", "")]
            elif action.type not in (None, str, Path):  # any other typed option refuses a word, in Vietnamese
                cases.append(([*path, *valid, option, "abc"], 2))
    w = "{w}"
    cases += [
        (["catalog", "build", f"{w}/garbage.xlsx"], 2), (["catalog", "build", "{t}/khong-co.xlsx"], 2), (["catalog", "build", w], 2),
        (["catalog", "export", "-o", w], 2), (["catalog", "export", "-o", "{t}/x.xlsx", "--catalog", "khong-co"], 2),
        (["consolidate", f"{w}/clean", "-o", "{t}/r.xlsx", "--archive", "{t}/a", "--central", "{t}/khong-co.csv"], 2),
        (["catalog", "show", "9.9.9"], 2), (["catalog", "--catalog", "khong-co"], 2), (["catalog", "--catalog", f"{w}/garbage.toml"], 2),
        (["score", "{t}/khong-co.json"], 2), (["score", w], 2), (["score", f"{w}/empty.json"], 2), (["score", f"{w}/garbage.json"], 2),
        (["score", f"{w}/garbage.xlsx"], 2), (["score", str(ROOT / "samples" / "inputs" / "STTTT.json"), "--level", "khong-co"], 2),
        (["generate", "--unit", "KHONGCO", "--out", "{t}/b"], 2), (["generate", "--recipe", "{t}/khong-co.toml"], 2),
        (["generate", "--recipe", f"{w}/garbage.toml", "--out", "{t}/b"], 2), (["generate", "--unit", "STTTT", "--out", f"{w}/a-file"], 2),
        (["generate", "--unit", "STTTT", "--out", f"{w}/a-file/sub"], 2),
        (["check", "{t}/khong-co.xlsx"], 2), (["check", w], 2), (["check", f"{w}/empty.xlsx"], 1), (["check", f"{w}/garbage.xlsx"], 1),
        (["check", str(CLEAN), "--recipe", f"{w}/garbage.toml"], 2),
        (["consolidate", "{t}/khong-co", "-o", "{t}/r.xlsx", "--archive", "{t}/a"], 2),
        (["consolidate", f"{w}/clean", "-o", f"{w}/clean", "--archive", "{t}/a"], 2),
        (["consolidate", f"{w}/clean", "-o", f"{w}/a-file/r.xlsx", "--archive", "{t}/a"], 2),
        (["consolidate", f"{w}/clean", "-o", "{t}/r.xlsx", "--archive", f"{w}/a-file"], 2),
        (["consolidate", f"{w}/garbage.xlsx", "-o", "{t}/r.xlsx", "--archive", "{t}/a"], 1),
        (["consolidate", f"{w}/empty.xlsx", "-o", "{t}/r.xlsx", "--archive", "{t}/a"], 1),
        (["demo", f"{w}/a-file"], 2),
        (["report", "unit", "{t}/khong-co.xlsx", "-o", "{t}/u.pdf"], 2), (["report", "unit", w, "-o", "{t}/u.pdf"], 2),
        (["report", "unit", f"{w}/empty.xlsx", "-o", "{t}/u.pdf"], 2), (["report", "unit", f"{w}/garbage.xlsx", "-o", "{t}/u.pdf"], 2),
        (["report", "unit", str(CLEAN), "-o", w], 2), (["report", "unit", str(CLEAN), "-o", "{t}/u.pdf", "--sign", "{t}/khong-co.p12"], 2),
        (["report", "unit", str(CLEAN), "-o", "{t}/u.pdf", "--sign", f"{w}/garbage.xlsx"], 2),
        (["report", "ranking", "{t}/khong-co", "-o", "{t}/r.pdf"], 2),
        (["requests", "{t}/khong-co", "--out", "{t}/l"], 2), (["requests", f"{w}/clean", "--out", f"{w}/a-file", "--archive", "{t}/a"], 2),
        (["appraise", "{t}/khong-co", "--out", "{t}/f"], 2),
        (["appraise", f"{w}/clean", "--out", "{t}/f", "--archive", "{t}/a", "--unit", "KHONGCO"], 2),
        (["publish", "{t}/khong-co", "--out", "{t}/s"], 2), (["publish", f"{w}/clean", "--out", f"{w}/a-file", "--archive", "{t}/a"], 2),
        (["addin", "build", "--out", f"{w}/a-file"], 2),
        (["choose", "STTTT", "--archive", "{t}/khong-co"], 2), (["choose", "KHONGCO", "--archive", "{t}/a"], 2),
        (["approve", "--archive", "{t}/khong-co"], 2), (["reopen", "--reason", "x", "--archive", "{t}/khong-co"], 2),
        (["reopen", "--archive", "{t}/a"], 2), (["log", "--archive", "{t}/khong-co"], 2), (["log", "--archive", f"{w}/a-file"], 2),
        (["approve", "--archive", "{t}/a", "--out", f"{w}/a-file"], 2),
        (["tasks", "show", "PL9.9"], 2), (["tasks", "unit", "KHONGCO"], 2), (["tasks", "periods", "hai-nghin"], 2),
        (["tasks", "generate", "--period", "2021-Q5", "--out", "{t}/q"], 2), (["tasks", "--tasks", f"{w}/garbage.toml"], 2),
        (["tasks", "consolidate", "{t}/khong-co", "--period", "2021-Q3", "--archive", "{t}/k"], 2),
        (["tasks", "consolidate", "--period", "2021-Q3", "--archive", "{t}/k"], 2),  # nothing received, no archive yet
        (["tasks", "consolidate", f"{w}/clean", "--period", "2021-Q9", "--archive", "{t}/k"], 2),
        (["tasks", "consolidate", f"{w}/clean", "--period", "2021-Q3", "--archive", f"{w}/a-file", "--out", "{t}/o"], 2),
        (["tasks", "consolidate", f"{w}/garbage.xlsx", "--period", "2021-Q3", "--archive", "{t}/k", "--out", "{t}/o"], 1),
        (["tasks", "report", "--period", "2021-Q3", "--archive", "{t}/khong-co"], 2), (["tasks", "demo", f"{w}/a-file"], 2),
        (["tasks", "choose", "STTTT", "--period", "2021-Q3", "--archive", "{t}/khong-co"], 2),
        (["tasks", "choose", "KHONGCO", "--period", "2021-Q3", "--archive", "{t}/k"], 2),
        (["tasks", "choose", "STTTT", "--period", "2021-Q9", "--archive", "{t}/k"], 2),
        (["mail", "workbooks", "{t}/khong-co", "--archive", "{t}/a"], 2), (["mail", "workbooks", f"{w}/letters", "--archive", "{t}/a"], 2),
        (["mail", "requests", f"{w}/books", "--archive", "{t}/a"], 2), (["mail", "workbooks", f"{w}/books", "--archive", f"{w}/a-file"], 2),
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--resend"], 2),
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--send"], 2),  # no mail server named
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--send", "--server", "127.0.0.1", "--port", "1"], 2),  # nobody listens
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--send", "--server", "127.0.0.1", "--user", "stttt"], 2),  # no password, no terminal
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--pause", "-1"], 2),
        (["mail", "workbooks", f"{w}/books", "--recipe", f"{w}/garbage.toml"], 2),
        (["mail", "workbooks", f"{w}/books", "--archive", "{t}/a", "--unit", "KHONGCO"], 2),
        (["tasks", "mail", "workbooks", f"{w}/qbooks", "--period", "2021-Q4", "--archive", "{t}/k"], 2),  # another quarter's folder
        (["tasks", "mail", "reminders", f"{w}/qbooks", "--period", "2021-Q3", "--archive", "{t}/k"], 2),
        (["tasks", "mail", "workbooks", f"{w}/qbooks", "--period", "2021-Q3", "--archive", f"{w}/a-file"], 2),
    ]
    return cases


ERROR_LINE = re.compile(r"^hue-dx( [\w-]+)*: lỗi: ", re.M)


def test_no_argument_and_no_input_ever_shows_a_traceback(world, tmp_path):
    """Every case in a real process: exit code as the contract says, one Vietnamese line, no traceback."""
    cases = bad_arguments()

    def one(n_case):
        n, (argv, expected) = n_case
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        args = [a.replace("{w}", str(world)).replace("{t}", str(folder)) for a in argv]
        env = {k: v for k, v in os.environ.items() if k != "HUEDX_DEBUG"}
        done = subprocess.run([sys.executable, "-m", "hue_dx", *args], capture_output=True, text=True, encoding="utf-8",
                              cwd=folder, env=env, stdin=subprocess.DEVNULL, timeout=300)
        return args, expected, done

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, enumerate(cases)))
    failures = []
    for args, expected, done in results:
        vietnamese = "lỗi" in done.stderr + done.stdout
        if expected == 2:  # could not run: the command says so on its own line, with no English type name
            vietnamese = bool(ERROR_LINE.search(done.stderr)) and not re.search(r"cần kiểu \w+|invalid \w+ value", done.stderr)
        if done.returncode != expected or "Traceback" in done.stderr + done.stdout or not vietnamese:
            failures.append((args, expected, done.returncode, done.stderr[-600:]))
    assert not failures, "\n".join(map(repr, failures))
    assert len(cases) > 100


def test_debug_shows_the_traceback_to_a_developer(tmp_path):
    done = subprocess.run([sys.executable, "-m", "hue_dx", "--debug", "check", str(tmp_path / "khong-co.xlsx")],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode != 0 and "Traceback" in done.stderr
    env = {**os.environ, "HUEDX_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-m", "hue_dx", "check", str(tmp_path / "khong-co.xlsx")],
                          capture_output=True, text=True, encoding="utf-8", env=env)
    assert "Traceback" in done.stderr


def test_an_unexpected_fault_is_one_vietnamese_line_and_exit_two(monkeypatch):
    def broken(args, out):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "run", broken)
    monkeypatch.delenv("HUEDX_DEBUG", raising=False)
    code, _, err = run("catalog")
    assert code == 2 and "lỗi không lường trước" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_contract_is_stated_once_and_quoted_by_the_docs():
    install = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    assert cli.EXIT_CODES in install
    stated = [p.name for p in (ROOT / "hue_dx").rglob("*.py") for _ in range(p.read_text(encoding="utf-8").count("xong, không có gì cần xem lại"))]
    assert stated == ["commandline.py"]


@pytest.mark.parametrize("fault", [KeyError("hdx_score_5_1_1"), ValueError("could not convert string to float: 'x'"), UnicodeDecodeError(
    "utf-8", b"\xff", 0, 1, "invalid start byte")])
def test_a_bugs_key_or_value_error_is_never_passed_off_as_a_usage_error(monkeypatch, fault):
    """Only the user-error family (errors.HueDxError) and the system's refusals (OSError) are one
    line "lỗi: …"; a KeyError or ValueError of hue-dx itself is a fault to report."""
    def broken(args, out):
        raise fault

    monkeypatch.setattr(cli, "run", broken)
    monkeypatch.delenv("HUEDX_DEBUG", raising=False)
    code, _, err = run("catalog")
    assert code == 2 and "lỗi không lường trước" in err and type(fault).__name__ in err


@pytest.mark.parametrize("argv, words", [
    (["catalog", "show", "9.9.9"], "không có tiêu chí '9.9.9'"),
    (["generate", "--unit", "KHONGCO"], "không có đơn vị 'KHONGCO'"),
    (["tasks", "show", "PL9.9"], "không có nhiệm vụ 'PL9.9'"),
    (["tasks", "unit", "KHONGCO"], "không có đơn vị 'KHONGCO'"),
])
def test_a_code_that_names_nothing_is_a_usage_error_in_vietnamese(argv, words, tmp_path):
    code, _, err = run(*argv, cwd=tmp_path)
    assert code == 2 and err.startswith("hue-dx: lỗi: ") and words in err and "không lường trước" not in err
