"""A developer's path from a fresh clone: `make run PORT=…`, `make manage ARGS=…`, the README's lines."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def clean_env(**extra):
    """A shell as a developer opens it: none of the test run's Django variables."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, **extra}


def make(*args, dry_run=True, **env):
    command = ["make", "--no-print-directory", *(["-n"] if dry_run else ["-o", "install"]), *args]
    return subprocess.run(
        command, cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


def runserver_line(output):
    [line] = [line for line in output.splitlines() if "runserver" in line]
    return line


def test_make_run_on_another_port_builds_links_on_that_port():
    line = runserver_line(make("run", "PORT=18300").stdout)
    assert "SITE_URL=http://localhost:18300 " in line and line.endswith("runserver 18300")


def test_make_run_keeps_a_site_url_that_is_set():
    assert "SITE_URL=https://tms.example.fr " in runserver_line(
        make("run", "PORT=18300", SITE_URL="https://tms.example.fr").stdout
    )
    assert "SITE_URL=http://localhost:8000 " in runserver_line(make("run").stdout)


@pytest.mark.skipif(not (ROOT / ".venv/bin/python").exists(), reason="no virtualenv yet")
def test_make_manage_runs_a_command_with_the_venv_on_the_embedded_defaults():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)"
    result = make("manage", f'ARGS=shell -c "{code}"', "PORT=18300", dry_run=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True http://localhost:18300"


def test_every_command_line_of_the_readme_works_as_written():
    """No bare `manage.py …` or `python manage.py …` (the system's Python, no DEBUG):
    `make manage ARGS="…"`, or the virtualenv's Python with the production variables."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", readme) + [
        line
        for block in re.findall(r"```bash\n(.*?)```", readme, re.S)
        for line in block.split("\n")
    ]
    commands = [span.strip() for span in spans if re.search(r"\bmanage\.py \w", span)]
    assert commands, "the README gives command lines"
    for command in commands:
        assert not re.search(r"manage\.py \w", command.replace(".venv/bin/python manage.py", "")), (
            command
        )
    assert 'make manage ARGS="' in readme and "make run PORT=18300" in readme
