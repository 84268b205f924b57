"""Official documents as data, after Nghị định 30/2020/NĐ-CP Phụ lục I: who issues, number and
symbol, place and date, type and summary, addressees, recipients, signer, annexes (pure).

Every outgoing document (a unit's report, the province's ranking report, letters asking for
corrections, any later report) is a ``Document``; ``templates/reports/base.html.j2`` lays it
out. The values a person reads are formatted here the Vietnamese way, unbreakable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import vn

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has kept UTC+7 without summer time since 1975
NBSP = "\u00a0"  # a space a line never breaks at
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
ADMIN_UNITS = ("tỉnh", "thành phố", "huyện", "thị xã", "quận", "xã", "phường", "thị trấn")
# Parent bodies may be abbreviated (Phụ lục I, II.2: "Ủy ban nhân dân (UBND)"); issuing bodies are written in full.
SHORT = {"Ủy ban nhân dân": "UBND", "Hội đồng nhân dân": "HĐND"}


def upper(text: str) -> str:
    """Capitals for a heading; ``str.upper`` maps every Vietnamese letter (đ → Đ, ư → Ư)."""
    return text.upper()


def full_name(name: str) -> str:
    """An issuing body's name written in full: "UBND huyện Phú Lộc" → "Ủy ban nhân dân huyện Phú Lộc"."""
    for long, short in SHORT.items():
        name = re.sub(rf"(?<!\w){short}(?!\w)", long, name)
    return name


def short_parent(name: str) -> str:
    """A parent body's name with the customary abbreviations: "Ủy ban nhân dân tỉnh…" → "UBND tỉnh…"."""
    for long, short in SHORT.items():
        name = re.sub(long, short, name, flags=re.IGNORECASE)
    return name


def place_of(name: str) -> str:
    """The locality a district-level body is named after: "UBND huyện A Lưới" → "A Lưới"."""
    text = full_name(name)
    text = re.sub(r"^Ủy ban nhân dân\s+", "", text, flags=re.IGNORECASE)
    for unit in sorted(ADMIN_UNITS, key=len, reverse=True):
        if text.casefold().startswith(unit + " "):
            return text[len(unit) + 1:].strip()
    return ""


# ------------------------------------------------------------------------------- numbers


def vn_equals(label: str, value: str) -> str:
    """"a = 5.831" held together: no line break between a name, "=" and its value."""
    return f"{label}{NBSP}={NBSP}{value}"


def excel_serial_date(value: float) -> dt.date:
    """An Excel date serial (1900 system, counting Excel's phantom 29/02/1900) as a date."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))


def as_date_text(value: object) -> str:
    """A date as dd/mm/yyyy from what a cell held: a date, a datetime, an Excel serial (44089 or
    "44089.0", as a date typed into a text field comes back), or text, kept as it is."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_date(float(value)).strftime("%d/%m/%Y") if 1 <= value < 2958466 else vn.fixed(float(value), 2, trim=True)
    text = "" if value is None else str(value).strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", text) and 10000 <= float(text) < 80000:  # 1927–2119: a serial, not a year
        return excel_serial_date(float(text)).strftime("%d/%m/%Y")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text):
        try:
            return dt.date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


def in_vietnam(iso: str | None) -> dt.datetime | None:
    """An ISO 8601 time (with Z or an offset, or without: then already local) in Vietnam time;
    None when there is none or it cannot be read. Lateness and every time shown go through it."""
    if not iso:
        return None
    try:
        when = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(VIETNAM) if when.tzinfo else when


def local_time(iso: str | None, with_time: bool = True) -> str:
    """An ISO time as people read it here, Vietnam time: 20/12/2020 16:00 (as given if unreadable)."""
    when = in_vietnam(iso)
    if when is None:
        return str(iso) if iso else ""
    return when.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def date_line(place: str, when: dt.date | None) -> str:
    """"Phú Lộc, ngày 05 tháng 3 năm 2026": a day below 10 and the months 1 and 2 take a leading
    zero (Phụ lục I, II.4.b); without a date, blanks to fill in by hand."""
    if when is None:
        return f"{place}, ngày{NBSP * 6}tháng{NBSP * 6}năm{NBSP * 6}"
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


