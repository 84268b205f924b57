"""The run: every letter written as a draft (.eml), and, when asked, sent through the mail
server, each message recorded in the intake's ledger (``messages``).

A message is one per unit, kind, period and attached file (the SHA-256 of its bytes): a re-run
finds it in the ledger and keeps its Message-ID (a reply to the draft or to the sent message is
matched either way), sends it only if it has not been sent, and never sends the same message
twice (a message whose fate is unknown neither, unless asked). A unit without an address, a
document still a draft and a refused message are listed, never skipped silently.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.utils import make_msgid
from pathlib import Path

from ..files import slug, write_atomic
from ..intake.ledger import FAILED, REFUSED, SENT, UNKNOWN, WRITTEN, Ledger, MessageRow, now
from .compose import Letter, Sender, as_bytes, message
from .smtp import Connection, Delivery, SendError

#: what a letter's outcome is, in words (ledger states, and the outcomes that send nothing)
STATES = {WRITTEN: "đã viết thư nháp", SENT: "đã gửi", REFUSED: "máy chủ từ chối", FAILED: "chưa gửi được (lần chạy sau gửi lại)",
          UNKNOWN: "không rõ đã đến chưa (mất kết nối khi máy chủ đang nhận): không tự gửi lại",
          "already": "đã gửi trước đó, không gửi lại", "no-address": "chưa có địa chỉ thư", "draft": "văn bản còn là dự thảo, không gửi",
          "not-tried": "chưa gửi (lần chạy dừng trước thư này)"}
#: outcomes an officer must look at (the command exits 1)
TO_REVIEW = frozenset({REFUSED, FAILED, UNKNOWN, "no-address", "draft", "not-tried"})
MAX_DROPS = 2  # connections lost in a row before the run stops (the rest is sent by the next run)


@dataclass
class Outcome:
    """A letter's fate in this run: its state, the draft written, the server's words."""

    letter: Letter
    message_id: str
    draft: Path
    state: str
    reply: str = ""
    before: str = ""  # when it was sent, for one sent by an earlier run

    @property
    def state_vi(self) -> str:
        return STATES.get(self.state, self.state)


def draft_name(letter: Letter) -> str:
    return f"{slug(letter.period)}_{letter.kind}_{letter.unit.code}_{slug(letter.unit.name)[:40]}.eml"


def run(letters: Sequence[Letter], sender: Sender, ledger: Ledger, drafts: Path, *, connect: Callable[[], Connection] | None = None,
        pause: float = 0.0, resend: bool = False, when: dt.datetime | None = None,
        progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Write every letter's draft into ``drafts``; with ``connect`` (a dry run without), send
    those not sent yet, ``pause`` seconds apart; record everything in ``ledger``."""
    when = when or dt.datetime.now().astimezone()
    outcomes = [_draft(letter, sender, ledger, drafts, when) for letter in letters]
    if connect is None:
        for o in outcomes:
            _note(ledger, o, WRITTEN, keep_sent=True)
            if progress:
                progress(o)
        return outcomes
    connection: Connection | None = None
    drops, stopped, sent_any = 0, False, False
    try:
        for o in outcomes:
            known = ledger.message(o.letter.kind, o.letter.period, o.letter.unit.code, o.letter.attachment.sha256)
            if not o.letter.recipients:
                o.state = "no-address"
            elif o.letter.draft:
                o.state = "draft"
            elif stopped:
                o.state = "not-tried"
            elif known is not None and known.state in (SENT, UNKNOWN) and not resend:
                o.state, o.reply, o.before = ("already" if known.state == SENT else UNKNOWN), known.reply, known.at
            else:
                if sent_any and pause:
                    time.sleep(pause)  # the province's server limits how fast one account sends
                if connection is None or connection.smtp is None:
                    try:
                        connection = connect()
                    except SendError as exc:
                        if not sent_any:
                            raise  # the server cannot be reached at all: the command could not run
                        o.state, o.reply, stopped = FAILED, str(exc), True  # lost on the way: the next run sends the rest
                        _note(ledger, o, FAILED)
                        if progress:
                            progress(o)
                        continue
                data = as_bytes(message(o.letter, sender, o.message_id, draft=False, when=when))
                delivery = connection.deliver(sender.address, list(o.letter.recipients), data)
                sent_any = True
                o.state, o.reply = delivery.state, delivery.reply
                _note(ledger, o, delivery.state, recipients=_recipients(o, delivery))
                drops = drops + 1 if delivery.connection_lost else 0
                stopped = drops >= MAX_DROPS
            if o.state in ("no-address", "draft", "not-tried", WRITTEN):  # its draft is written: recorded, with its Message-ID
                _note(ledger, o, WRITTEN, keep_sent=True)
            if progress:
                progress(o)
    except Exception:
        for o in outcomes:  # what was not tried is still a draft written
            if o.state == WRITTEN:
                _note(ledger, o, WRITTEN, keep_sent=True)
        raise
    finally:
        if connection is not None:
            connection.close()
    return outcomes


def _recipients(o: Outcome, delivery: Delivery) -> tuple[str, ...]:
    return tuple(delivery.accepted) if delivery.state == SENT and delivery.accepted else o.letter.recipients


def _draft(letter: Letter, sender: Sender, ledger: Ledger, drafts: Path, when: dt.datetime) -> Outcome:
    """The letter's draft (.eml, ``X-Unsent: 1``), under the Message-ID the ledger already has for it, else a new one."""
    known = ledger.message(letter.kind, letter.period, letter.unit.code, letter.attachment.sha256)
    message_id = known.message_id if known else make_msgid(f"{letter.kind}.{letter.period}.{letter.unit.code}", sender.domain).strip("<>")
    path = drafts / draft_name(letter)
    write_atomic(path, as_bytes(message(letter, sender, message_id, draft=True, when=when)))
    return Outcome(letter, message_id, path, WRITTEN)


def _note(ledger: Ledger, o: Outcome, state: str, *, keep_sent: bool = False, recipients: tuple[str, ...] | None = None) -> None:
    """Record the message; a draft written again never hides that it was sent, refused or lost."""
    known = ledger.message(o.letter.kind, o.letter.period, o.letter.unit.code, o.letter.attachment.sha256)
    if keep_sent and known is not None and known.state != WRITTEN:
        return
    row = MessageRow(o.message_id, o.letter.unit.code, o.letter.period, o.letter.kind, o.letter.subject,
                     recipients if recipients is not None else o.letter.recipients, o.letter.attachment.sha256, o.letter.attachment.name,
                     state, o.reply, now())
    ledger.note_message(row)
