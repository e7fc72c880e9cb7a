import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import User
from profiles.models import Establishment

from .sirets import make_siret

HEADER = "siret;raison_sociale;caisse;email;adresse;code_postal;ville;effectif;preventeur_email;jours_perdus_tms;jours_perdus_lombalgies;annee_donnees"
S1, S2, S3 = make_siret(1), make_siret(2), make_siret(3)


def write_csv(tmp_path, lines, *, bom=True, name="etablissements.csv"):
    path = tmp_path / name
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_establishments", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_with_bom_and_semicolons_creates_establishments_and_accounts(tmp_path, preventeur_a):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            f"{S1};Menuiserie Gamma;CRAMIF;contact@gamma.fr;3 rue Haute;75011;Paris;42;prev.a@cramif.example.fr;1 200;400;2025",
            f"{S2[:3]} {S2[3:6]} {S2[6:9]} {S2[9:]};Hôtel Delta;carsat_hdf;delta@example.fr;;;;;;;;",
        ],
    )
    out, err = run_import(path)
    assert "2 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    assert err == ""
    gamma = Establishment.objects.select_related("caisse").get(siret=S1)
    assert gamma.name == "Menuiserie Gamma"
    assert gamma.caisse.code == "CRAMIF"
    assert gamma.preventeur == preventeur_a
    assert (gamma.days_lost_tms, gamma.days_lost_lumbago, gamma.figures_year) == (1200, 400, 2025)
    assert gamma.headcount == 42 and gamma.postcode == "75011"
    assert gamma.account.username == S1
    assert gamma.account.email == "contact@gamma.fr"
    assert gamma.account.kind == User.Kind.ESTABLISHMENT
    assert not gamma.account.has_usable_password()
    assert gamma.account.activated_at is None and gamma.account.activation_sent_at is None
    assert Establishment.objects.get(siret=S2).caisse.code == "CARSAT_HDF"


def test_csv_with_commas_and_no_bom_in_any_column_order(tmp_path, db):
    path = write_csv(
        tmp_path,
        ["email,caisse,raison_sociale,siret", f"a@example.fr,CRAMIF,Alpha,{S1}"],
        bom=False,
    )
    out, _ = run_import(path)
    assert "1 créé(s)" in out
    assert Establishment.objects.get(siret=S1).name == "Alpha"


def test_xlsx_first_sheet_is_imported_with_numeric_cells(tmp_path, db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SIRET", "Raison_Sociale", "caisse", "email", "code_postal", "jours_perdus_tms"])
    sheet.append([int(S1), "Atelier Epsilon", "CRAMIF", "eps@example.fr", 1000, 250])
    workbook.create_sheet("Autre").append(["rien"])
    path = tmp_path / "etablissements.xlsx"
    workbook.save(path)
    out, _ = run_import(path)
    assert "1 créé(s)" in out
    epsilon = Establishment.objects.get(siret=S1)
    assert (epsilon.postcode, epsilon.days_lost_tms) == ("01000", 250)


def test_invalid_lines_are_reported_with_line_and_column_and_nothing_is_imported(tmp_path, db):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            f"{S1};Valide;CRAMIF;ok@example.fr;;;;;;;;",
            "12345678901234;Mauvais SIRET;CRAMIF;ok@example.fr;;;;;;;;",
            f"{S2};Mauvaise caisse;CARSAT_PARIS;ok@example.fr;;;;;;;;",
            f"{S3};Mauvais e-mail;CRAMIF;pas-une-adresse;;;;;;;;",
            f"{make_siret(4)};Mauvais nombre;CRAMIF;ok@example.fr;;;;douze;;abc;;",
            f"{make_siret(5)};Mauvais préventeur;CRAMIF;ok@example.fr;;;;;inconnu@example.fr;;;",
            f"{S1};Doublon;CRAMIF;ok@example.fr;;;;;;;;",
        ],
    )
    with pytest.raises(
        CommandError, match="6 ligne\\(s\\) invalide\\(s\\) : aucun établissement importé"
    ):
        run_import(path)
    assert Establishment.objects.count() == 0
    assert User.objects.filter(kind=User.Kind.ESTABLISHMENT).count() == 0


def test_invalid_line_messages_are_plain_french(tmp_path, db, capsys):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "12345678901234;Mauvais SIRET;CRAMIF;ok@example.fr;;;;;;;;",
            f"{S2};Mauvaise caisse;CARSAT_PARIS;ok@example.fr;;;;;;;;",
            f"{S3};Mauvais e-mail;CRAMIF;pas-une-adresse;;;;;;;;",
            f"{make_siret(4)};Mauvais nombre;CRAMIF;ok@example.fr;;;;douze;;abc;;",
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_establishments", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "ligne 2 : SIRET 12345678901234 invalide (clé de contrôle)" in lines
    assert "ligne 3 : caisse « CARSAT_PARIS » inconnue (colonne caisse)" in lines
    assert "ligne 4 : adresse e-mail « pas-une-adresse » invalide (colonne email)" in lines
    assert "ligne 5 : nombre « douze » invalide, entier positif attendu (colonne effectif)" in lines
    assert (
        "ligne 5 : nombre « abc » invalide, entier positif attendu (colonne jours_perdus_tms)"
        in lines
    )


