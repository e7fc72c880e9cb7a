"""Import of establishments (operations): read a file, check every line, then write in bulk."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.siret import normalize_siret, siret_error
from tmspros.text import clean_text

from .models import Caisse, Establishment, Membership

REQUIRED_COLUMNS = ("siret", "raison_sociale", "caisse", "email")
OPTIONAL_COLUMNS = (
    "adresse",
    "code_postal",
    "ville",
    "code_naf",
    "effectif",
    "preventeur_email",
    "jours_perdus_tms",
    "jours_perdus_lombalgies",
    "annee_donnees",
)
# Column -> Establishment field, for what a re-import updates.
COLUMN_FIELDS = {
    "raison_sociale": "name",
    "caisse": "caisse",
    "adresse": "address",
    "code_postal": "postcode",
    "ville": "town",
    "code_naf": "naf_code",
    "effectif": "headcount",
    "preventeur_email": "preventeur",
    "jours_perdus_tms": "days_lost_tms",
    "jours_perdus_lombalgies": "days_lost_lumbago",
    "annee_donnees": "figures_year",
}
MAX_LENGTHS = {"raison_sociale": 255, "adresse": 255, "ville": 120, "code_naf": 10}
INTEGER_COLUMNS = ("effectif", "jours_perdus_tms", "jours_perdus_lombalgies")
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f]+")
BULK_CHUNK = 2000


class ImportFileError(Exception):
    """The file cannot be read at all (format, header)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    rejected_lines: set[int] = field(default_factory=set)

    @property
    def rejected(self) -> int:
        return len(self.rejected_lines)

    def summary(self) -> str:
        return (
            f"{self.created} créé(s), {self.updated} mis à jour, "
            f"{self.unchanged} inchangé(s), {self.rejected} rejeté(s)"
        )


