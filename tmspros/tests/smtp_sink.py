"""An SMTP server for the fault tests, in a thread of the test: it counts what it accepts.

Unlike deploy/smtp_sink.py (the local production layout's, a process writing
files), this one is told how to behave while a test runs:

- `refuse = "550 5.7.1 Refusé"` (or a 4xx) answers that line to every MAIL FROM;
- `hold_after = N` keeps every DATA command after the N-th unanswered until
  `release()`, and sets `held` (a threading.Event; `held_ports` are the
  senders' ports): the test knows senders are in the middle of a delivery,
  whose message is not accepted (not counted);
- `stop()` closes the port (an SMTP server down).

`accepted` lists (Message-ID, subject, recipients) of each message answered
"250" at the end of its data: a message counts once it is accepted, as a real
server's queue would. Loopback only.
"""

import email
import socket
import socketserver
import threading
from email.policy import default as default_policy


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.reply("220 tmspros-test-sink ESMTP")
        recipients = []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            verb = line.decode("utf-8", "replace").strip().partition(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-tmspros-test-sink" if verb == "EHLO" else "250 tmspros-test-sink")
                if verb == "EHLO":
                    self.reply("250 8BITMIME")
            elif verb == "MAIL":
                if sink.refuse:
                    self.reply(sink.refuse)
                    continue
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode("utf-8", "replace").partition(":")[2].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                if sink.should_hold():
                    with sink._lock:
                        sink.held_ports.append(self.client_address[1])
                    sink.held.set()
                    # The sender waits for "354"; it gets nothing until released
                    # (or until it dies: then readline below returns b"").
                    sink._released.wait(timeout=60)
                    return
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return  # the sender went away mid-data: nothing accepted
                sink.keep(data, recipients)
                self.reply("250 OK queued")
                recipients = []
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self):
        lines = []
        while True:
            line = self.rfile.readline(10 * 1024 * 1024)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self, port: int = 0):
        self.refuse = ""
        self.hold_after = None
        self.held = threading.Event()
        self.held_ports: list[int] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._data_commands = 0
        self.accepted: list[tuple[str, str, list[str]]] = []
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def should_hold(self) -> bool:
        with self._lock:
            self._data_commands += 1
            return (
                self.hold_after is not None
                and self._data_commands > self.hold_after
                and not self._released.is_set()
            )

    def release(self) -> None:
        self._released.set()

    def keep(self, data: bytes, recipients: list[str]) -> None:
        message = email.message_from_bytes(data, policy=default_policy)
        with self._lock:
            subject = " ".join(str(message["Subject"]).split())  # unfolded
            self.accepted.append((str(message["Message-ID"]), subject, recipients))

    def subjects(self) -> list[str]:
        with self._lock:
            return [subject for _, subject, _ in self.accepted]

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0
