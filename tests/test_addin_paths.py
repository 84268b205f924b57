"""The ribbon's buttons pass any folder or text to Python intact.

The generated VBA (hue_dx_ribbon.bas) is read as written: a small evaluator of the VBA it uses
(string literals, &, And, &H literals, Len, Mid$, AscW, Hex$, Right$, with VBA's strings of
UTF-16 code units and AscW's signed 16-bit result) computes the Python code each RunPython line
builds for a given folder; that code must be plain ASCII without a double quote (xlwings hands
it to cmd.exe inside "…"), must parse, and, run by a real Python with -c, must give back exactly
the folder that was picked.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hue_dx import addin_build
from hue_dx import excel_api as api

PATHS = [
    "E:\\",  # a drive root: r'E:\' was a SyntaxError
    "C:\\",
    "C:\\Users\\Nguyễn Văn A\\OneDrive - Sở TTTT\\Tài liệu",
    "C:\\Users\\Nguyễn Văn A\\OneDrive - Sở TTTT\\Tài liệu\\",
    "C:\\Users\\Nguye\u0302\u0303n\\Tài liệu",  # decomposed diacritics, as some tools write them
    "\\\\server\\share\\Báo cáo 2020\\Sổ gửi về",  # UNC
    "\\\\?\\C:\\rất\\dài",
    "D:\\O'Brien\\it's here",  # apostrophes were stripped: a real folder became another
    'D:\\a "quoted" name',
    "D:\\Sở TT&TT\\100% xong\\^caret\\%TEMP%",  # what cmd.exe would expand or split
    "D:\\new\\table\\x41\\u0041\\N{DASH}\\'\\",  # Python escape look-alikes, a backslash before a quote
    "D:\\thư mục 📁 ảnh",  # beyond the BMP: a surrogate pair in VBA
    "D:\\tab\there; import os",
    "STTTT",  # the Generate button's unit code
    "",
]


class VBA:
    """Evaluates the VBA expressions of the generated module on VBA strings (str of UTF-16 code units)."""

    TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<hex>&H[0-9A-Fa-f]+&?)|(?P<num>\d+)|(?P<name>[A-Za-z_]\w*\$?)|(?P<op>[&(),]))')

    def __init__(self, source: str, variables: dict[str, str]):
        self.source, self.vars = source, variables

    @staticmethod
    def string(text: str) -> str:
        units = text.encode("utf-16-le")
        return "".join(chr(int.from_bytes(units[i:i + 2], "little")) for i in range(0, len(units), 2))

    @staticmethod
    def python(units: str) -> str:
        return b"".join(ord(u).to_bytes(2, "little") for u in units).decode("utf-16-le")

    def evaluate(self, expression: str):
        self.tokens = self.tokenize(expression)
        value = self.logical()
        assert not self.tokens, self.tokens
        return value

    def tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, at = [], 0
        while text[at:].strip():
            m = self.TOKEN.match(text, at)
            assert m, text[at:]
            tokens.append(next((k, v) for k, v in m.groupdict().items() if v is not None))
            at = m.end()
        return tokens

    def take(self, kind: str, value: str | None = None) -> str:
        k, v = self.tokens.pop(0)
        assert k == kind and (value is None or v == value), (k, v)
        return v

    def logical(self):
        value = self.concat()
        while self.tokens and self.tokens[0] == ("name", "And"):
            self.take("name")
            value = int(value) & int(self.concat())  # VBA And on Longs: bitwise, two's complement
        return value

    def concat(self):
        value = self.primary()
        while self.tokens and self.tokens[0] == ("op", "&"):
            self.take("op")
            value = str(value) + str(self.primary())
        return value

    def primary(self):
        kind, value = self.tokens.pop(0)
        if kind == "str":
            return value[1:-1].replace('""', '"')
        if kind == "hex":
            number = int(value[2:].rstrip("&"), 16)  # &HFFFF& is the Long 65535; &HFFFF is the Integer -1
            return number - 0x10000 if not value.endswith("&") and 0x8000 <= number <= 0xFFFF else number
        if kind == "num":
            return int(value)
        if kind == "op" and value == "(":
            inner = self.logical()
            self.take("op", ")")
            return inner
        if self.tokens and self.tokens[0] == ("op", "("):
            self.take("op")
            args = [self.logical()]
            while self.tokens[0] == ("op", ","):
                self.take("op")
                args.append(self.logical())
            self.take("op", ")")
            return self.call(value, args)
        return self.vars[value]

    def call(self, name: str, args: list):
        if name == "Len":
            return len(args[0])
        if name == "Mid$":
            return args[0][args[1] - 1:args[1] - 1 + args[2]]
        if name == "AscW":
            unit = ord(args[0][0])
            return unit - 0x10000 if unit >= 0x8000 else unit  # an Integer: signed 16 bits
        if name == "Hex$":
            return format(args[0] & 0xFFFFFFFF if args[0] < 0 else args[0], "X")
        if name == "Right$":
            return args[0][-args[1]:] if args[1] else ""
        if name == "HueDxHex":
            return self.function(args[0])
        raise AssertionError(f"VBA function not known to the test: {name}")

    def function(self, raw: str) -> str:
        """HueDxHex as the generated module writes it: its loop checked as text, its body evaluated."""
        body = re.search(r"Private Function HueDxHex\(ByVal raw As String\) As String\n(.*?)\nEnd Function", self.source, re.S)
        assert body, "HueDxHex is missing from hue_dx_ribbon.bas"
        lines = [line.strip() for line in body.group(1).splitlines()]
        assert lines[0] == "Dim i As Long, hexed As String" and lines[1] == "For i = 1 To Len(raw)"
        assert lines[3] == "Next i" and lines[4] == "HueDxHex = hexed" and lines[2].startswith("hexed = hexed & ")
        hexed = ""
        for i in range(1, len(raw) + 1):
            hexed += str(VBA(self.source, {"raw": raw, "i": i}).evaluate(lines[2][len("hexed = hexed & "):]))  # type: ignore[arg-type]
        return hexed


@pytest.fixture(scope="module")
def ribbon():
    return addin_build.render("hue_dx_ribbon.bas.j2", buttons=addin_build.BUTTONS, module=addin_build.MODULE)


def python_code(ribbon: str, callback: str, given: str) -> str:
    """The Python code the button's RunPython line builds when the person picked ``given``."""
    sub = re.search(rf"Sub {callback}\(control As IRibbonControl\)\n(.*?)\nEnd Sub", ribbon, re.S)
    assert sub
    line = next(line.strip() for line in sub.group(1).splitlines() if line.strip().startswith("RunPython "))
    variable = "folder" if "HueDxHex(folder)" in line else "answer"
    return VBA(ribbon, {variable: VBA.string(given)}).evaluate(line[len("RunPython "):])


