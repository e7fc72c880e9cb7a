"""Every file goes through clamd when CLAMAV_URL is set; unreachable means refused."""

import os
import socket
import socketserver
import struct
import threading

import pytest
from django.core.exceptions import ValidationError

from attachments import clamav
from attachments.services import inspect_upload
from attachments.tests import files


class FakeClamd(socketserver.BaseRequestHandler):
    """Speaks INSTREAM like clamd; "finds" the EICAR string."""

    received = []

    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack(">I", self.recv_exactly(4))[0]
            if size == 0:
                break
            data += self.recv_exactly(size)
        FakeClamd.received.append(data)
        if files.EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def recv_exactly(self, size):
        chunks = b""
        while len(chunks) < size:
            chunk = self.request.recv(size - len(chunks))
            if not chunk:
                raise ConnectionError
            chunks += chunk
        return chunks


@pytest.fixture
def fake_clamd():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeClamd.received = []
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_clamd_unix(tmp_path):
    path = str(tmp_path / "clamd.ctl")
    server = socketserver.ThreadingUnixStreamServer(path, FakeClamd)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"unix://{path}"
    server.shutdown()
    server.server_close()


def test_clean_file_is_streamed_whole_and_accepted(fake_clamd, settings):
    settings.CLAMAV_URL = fake_clamd
    content = files.pdf_bytes("x" * 200_000)  # several INSTREAM chunks
    inspect_upload(files.upload("bilan.pdf", content))
    assert FakeClamd.received == [content]


def test_infected_file_is_refused_with_the_signature(fake_clamd, settings):
    settings.CLAMAV_URL = fake_clamd
    with pytest.raises(ValidationError) as caught:
        inspect_upload(files.upload("notes.txt", files.EICAR))
    assert caught.value.messages == [
        "« notes.txt » : l'antivirus a détecté un contenu malveillant (Eicar-Test-Signature)."
    ]


def test_unix_socket_is_supported(fake_clamd_unix):
    assert clamav.scan(fake_clamd_unix, files.upload("a.txt", files.EICAR)) == clamav.ScanResult(
        clean=False, signature="Eicar-Test-Signature"
    )


def test_unreachable_antivirus_refuses_the_upload(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ValidationError) as caught:
        inspect_upload(files.upload("bilan.pdf", files.pdf_bytes()))
    assert "antivirus est momentanément indisponible" in caught.value.messages[0]


def test_missing_unix_socket_refuses_the_upload(settings, tmp_path):
    settings.CLAMAV_URL = f"unix://{tmp_path}/absent.ctl"
    with pytest.raises(ValidationError):
        inspect_upload(files.upload("bilan.pdf", files.pdf_bytes()))


@pytest.mark.skipif(not os.environ.get("TEST_CLAMAV_URL"), reason="TEST_CLAMAV_URL is not set")
def test_real_clamd_finds_eicar_and_passes_a_clean_file(settings):
    settings.CLAMAV_URL = os.environ["TEST_CLAMAV_URL"]
    inspect_upload(files.upload("bilan.pdf", files.pdf_bytes()))
    with pytest.raises(ValidationError) as caught:
        inspect_upload(files.upload("eicar.txt", files.EICAR))
    assert "Eicar-Test-Signature" in caught.value.messages[0]
