"""A small bounded load client: threads, http.client keep-alive, cookies, forms.

No third-party tool (wrk and locust are not installed here). Each simulated
user is a thread with its own keep-alive connection and cookie jar; a
measure runs for a fixed number of seconds or requests, whichever ends
first, and stops by itself. Loopback only.
"""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class Session:
    """One user: a keep-alive connection to host:port and the cookies it was given."""

    def __init__(self, host: str, port: int, *, address: str = "10.0.0.1"):
        self.host, self.port, self.address = host, port, address
        self.cookies: dict[str, str] = {}
        self.connection = None

    def copy(self) -> "Session":
        """Another connection carrying the same cookies (the same logged-in user)."""
        other = Session(self.host, self.port, address=self.address)
        other.cookies = dict(self.cookies)
        return other

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        """(status, headers, body bytes); reconnects once if the server closed the connection."""
        payload = urlencode(body, doseq=True).encode() if body is not None else None
        all_headers = {"Host": f"{self.host}:{self.port}", "X-Forwarded-For": self.address}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if payload is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        for attempt in (1, 2):
            fresh = self.connection is None
            if fresh:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.connection.request(method, path, body=payload, headers=all_headers)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            for header in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, response, content
        raise AssertionError("unreachable")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)


# --- Forms ------------------------------------------------------------------------------
class _FormParser(HTMLParser):
    """The fields of every <form> of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # (attrs, [(name, value)], names, names of free-text fields)
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = (attrs, [], set(), set())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            self._form[2].add(name)
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            if "disabled" in attrs:
                return
            if kind == "text" and "inputmode" not in attrs:
                self._form[3].add(name)
            self._form[1].append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._form[2].add(name)
            self._form[3].add(name)
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._form[2].add(name)
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._form[1].append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form[1].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field_name: str) -> tuple[dict, list]:
    """(attributes, fields, free-text field names) of the page's form holding `field_name`."""
    parser = _FormParser()
    parser.feed(html)
    for attrs, fields, names, texts in parser.forms:
        if field_name in names:
            return attrs, fields, texts
    raise LookupError(f"no form with a field {field_name!r}")


def as_dict(fields: list) -> dict:
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def stylesheet(html: str) -> str:
    """The first stylesheet linked from a page."""

    class Links(HTMLParser):
        href = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "link" and attrs.get("rel") == "stylesheet" and self.href is None:
                self.href = attrs.get("href")

    parser = Links()
    parser.feed(html)
    if not parser.href:
        raise LookupError("no stylesheet")
    return urlsplit(parser.href).path


# --- Measures ---------------------------------------------------------------------------
@dataclass
class Measure:
    name: str
    latencies: list = field(default_factory=list)  # seconds, successful requests
    statuses: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    elapsed: float = 0.0
    conflicts: int = 0
    failures: int = 0  # answered with another status than the expected one

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

    @property
    def median(self):
        return statistics.median(self.latencies) if self.latencies else None

    def as_json(self) -> dict:
        ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
        return {
            "requests": self.count,
            "seconds": round(self.elapsed, 2),
            "req_per_s": round(self.rate, 1),
            "p50_ms": ms(self.median),
            "p95_ms": ms(self.percentile(0.95)),
            "max_ms": ms(max(self.latencies) if self.latencies else None),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "conflicts": self.conflicts,
            "failures": self.failures,
            "errors": self.errors[:5],
        }


def run(name, users, action, *, seconds, max_requests, warmup=1) -> Measure:
    """Run `action(user_index, session) -> (status, ok, conflict)` for each user in
    its own thread until `seconds` pass or `max_requests` are done; only the
    timed part of an action counts (it returns its own duration as 4th value).
    """
    measure = Measure(name)
    lock = threading.Lock()
    counter = {"left": max_requests}
    for index, session in enumerate(users):  # warm-up: connections open, caches filled
        for _ in range(warmup):
            try:
                action(index, session)
            except Exception as error:  # noqa: BLE001 - reported, never raised
                measure.errors.append(f"échauffement : {error!r}")
    deadline = time.perf_counter() + seconds

    def worker(index, session):
        while time.perf_counter() < deadline:
            with lock:
                if counter["left"] <= 0:
                    return
                counter["left"] -= 1
            try:
                status, ok, conflict, duration = action(index, session)
            except Exception as error:  # noqa: BLE001 - reported, never raised
                with lock:
                    measure.errors.append(repr(error))
                    measure.statuses["exception"] = measure.statuses.get("exception", 0) + 1
                session.close()
                continue
            with lock:
                measure.statuses[status] = measure.statuses.get(status, 0) + 1
                if conflict:
                    measure.conflicts += 1
                elif ok:
                    measure.latencies.append(duration)
                else:
                    measure.failures += 1

    threads = [
        threading.Thread(target=worker, args=(index, session), daemon=True)
        for index, session in enumerate(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 180)
    measure.elapsed = time.perf_counter() - started
    return measure


def timed(session, method, path, data=None, *, expect=(200,)):
    """One request, timed: (status, ok, conflict, seconds)."""
    started = time.perf_counter()
    status, _, _ = session.request(method, path, data)
    return status, status in expect, False, time.perf_counter() - started


def edited_step_form(html: str, stamp: str) -> dict:
    """The step page's form as the browser would post it, one text answer changed
    (so that the save writes: a new version of the step). The version field is
    the one of this page: re-read before each save."""
    _, fields, texts = form_with(html, "version")
    data = as_dict(fields)
    for name, values in data.items():
        if name.startswith("q_") and name in texts and values and values[0]:
            base = values[0].split(" [", 1)[0]
            data[name] = [f"{base} [{stamp}]"]
            return data
    comment = next((n for n in data if n.startswith("comment_")), None)
    if comment is not None:
        data[comment] = [f"Commentaire [{stamp}]"]
    return data
