"""A real SMTP server for the tests, on 127.0.0.1 (aiosmtpd in a thread): it keeps every message it
accepts, and can refuse a recipient, drop the connection when a message begins, or take a
message and drop the connection before answering (the one case nobody can know the outcome of).
Plain, STARTTLS or implicit TLS, with a self-signed certificate and a login."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "stttt", "mật-khẩu-thử 2020"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    drop_at: set[int] = field(default_factory=set)  # drop the connection at the MAIL FROM of these messages (1 = the first tried)
    down: bool = False  # drop every message at MAIL FROM (the server going away)
    take_then_drop: set[int] = field(default_factory=set)  # keep these messages, then drop the connection without answering
    tried: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.tried += 1
        if self.down or self.tried in self.drop_at:
            server.transport.close()
            return "421 4.3.0 đóng kết nối"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Không có hộp thư này"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        if self.tried in self.take_then_drop:
            server.transport.close()
        return "250 2.0.0 Đã nhận"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own authority: pass it as --cafile)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "may-chu.pem", folder / "may-chu.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode("utf-8")
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


class Server:
    """``with Server(handler, security=…, folder=…) as s:`` — s.port, s.handler, s.cafile."""

    def __init__(self, handler: Handler, security: str = "none", folder: Path | None = None):
        self.handler, self.security, self.port, self.cafile = handler, security, free_port(), None
        kwargs: dict = {}
        if security != "none":
            assert folder is not None
            self.cafile, key = certificate(folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cafile, key)
            kwargs = {"authenticator": _login, "auth_require_tls": True}
            if security == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:  # the whole session is TLS; aiosmtpd 1.4 counts only STARTTLS as TLS for auth_require_tls
                kwargs.update(ssl_context=context, auth_require_tls=False)
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *_) -> None:
        self.controller.stop()