# ------------------------------------------------------------------------------- heading lines


def heading_lines(name: str, fits: Callable[[str], bool]) -> list[str]:
    """The name of a body in capitals, cut into the fewest lines that ``fits`` accepts, and only
    between word groups: before "VÀ", before an administrative unit ("TỈNH", "HUYỆN PHÚ LỘC"),
    after a comma, after the kind of body ("SỞ", "BAN", "ỦY BAN NHÂN DÂN"). A name with "|" in it
    is cut there and nowhere else. Among equally short cuts the most even one wins."""
    text = upper(" ".join(name.split()))
    if "|" in text:
        return [part.strip() for part in text.split("|") if part.strip()]
    words = text.split(" ")
    if fits(text) or len(words) == 1:
        return [text]
    allowed = _group_boundaries(words)
    for cuts in (allowed, set(range(1, len(words)))):  # word groups first; any space only if nothing else fits
        best = _best_split(words, sorted(cuts), fits)
        if best:
            return best
    return [text]


_KINDS = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "VĂN PHÒNG", "BAN QUẢN LÝ", "THANH TRA", "SỞ", "BAN", "CHI CỤC", "TRUNG TÂM")


def _group_boundaries(words: list[str]) -> set[int]:
    """Word indexes a line may start at without cutting a word group."""
    cuts = set()
    text = " ".join(words)
    for kind in _KINDS:
        if text.startswith(kind + " "):
            cuts.add(len(kind.split(" ")))
            break
    admin = [upper(u).split(" ") for u in ADMIN_UNITS]
    for i in range(1, len(words)):
        if words[i] == "VÀ" or words[i - 1].endswith(","):
            cuts.add(i)
        if any(words[i:i + len(a)] == a for a in admin) and i + 1 < len(words):
            cuts.add(i)
    return cuts


def _best_split(words: list[str], cuts: list[int], fits: Callable[[str], bool]) -> list[str] | None:
    best: tuple[int, int, list[str]] | None = None
    for n in range(1, min(3, len(cuts)) + 1):
        for chosen in _combinations(cuts, n):
            bounds = [0, *chosen, len(words)]
            lines = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
            if all(fits(line) for line in lines):
                spread = max(map(len, lines)) - min(map(len, lines))
                if best is None or (len(lines), spread) < best[:2]:
                    best = (len(lines), spread, lines)
        if best:
            return best[2]
    return None


def _combinations(items: list[int], n: int):
    from itertools import combinations

    return combinations(items, n)


# ------------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class Body:
    """An issuing body: its full name, the body directly above it, where it sits, its abbreviation."""

    name: str
    parent: str = ""  # printed above the name, regular capitals; "" for none
    place: str = ""  # địa danh of the date line
    abbreviation: str = ""  # in the symbol: BC-STTTT, STTTT-CNTT


@dataclass(frozen=True)
class Signer:
    position: str  # GIÁM ĐỐC, CHỦ TỊCH
    authority: str = ""  # TM. ỦY BAN NHÂN DÂN, KT. GIÁM ĐỐC, Q. GIÁM ĐỐC; lines apart with "\n"
    name: str = ""  # required: without it the document is a draft (``Document.is_draft``)
    where: str = field(default="", compare=False)  # where the name is filled in: "khóa signer_name của mục [report] trong tệp …"

    @classmethod
    def from_title(cls, title: str, head_title: str = "", authority: str = "", name: str = "") -> Signer:
        """A signer from a title as typed ("Phó Giám đốc"): a deputy signs KT. for the head."""
        title = " ".join(title.split())
        if not title:
            return cls(upper(head_title) or "THỦ TRƯỞNG ĐƠN VỊ", authority, name)
        if title.casefold().startswith("phó ") and head_title and not authority.upper().startswith("KT."):
            # a deputy signs for the head; for a collegial body, on its behalf too:
            # TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH (Phụ lục I, II.7)
            return cls(upper(title), "\n".join(x for x in (authority, f"KT. {upper(head_title)}") if x), name)
        return cls(upper(title), authority, name)

    @property
    def named(self) -> bool:
        return bool(self.name.strip())

    @property
    def authority_lines(self) -> list[str]:
        return [line for line in self.authority.split("\n") if line.strip()]


