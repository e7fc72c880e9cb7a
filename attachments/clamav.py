"""A small clamd client: the INSTREAM command over TCP or a unix socket.

CLAMAV_URL is ``tcp://host:port``, ``unix:///path/to/clamd.ctl`` or a bare
socket path. The protocol: ``zINSTREAM\\0``, then chunks each preceded by its
length as 4 big-endian bytes, then a zero length; clamd answers
``stream: OK`` or ``stream: <signature> FOUND`` terminated by a NUL byte.
"""

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK_BYTES = 64 * 1024
TIMEOUT_SECONDS = 30


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not answer sensibly."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def connect(url: str, timeout: float = TIMEOUT_SECONDS) -> socket.socket:
    parts = urlsplit(url)
    try:
        if parts.scheme == "tcp":
            if not parts.hostname or not parts.port:
                raise ScannerUnavailable(f"adresse clamd invalide : {url}")
            return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        path = parts.path if parts.scheme == "unix" else url
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        return sock
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error


def scan(url: str, stream, *, timeout: float = TIMEOUT_SECONDS) -> ScanResult:
    """Send the whole stream to clamd and read its verdict."""
    stream.seek(0)
    try:
        with connect(url, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        stream.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    if answer == "stream: OK":
        return ScanResult(clean=True)
    # "INSTREAM size limit exceeded. ERROR" and anything unexpected.
    raise ScannerUnavailable(f"réponse inattendue de clamd : {answer!r}")