def test_the_vba_evaluator_knows_vba_semantics(ribbon):
    vba = VBA(ribbon, {"s": VBA.string("ế📁")})
    assert vba.evaluate("Len(s)") == 3  # a character beyond the BMP is two code units in VBA
    assert vba.evaluate('Right$("000" & Hex$(AscW(Mid$(s, 2, 1)) And &HFFFF&), 4)') == "D83D"
    assert vba.evaluate("Hex$(AscW(Mid$(s, 2, 1)))") == "FFFFD83D"  # why the And &HFFFF& is there
    assert vba.evaluate('"a""b" & "c"') == 'a"bc'
    assert vba.evaluate("&HFFFF") == -1 and vba.evaluate("&HFFFF&") == 65535


@pytest.mark.parametrize("given", PATHS)
@pytest.mark.parametrize("callback", [b.callback for b in addin_build.BUTTONS if b.ask])
def test_every_folder_reaches_python_exactly_as_picked(ribbon, tmp_path, callback, given):
    code = python_code(ribbon, callback, given)
    assert re.fullmatch(r"[A-Za-z0-9_.;'() ]+", code), code  # nothing cmd.exe or a code page could alter
    ast.parse(code)
    stub = tmp_path / "hue_dx_addin.py"
    # the add-in module with its decoder, and each button's command replaced by one that prints what it got
    stub.write_text("import json\n\nfrom hue_dx.excel_api import from_vba\n\n\n"
                    + "".join(f"def {b.python}(value):\n    print(json.dumps(value))\n\n\n" for b in addin_build.BUTTONS), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == given


def test_the_addin_module_decodes_with_the_library(ribbon):
    import importlib.util

    for given in PATHS:  # the decoding needs no Excel library
        assert api.from_vba(VBA(ribbon, {"p": VBA.string(given)}).evaluate("HueDxHex(p)")) == given
    spec = importlib.util.spec_from_file_location("hue_dx_addin", Path(addin_build.__file__).parents[1] / "addin" / "hue_dx_addin.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # xlwings is a test dependency: its absence is a failure, not a skip
    assert module.from_vba is api.from_vba


def test_no_button_builds_its_call_by_pasting_text_into_python(ribbon):
    for line in ribbon.splitlines():
        if line.strip().startswith("RunPython "):
            assert "Replace(" not in line and "r'" not in line
            assert line.count('" & ') <= 1 and ("HueDxHex(" in line or " & " not in line)
