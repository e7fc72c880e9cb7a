"""Every error of import_establishments is a French sentence with its line
number and a non-zero exit, never a Python traceback; nothing is imported."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError

from profiles.models import Establishment

from .sirets import make_siret
from .test_import import HEADER, run_import

GOOD = f"{make_siret(1)};Menuiserie Gamma;CRAMIF;contact@gamma.fr;;;;;;;;"


def write(tmp_path, data: bytes):
    path = tmp_path / "etablissements.csv"
    path.write_bytes(data)
    return path


def undecodable(tmp_path):
    # 0x81 and 0x8D are bytes that Windows-1252 does not define, and no UTF-8.
    return write(tmp_path, (HEADER + "\r\n" + GOOD + "\r\n").encode() + b"Caf\x81\x8d;x\r\n")


def test_bytes_neither_utf8_nor_cp1252_are_a_french_sentence_with_the_line(tmp_path, db):
    with pytest.raises(CommandError) as refused:
        run_import(undecodable(tmp_path))
    assert "Ligne 3" in str(refused.value)
    assert "ni en UTF-8 ni en Windows-1252" in str(refused.value)
    assert not Establishment.objects.exists()


def test_a_cell_over_the_csv_field_limit_is_a_french_sentence_with_the_line(tmp_path, db):
    huge = "x" * (csv.field_size_limit() + 10)
    path = write(tmp_path, f"{HEADER}\r\n{GOOD}\r\n{make_siret(2)};{huge};CRAMIF;a@b.fr\r\n".encode())
    with pytest.raises(CommandError) as refused:
        run_import(path)
    assert "Ligne 3" in str(refused.value) and "trop longue" in str(refused.value)
    assert not Establishment.objects.exists()


def test_a_folder_instead_of_a_file_is_a_french_sentence(tmp_path, db):
    folder = tmp_path / "dossier.csv"
    folder.mkdir()
    with pytest.raises(CommandError, match="n'est pas un fichier"):
        run_import(folder)


def test_control_characters_of_imported_names_are_dropped(tmp_path, db):
    line = f"{make_siret(1)};Menuiserie\u202e Gamma\x07\x1b;CRAMIF;contact@gamma.fr;3 rue\u200b Haute;;;;;;;"
    run_import(write(tmp_path, f"{HEADER}\r\n{line}\r\n".encode()))
    establishment = Establishment.objects.get()
    assert (establishment.name, establishment.address) == ("Menuiserie Gamma", "3 rue Haute")


def test_the_command_line_shows_the_sentence_on_stderr_and_exits_non_zero(tmp_path):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tmspros.settings_test"}
    manage = Path(settings.BASE_DIR) / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), "import_establishments", str(undecodable(tmp_path))],
        capture_output=True, text=True, env=environment, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "Ligne 3 : le fichier n'est ni en UTF-8 ni en Windows-1252" in done.stderr
