"""The province's mail server (SMTP, ``smtplib``): how to reach it, the password, and the
delivery of one message, step by step, so that what became of it is always known.

A message is handed over in three steps: MAIL FROM, RCPT TO (each recipient), DATA. A refusal
at any step is the server's answer, kept word for word: 5xx refused (the next run tries again,
after the roster is fixed), 4xx failed for now. A connection lost before the end of the data
means the server never took the message (failed: sent by the next run). A connection lost
after the whole message was sent but before the server's answer is the one case where nobody
knows whether it arrived: it is "unknown" and never sent again unless asked (``--resend``), so
that no unit gets the same message twice.

The password is read from an environment variable or asked at the prompt (``getpass``), never
from a file or an option's value (both are seen by others: shell history, process list, a
shared drive); it is never sent over a connection that is not encrypted.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..intake.ledger import FAILED, REFUSED, SENT, UNKNOWN

SECURITY = ("starttls", "tls", "none")
PORTS = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_ENV = "HUEDX_MAT_KHAU_THU"


class SendError(UsageError):
    """The server cannot be reached or refuses the login: nothing can be sent (the message says why)."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str = "starttls"  # STARTTLS on the submission port, implicit TLS ("tls", port 465), or none (a relay inside the network)
    user: str = ""
    password_env: str = PASSWORD_ENV
    cafile: Path | None = None  # the certificate authority of a server whose certificate the system does not know
    timeout: float = 60.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass
class Delivery:
    """What became of one message: ``state`` (ledger SENT, REFUSED, FAILED, UNKNOWN), the
    recipients the server took and refused, and the server's words."""

    state: str
    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    reply: str = ""
    connection_lost: bool = False


def password(server: Server, prompt=None) -> str | None:
    """The password: from the environment variable, else asked (only at a terminal); None without a user."""
    if not server.user:
        return None
    if server.security == "none":
        raise UsageError("không gửi mật khẩu qua kết nối không mã hóa: dùng --security starttls hoặc tls, hoặc bỏ --user")
    found = os.environ.get(server.password_env)
    if found:
        return found
    if prompt is None and not sys.stdin.isatty():
        raise UsageError(f"chưa có mật khẩu thư của {server.user}: đặt biến môi trường {server.password_env}, "
                         "hoặc chạy lệnh trong cửa sổ lệnh để được hỏi mật khẩu")
    import getpass

    return (prompt or getpass.getpass)(f"Mật khẩu thư của {server.user} tại {server.host}: ")


def _said(code: int, words: bytes | str) -> str:
    text = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
    return f"{code} {' '.join(text.split())}"


class Connection:
    """One session with the server (``with Connection(server, password) as c: c.deliver(…)``)."""

    def __init__(self, server: Server, secret: str | None):
        self.server, self.secret = server, secret
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        self.open()
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.server.cafile) if self.server.cafile else None)

    def open(self) -> None:
        s = self.server
        try:
            if s.security == "tls":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                self.smtp.ehlo()
                if s.security == "starttls":
                    if not self.smtp.has_extn("starttls"):
                        raise SendError(f"máy chủ thư {s.where} không hỗ trợ STARTTLS: dùng --security tls (cổng 465) nếu máy chủ có")
                    self.smtp.starttls(context=self._context())
                    self.smtp.ehlo()
            if s.user:
                self._login(s.user, self.secret or "")
        except SendError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise SendError(f"máy chủ thư {s.where} không nhận tên đăng nhập hoặc mật khẩu của {s.user} ({_said(exc.smtp_code, exc.smtp_error)})") from None
        except ssl.SSLError as exc:
            self.close()
            raise SendError(f"không lập được kết nối mã hóa với {s.where} ({exc.reason or exc}); chứng thư của máy chủ do một tổ chức "
                            "riêng cấp thì chỉ ra bằng --cafile TỆP.pem") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(f"không kết nối được máy chủ thư {s.where}: {exc}") from None

    def _login(self, user: str, secret: str) -> None:
        """Log in once, by AUTH PLAIN in UTF-8 (RFC 4616) when the server offers it: ``smtplib.login``
        cannot send a password with Vietnamese letters (it encodes it as ASCII), and after a wrong
        password it tries the next mechanism, which some servers leave unanswered."""
        assert self.smtp is not None
        self.smtp.ehlo_or_helo_if_needed()
        if "plain" not in self.smtp.esmtp_features.get("auth", "").lower().split():
            if not (user + secret).isascii():
                raise SendError(f"máy chủ thư {self.server.where} không nhận AUTH PLAIN, cách duy nhất gửi được mật khẩu có chữ có dấu")
            self.smtp.login(user, secret)
            return
        import base64

        token = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + secret.encode("utf-8")).decode("ascii")
        code, words = self.smtp.docmd("AUTH", "PLAIN " + token)
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, words)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def deliver(self, sender: str, recipients: Sequence[str], data: bytes) -> Delivery:
        """Hand one message to the server, step by step (see the module's docstring)."""
        smtp = self.smtp
        assert smtp is not None
        stage = "before"
        try:
            code, words = smtp.mail(sender)
            if code != 250:
                self._reset()
                return Delivery(REFUSED if code >= 500 else FAILED, reply=f"MAIL FROM: {_said(code, words)}")
            accepted, refused, replies = [], [], []
            for to in recipients:
                code, words = smtp.rcpt(to)
                if code in (250, 251):
                    accepted.append(to)
                else:
                    refused.append(to)
                    replies.append(f"{to}: {_said(code, words)}")
            if not accepted:
                self._reset()
                permanent = all(r.split(": ", 1)[1][:1] == "5" for r in replies)
                return Delivery(REFUSED if permanent else FAILED, [], refused, "; ".join(replies))
            code, words = smtp.docmd("DATA")
            if code != 354:
                self._reset()
                return Delivery(REFUSED if code >= 500 else FAILED, [], list(recipients), f"DATA: {_said(code, words)}")
            smtp.send(_dot_stuffed(data))
            stage = "sent"  # the whole message and its final "." are with the server: only its answer is missing
            code, words = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.smtp = None
            if stage == "sent":
                return Delivery(UNKNOWN, reply=f"mất kết nối sau khi đã gửi hết thư, trước khi máy chủ trả lời ({exc})", connection_lost=True)
            return Delivery(FAILED, reply=f"mất kết nối trước khi máy chủ nhận thư ({exc})", connection_lost=True)
        if code != 250:
            return Delivery(REFUSED if code >= 500 else FAILED, [], list(recipients), f"sau DATA: {_said(code, words)}")
        said = _said(code, words)
        return Delivery(SENT, accepted, refused, "; ".join([said, *(f"không nhận {r}" for r in replies)]))

    def _reset(self) -> None:
        try:
            assert self.smtp is not None
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.smtp = None


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: a line starting with "." doubled, CRLF line ends, "." to end."""
    body = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r?\n", b"\r\n", data))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"
