"""docs/cli.md is the `--help` of every command, generated (hue_dx.clidoc): it fails when stale."""

import subprocess
import sys
from pathlib import Path

from hue_dx import cli, clidoc

ROOT = Path(__file__).resolve().parents[1]


def test_docs_cli_md_is_the_help_of_every_command():
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == clidoc.markdown(), "docs/cli.md is stale: python -m hue_dx.clidoc > docs/cli.md"


def test_every_command_and_subcommand_has_its_section():
    page = clidoc.markdown()
    progs = [p.prog for p in cli.parsers(cli.build_parser())]
    assert len(progs) > 25 and all(f"## `{prog}`\n" in page for prog in progs)
    assert "hue-dx tasks consolidate" in progs and "hue-dx report ranking" in progs
    assert page.count("Mã thoát (mọi lệnh):") == 1  # stated once, not after every command


def test_the_page_does_not_depend_on_the_terminal():
    env = {"COLUMNS": "41", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "hue_dx.clidoc"], capture_output=True, text=True, encoding="utf-8", env=env, check=True)
    assert done.stdout == clidoc.markdown()