@dataclass(frozen=True)
class Annex:
    """A "Phụ lục" after the signature, referred to in the text; its content is the template's."""

    number: str  # "I", "II"
    title: str
    block: str  # name of the template block that holds its content
    landscape: bool = False  # printed on A4 landscape pages (a wide table), the margins as on the others


@dataclass(frozen=True)
class Document:
    body: Body
    summary: str  # trích yếu: "Kết quả tự đánh giá…" (after "V/v" for a letter)
    signer: Signer
    kind: str = ""  # tên loại: "BÁO CÁO"; "" for a công văn (letter)
    code: str = ""  # its abbreviation in the symbol: "BC"
    drafting: str = ""  # a letter's symbol ends with the drafting office: STTTT-CNTT
    date: dt.date | None = None
    addressees: tuple[str, ...] = ()  # Kính gửi
    recipients: tuple[str, ...] = ("Lưu: VT",)  # Nơi nhận; the last one is the archive
    annexes: tuple[Annex, ...] = ()
    draft: bool = False  # made from no figures (no annex); ``is_draft`` adds a missing signer's name
    title: str = ""  # for the file's metadata and the browser tab
    metadata: dict[str, str] = field(default_factory=dict)  # author, subject, keywords, and custom entries

    @property
    def is_letter(self) -> bool:
        return not self.kind

    @property
    def is_draft(self) -> bool:
        """Printed "DỰ THẢO" and never signed: made from no figures, or no signer's name yet."""
        return self.draft or not self.signer.named

    @property
    def signer_warning(self) -> str:
        """One line saying the signer's name is missing and where to fill it in ("" when named)."""
        return unsigned_warning(self.title or self.summary, self.signer)

    @property
    def symbol(self) -> str:
        """The part after "Số: …/": BC-STTTT for a report, STTTT-CNTT for a letter (Phụ lục I, II.3)."""
        if self.is_letter:
            return "-".join(x for x in (self.body.abbreviation, self.drafting) if x)
        return "-".join(x for x in (self.code, self.body.abbreviation) if x)

    @property
    def date_line(self) -> str:
        return date_line(self.body.place, self.date)

    @property
    def recipient_lines(self) -> list[str]:
        """"- Như trên;" … "- Lưu: VT." : each item ends with a semicolon, the last with a full stop."""
        items = [r.rstrip(" ;.") for r in self.recipients if r.strip()]
        return [f"- {r}{'.' if n == len(items) - 1 else ';'}" for n, r in enumerate(items)]


def unsigned_warning(what: str, signer: Signer) -> str:
    """"…: chưa có họ tên người ký (CHỦ TỊCH), văn bản in chữ DỰ THẢO; điền họ tên vào khóa
    signer_name của mục [report] trong tệp …" — or "" when the signer is named."""
    if signer.named:
        return ""
    where = f"; điền họ tên vào {signer.where}" if signer.where else ""
    return f"{what}: chưa có họ tên người ký ({signer.position}), văn bản in chữ DỰ THẢO{where}."


def recipients(items: Sequence[str], archive: str = "VT") -> tuple[str, ...]:
    """Nơi nhận ending with the archive line ("Lưu: VT, CNTT")."""
    listed = [i for i in items if i.strip() and not i.strip().casefold().startswith("lưu:")]
    return (*listed, f"Lưu: {archive}")
