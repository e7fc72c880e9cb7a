"""A tiny SMTP server for the local production layout: it accepts every message and keeps it.

Each message is written to DIRECTORY as NNNNNN.eml (its envelope in the first
lines, "X-Sink-From:" and "X-Sink-To:"), so that a test counts the deliveries
and reads them. Nothing is relayed. Loopback only.

    python deploy/smtp_sink.py --port 8025 --directory /tmp/mails
"""

import argparse
import itertools
import socketserver
import threading
from pathlib import Path

MAX_MESSAGE_BYTES = 30 * 1024 * 1024


class SinkHandler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 tmspros-smtp-sink ESMTP")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            command, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            verb = command.upper()
            if verb == "EHLO":
                self.reply("250-tmspros-smtp-sink")
                self.reply("250-8BITMIME")
                self.reply("250-SMTPUTF8")
                self.reply(f"250 SIZE {MAX_MESSAGE_BYTES}")
            elif verb == "HELO":
                self.reply("250 tmspros-smtp-sink")
            elif verb == "MAIL":
                sender, recipients = address(argument), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(address(argument))
                self.reply("250 OK")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.keep(sender, recipients, self.read_data())
                self.reply("250 OK queued")
                sender, recipients = "", []
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_data(self) -> bytes:
        lines = []
        while True:
            line = self.rfile.readline(MAX_MESSAGE_BYTES)
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


def address(argument: str) -> str:
    """The address of "FROM:<a@b> SIZE=12" or "TO:<a@b>"."""
    value = argument.partition(":")[2].strip()
    return value.partition(">")[0].lstrip("<")


class SinkServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address_port, directory: Path):
        super().__init__(address_port, SinkHandler)
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    def keep(self, sender: str, recipients: list[str], data: bytes) -> None:
        with self.lock:
            number = next(self.numbers)
        envelope = f"X-Sink-From: {sender}\r\nX-Sink-To: {', '.join(recipients)}\r\n".encode()
        path = self.directory / f"{number:06d}.eml"
        temporary = path.with_suffix(".part")
        temporary.write_bytes(envelope + data)
        temporary.rename(path)  # a reader never sees half a message
        print(f"smtp-sink: message {number} from {sender} to {', '.join(recipients)}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args(argv)
    with SinkServer((args.host, args.port), args.directory) as server:
        print(f"smtp-sink: listening on {args.host}:{args.port}, messages in {args.directory}",
              flush=True)  # fmt: skip
        server.serve_forever()


if __name__ == "__main__":
    main()