def test_preventeur_of_another_caisse_is_refused(tmp_path, preventeur_b):
    path = write_csv(
        tmp_path, [HEADER, f"{S1};Gamma;CRAMIF;ok@example.fr;;;;;prev.b@carsat.example.fr;;;"]
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_establishments", str(path), stdout=io.StringIO(), stderr=err)
    assert "n'appartient pas à la caisse CRAMIF (colonne preventeur_email)" in err.getvalue()


def test_missing_required_column_is_an_error(tmp_path, db):
    path = write_csv(tmp_path, ["siret;raison_sociale;caisse", f"{S1};Gamma;CRAMIF"])
    with pytest.raises(
        CommandError, match="Colonne\\(s\\) obligatoire\\(s\\) absente\\(s\\) : email"
    ):
        run_import(path)


def test_dry_run_counts_without_writing(tmp_path, establishment_a):
    path = write_csv(
        tmp_path,
        [
            "siret;raison_sociale;caisse;email",
            f"{S1};Gamma;CRAMIF;g@example.fr",
            f"{establishment_a.siret};Ateliers Alpha renommés;CRAMIF;a@example.fr",
        ],
    )
    out, _ = run_import(path, "--dry-run")
    assert "rien n'est enregistré" in out
    assert "1 créé(s), 1 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    assert not Establishment.objects.filter(siret=S1).exists()
    establishment_a.refresh_from_db()
    assert establishment_a.name == "Ateliers Alpha"


def test_skip_invalid_imports_valid_lines_and_lists_the_others(tmp_path, db):
    path = write_csv(
        tmp_path,
        [
            "siret;raison_sociale;caisse;email",
            f"{S1};Gamma;CRAMIF;g@example.fr",
            "12345678901234;Mauvais;CRAMIF;m@example.fr",
            f"{S2};Delta;CRAMIF;d@example.fr",
        ],
    )
    out, err = run_import(path, "--skip-invalid")
    assert "2 créé(s), 0 mis à jour, 0 inchangé(s), 1 rejeté(s)" in out
    assert "ligne 3 : SIRET 12345678901234 invalide (clé de contrôle)" in err
    assert set(Establishment.objects.values_list("siret", flat=True)) == {S1, S2}


def test_reimport_updates_without_duplicating_and_keeps_password_and_activation(
    tmp_path, establishment_a, preventeur_a
):
    from django.utils import timezone

    from conftest import PASSWORD

    user = establishment_a.account
    user.activated_at = user.activation_sent_at = timezone.now()
    user.save()
    first = write_csv(
        tmp_path,
        [
            "siret;raison_sociale;caisse;email;adresse;jours_perdus_tms;preventeur_email",
            f"{establishment_a.siret};Ateliers Alpha;CRAMIF;autre@example.fr;9 rue Neuve;300;",
            f"{S1};Gamma;CRAMIF;g@example.fr;1 rue Basse;10;prev.a@cramif.example.fr",
        ],
    )
    out, _ = run_import(first)
    assert "1 créé(s), 1 mis à jour, 0 inchangé(s), 0 rejeté(s)" in out
    out, _ = run_import(first)
    assert "0 créé(s), 0 mis à jour, 2 inchangé(s), 0 rejeté(s)" in out

    assert Establishment.objects.count() == 2
    establishment_a.refresh_from_db()
    assert (establishment_a.address, establishment_a.days_lost_tms) == ("9 rue Neuve", 300)
    assert establishment_a.preventeur is None
    assert establishment_a.days_lost_lumbago == 473  # column absent from the file: untouched
    assert establishment_a.head_last_name == "Martin"  # "Mon profil" is the establishment's
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.activated_at is not None and user.activation_sent_at is not None
    assert user.email == f"contact-{establishment_a.siret}@example.fr"


def test_import_of_many_lines_uses_a_constant_number_of_queries(
    tmp_path, db, django_assert_max_num_queries
):
    lines = ["siret;raison_sociale;caisse;email"] + [
        f"{make_siret(n)};Établissement {n};CRAMIF;e{n}@example.fr" for n in range(300)
    ]
    path = write_csv(tmp_path, lines)
    with django_assert_max_num_queries(20):
        out, _ = run_import(path)
    assert "300 créé(s)" in out


def test_reimport_moving_an_establishment_to_another_caisse_drops_the_former_preventeur(
    tmp_path, establishment_a
):
    assert establishment_a.preventeur is not None  # of the Cramif
    path = write_csv(
        tmp_path,
        [
            "siret;raison_sociale;caisse;email",
            f"{establishment_a.siret};Ateliers Alpha;CARSAT_HDF;a@example.fr",
        ],
    )
    run_import(path)
    establishment_a.refresh_from_db()
    assert establishment_a.caisse.code == "CARSAT_HDF"
    assert establishment_a.preventeur is None


def test_the_admin_refuses_a_preventeur_of_another_caisse(establishment_a, preventeur_b):
    from django.core.exceptions import ValidationError

    establishment_a.preventeur = preventeur_b
    with pytest.raises(ValidationError) as error:
        establishment_a.full_clean()
    assert "preventeur" in error.value.message_dict