# --- Reading -----------------------------------------------------------------------
def _cell_text(value, column: str) -> str:
    """A cell as text; numbers from a spreadsheet keep their leading zeros where they matter."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if column == "siret":
            return text.zfill(14)
        if column == "code_postal":
            return text.zfill(5)
        return text
    return clean_text(value)


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header's column names and each (line number, {column: text}) of the file."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"Fichier introuvable : {path}")
    if not path.is_file():
        raise ImportFileError(f"{path} n'est pas un fichier.")
    if path.suffix.lower() == ".xlsx":
        raw_rows = _xlsx_rows(path)
    elif path.suffix.lower() in (".csv", ".txt"):
        raw_rows = _csv_rows(path)
    else:
        raise ImportFileError("Format non pris en charge : fournissez un fichier .csv ou .xlsx.")
    if not raw_rows:
        raise ImportFileError("Le fichier est vide.")
    header = [str(name or "").strip().lstrip("\ufeff").lower() for name in raw_rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError("Colonne(s) obligatoire(s) absente(s) : " + ", ".join(missing) + ".")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise ImportFileError("Colonne(s) en double : " + ", ".join(duplicated) + ".")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    rows = []
    for line_number, raw in enumerate(raw_rows[1:], start=2):
        values = {
            name: _cell_text(value, name)
            for name, value in zip(header, raw, strict=False)
            if name in known
        }
        if any(values.values()):
            rows.append((line_number, values))
    return [name for name in header if name in known], rows


def _csv_rows(path: Path) -> list[list]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Fichier illisible : {path} ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Excel versions write CSV in Windows-1252.
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ImportFileError(
                f"Ligne {line} : le fichier n'est ni en UTF-8 ni en Windows-1252 (caractère "
                "illisible) ; enregistrez-le en « CSV UTF-8 » et recommencez."
            ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        # A cell over the csv module's field limit (131 072 characters), mostly.
        raise ImportFileError(
            f"Ligne {reader.line_num} : une cellule est trop longue ou mal délimitée "
            "(guillemet non refermé ?) ; corrigez le fichier et recommencez."
        ) from exc


def _xlsx_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
        raise ImportFileError(f"Classeur Excel illisible : {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- Checking --------------------------------------------------------------------------
@dataclass
class CheckedRow:
    line: int
    siret: str
    email: str
    values: dict  # Establishment field -> value, for the columns of the file


def _integer(text: str) -> int:
    cleaned = _NUMBER_SPACES.sub("", text)
    if not cleaned.isdigit():
        raise ValueError
    return int(cleaned)


def check_rows(columns, rows) -> tuple[list[CheckedRow], list[str], set[int]]:
    """Every line checked, with all its errors in French; bulk look-ups only."""
    caisses = {caisse.code: caisse for caisse in Caisse.objects.all()}
    preventeurs = {}
    if "preventeur_email" in columns:
        wanted = {values.get("preventeur_email", "").lower() for _, values in rows} - {""}
        for user in User.objects.filter(kind=User.Kind.PREVENTEUR, email__in=wanted):
            preventeurs[user.email.lower()] = user
        # Usernames of préventeurs are their e-mail; accept either.
        for user in User.objects.filter(kind=User.Kind.PREVENTEUR, username__in=wanted):
            preventeurs.setdefault(user.username.lower(), user)
    current_year = date.today().year

    checked, errors, rejected = [], [], set()
    first_line_of = {}
    for line, values in rows:
        line_errors = []

        def error(message, line=line, line_errors=line_errors):
            line_errors.append(f"ligne {line} : {message}")

        siret = normalize_siret(values.get("siret", ""))
        if not siret:
            error("SIRET absent (colonne siret)")
        elif reason := siret_error(siret):
            error(f"SIRET {values['siret']} invalide ({reason})")
        elif siret in first_line_of:
            error(f"SIRET {siret} déjà présent ligne {first_line_of[siret]} (colonne siret)")
        else:
            first_line_of[siret] = line

        result = {}
        name = values.get("raison_sociale", "")
        if not name:
            error("raison sociale absente (colonne raison_sociale)")
        result["name"] = name

        code = values.get("caisse", "").strip().upper()
        caisse = caisses.get(code)
        if caisse is None:
            shown = values.get("caisse", "")
            error(
                f"caisse « {shown} » inconnue (colonne caisse)"
                if shown
                else "caisse absente (colonne caisse)"
            )
        result["caisse"] = caisse

        email = values.get("email", "").strip()
        if not email:
            error("adresse e-mail absente (colonne email)")
        else:
            try:
                validate_email(email)
            except ValidationError:
                error(f"adresse e-mail « {email} » invalide (colonne email)")

        for column, max_length in MAX_LENGTHS.items():
            if len(values.get(column, "")) > max_length:
                error(f"texte trop long, {max_length} caractères au plus (colonne {column})")
        for column in ("adresse", "ville", "code_naf"):
            if column in columns:
                result[COLUMN_FIELDS[column]] = values.get(column, "")

        if "code_postal" in columns:
            postcode = _NUMBER_SPACES.sub("", values.get("code_postal", ""))
            if postcode and not re.fullmatch(r"\d{5}", postcode):
                error(
                    f"code postal « {values['code_postal']} » invalide, 5 chiffres attendus (colonne code_postal)"
                )
            result["postcode"] = postcode

        for column in INTEGER_COLUMNS:
            if column in columns:
                text = values.get(column, "")
                number = None
                if text:
                    try:
                        number = _integer(text)
                    except ValueError:
                        error(
                            f"nombre « {text} » invalide, entier positif attendu (colonne {column})"
                        )
                result[COLUMN_FIELDS[column]] = number

        if "annee_donnees" in columns:
            text = values.get("annee_donnees", "")
            year = None
            if text:
                try:
                    year = _integer(text)
                    if not 2000 <= year <= current_year + 1:
                        raise ValueError
                except ValueError:
                    error(f"année « {text} » invalide (colonne annee_donnees)")
                    year = None
            result["figures_year"] = year

        if "preventeur_email" in columns:
            address = values.get("preventeur_email", "").strip().lower()
            preventeur = None
            if address:
                preventeur = preventeurs.get(address)
                if preventeur is None:
                    error(f"préventeur « {address} » inconnu (colonne preventeur_email)")
                elif caisse is not None and not Establishment.preventeur_may_follow(
                    preventeur, caisse
                ):
                    error(
                        f"le préventeur « {address} » n'appartient pas à la caisse {caisse.code} "
                        "(colonne preventeur_email)"
                    )
            result["preventeur"] = preventeur

        if line_errors:
            errors.extend(line_errors)
            rejected.add(line)
        else:
            checked.append(CheckedRow(line=line, siret=siret, email=email, values=result))
    return checked, errors, rejected


# --- Writing ---------------------------------------------------------------------------
def _chunks(items, size=BULK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same(establishment, field_name, value) -> bool:
    if field_name in ("caisse", "preventeur"):
        return getattr(establishment, f"{field_name}_id") == (value.pk if value else None)
    return getattr(establishment, field_name) == value


def import_establishments(path, *, dry_run=False, skip_invalid=False) -> ImportReport:
    """Create or update the establishments of the file (all or nothing unless skip_invalid).

    A re-import updates the imported data of an existing SIRET (only the
    columns present in the file; an empty cell clears an optional value) and
    never touches its account: password, activation and e-mail are kept.
    """
    columns, rows = read_rows(path)
    checked, errors, rejected = check_rows(columns, rows)
    report = ImportReport(errors=errors, rejected_lines=rejected)
    if errors and not skip_invalid:
        return report

    sirets = [row.siret for row in checked]
    existing = {}
    for chunk in _chunks(sirets):
        for establishment in Establishment.objects.filter(siret__in=chunk).select_related(
            "preventeur"
        ):
            existing[establishment.siret] = establishment
    new_rows = [row for row in checked if row.siret not in existing]
    accounts, owners = {}, set()
    for chunk in _chunks([row.siret for row in new_rows]):
        for user in User.objects.filter(username__in=chunk):
            accounts[user.username] = user
        owners.update(
            Membership.objects.filter(
                user__username__in=chunk, role=Membership.Role.ESTABLISHMENT
            ).values_list("user__username", flat=True)
        )

    to_update, updated_fields = [], set()
    for row in checked:
        establishment = existing.get(row.siret)
        if establishment is None:
            continue
        changed = [
            name for name, value in row.values.items() if not _same(establishment, name, value)
        ]
        if changed:
            for name in changed:
                setattr(establishment, name, row.values[name])
            if "preventeur" not in changed and establishment.drop_preventeur_of_another_caisse():
                # Moved to another caisse: its former préventeur no longer follows it.
                changed.append("preventeur")
            updated_fields.update(changed)
            to_update.append(establishment)
        else:
            report.unchanged += 1
    report.updated = len(to_update)
    report.created = len(new_rows)

    taken = [
        row
        for row in new_rows
        if row.siret in owners
    ]
    for row in taken:  # an account with this SIRET already has another establishment
        report.errors.append(
            f"ligne {row.line} : le compte {row.siret} est déjà rattaché à un autre établissement"
        )
        report.rejected_lines.add(row.line)
    if taken:
        if not skip_invalid:
            report.created = report.updated = report.unchanged = 0
            return report
        taken_lines = {row.line for row in taken}
        new_rows = [row for row in new_rows if row.line not in taken_lines]
        report.created = len(new_rows)

    if dry_run:
        return report

    now = timezone.now()
    with transaction.atomic():
        missing_users = [
            User(
                username=row.siret,
                email=row.email,
                kind=User.Kind.ESTABLISHMENT,
                password=make_password(None),
                date_joined=now,
            )
            for row in new_rows
            if row.siret not in accounts
        ]
        for user in User.objects.bulk_create(missing_users, batch_size=500):
            accounts[user.username] = user
        if missing_users and missing_users[0].pk is None:  # backends without RETURNING
            for chunk in _chunks([user.username for user in missing_users]):
                accounts.update({u.username: u for u in User.objects.filter(username__in=chunk)})
        created = Establishment.objects.bulk_create(
            [Establishment(siret=row.siret, **row.values) for row in new_rows],
            batch_size=500,
        )
        if created and created[0].pk is None:  # backends without RETURNING
            created = []
            for chunk in _chunks([row.siret for row in new_rows]):
                created.extend(Establishment.objects.filter(siret__in=chunk))
        Membership.objects.bulk_create(
            [
                Membership(
                    establishment=establishment,
                    user=accounts[establishment.siret],
                    role=Membership.Role.ESTABLISHMENT,
                    created_at=now,
                )
                for establishment in created
            ],
            batch_size=500,
        )
        if to_update:
            for establishment in to_update:
                establishment.updated_at = now
            Establishment.objects.bulk_update(
                to_update, [*sorted(updated_fields), "updated_at"], batch_size=500
            )
    return report
