"""`manage.py parcours_stats`: the statistics for operations, as a table or csv."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from .statistics_data import NOW, populate

CSV_HEADER = (
    "code;caisse;importés;activés;activés (%);profil complet;profil complet (%);"
    + "".join(
        f"étape {n} commencée;étape {n} commencée (%);étape {n} complète;étape {n} complète (%);"
        f"étape {n} validée;étape {n} validée (%);"
        for n in range(1, 5)
    )
    + "en attente de validation;délai médian de validation (jours)"
)

CRAMIF_TABLE = """\
Cramif (CRAMIF)
---------------
Établissements importés         4
Compte activé                   2  (50 %)
Profil complet                  2  (50 %)
En attente de validation        3
Délai médian de validation    3 j

Étape      commencée       complète        validée  en attente  délai médian
    1      4 (100 %)      3  (75 %)      2  (50 %)           1           3 j
    2      2  (50 %)      2  (50 %)      0   (0 %)           2             –
    3      2  (50 %)      0   (0 %)      0   (0 %)           0             –
    4      1  (25 %)      1  (25 %)      1  (25 %)           0             –

Total national
--------------
Établissements importés         5
Compte activé                   3  (60 %)
Profil complet                  3  (60 %)
En attente de validation        4
Délai médian de validation    3 j

Étape      commencée       complète        validée  en attente  délai médian
    1      5 (100 %)      4  (80 %)      2  (40 %)           2           3 j
    2      2  (40 %)      2  (40 %)      0   (0 %)           2             –
    3      2  (40 %)      0   (0 %)      0   (0 %)           0             –
    4      1  (20 %)      1  (20 %)      1  (20 %)           0             –

1 caisse(s), 5 établissement(s) en tout, 4 étape(s) en attente de validation.
"""


@pytest.fixture
def data_set(parcours, establishment_a, establishment_b):
    with time_machine.travel(NOW, tick=False):
        yield populate(establishment_a, establishment_b)


def run(*args):
    out = io.StringIO()
    call_command("parcours_stats", *args, stdout=out)
    return out.getvalue()


def test_table_of_one_caisse_then_the_national_total(data_set):
    assert run("--caisse", "cramif") == CRAMIF_TABLE


def test_csv_of_one_caisse_has_a_header_its_line_and_the_national_total(data_set):
    assert run("--caisse", "CRAMIF", "--format", "csv").splitlines() == [
        CSV_HEADER,
        "CRAMIF;Cramif;4;2;50;2;50;4;100;3;75;2;50;2;50;2;50;0;0;2;50;0;0;0;0;1;25;1;25;1;25;3;3,0",
        ";Total national;5;3;60;3;60;5;100;4;80;2;40;2;40;2;40;0;0;2;40;0;0;0;0;1;20;1;20;1;20;4;3,0",
    ]


def test_csv_has_one_line_per_caisse_those_without_establishments_included(data_set):
    lines = run("--format", "csv").splitlines()
    assert lines[0] == CSV_HEADER
    assert len(lines) == 1 + 21 + 1
    assert (
        "CARSAT_HDF;Carsat Hauts-de-France;1;1;100;1;100;1;100;1;100;0;0;"
        + ";".join(["0;0"] * 9)
        + ";1;"
        in lines
    )
    assert "CARSAT_BRETAGNE;Carsat Bretagne;0;0;;0;;" + ";".join(["0;"] * 12) + ";0;" in lines
    assert lines[-1].startswith(";Total national;5;3;60;")


def test_table_of_every_caisse_lists_those_without_establishments_in_one_line(data_set):
    output = run()
    assert output.index("Carsat Hauts-de-France (CARSAT_HDF)\n") < output.index("Cramif (CRAMIF)\n")
    assert "Carsat Bretagne (CARSAT_BRETAGNE) : aucun établissement importé.\n" in output
    assert output.index("Total national") > output.index("aucun établissement importé")
    assert output.endswith(
        "21 caisse(s), 5 établissement(s) en tout, 4 étape(s) en attente de validation.\n"
    )


def test_an_unknown_caisse_is_an_error(data_set):
    with pytest.raises(CommandError, match="Caisse « NOPE » inconnue."):
        run("--caisse", "NOPE")
