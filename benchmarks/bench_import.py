"""import_establishments on 10,000 valid lines (the issue asks for under a minute)."""

import io
import tempfile
import time
from pathlib import Path

LINES = 10_000


def luhn_key(body: str) -> str:
    from accounts.siret import luhn_is_valid

    return next(key for key in "0123456789" if luhn_is_valid(body + key))


def write_file(folder: Path) -> Path:
    path = folder / "etablissements.csv"
    rows = [
        "siret;raison_sociale;caisse;email;adresse;code_postal;ville;effectif;"
        "jours_perdus_tms;jours_perdus_lombalgies;annee_donnees"
    ]
    for number in range(LINES):
        body = f"8{number:012d}"
        siret = body + luhn_key(body)
        rows.append(
            f"{siret};Établissement {number};CRAMIF;contact{number}@example.fr;"
            f"{number} rue de la Paix;75002;Paris;{number % 500};{number % 900};{number % 300};2025"
        )
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def main() -> None:
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        path = write_file(Path(folder))
        for label in ("premier import (création)", "ré-import (inchangé)"):
            out = io.StringIO()
            started = time.perf_counter()
            call_command("import_establishments", str(path), stdout=out)
            elapsed = time.perf_counter() - started
            print(f"   {LINES} lignes, {label} : {elapsed:.2f} s – {out.getvalue().strip()}")
