"""The workbooks the programme offers on question Q8, built with openpyxl.

The TMS dashboard: an instructions sheet, one sheet per year with the
indicators a dashboard follows, rates computed by real formulas (so the
establishment's own figures update them), and a summary across years. The
same builder writes the blank template and a filled example.
"""

from io import BytesIO

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

BLUE = "0C419A"
INPUT_FILL = PatternFill("solid", fgColor="FFF4D6")
RATE_FILL = PatternFill("solid", fgColor="E3ECFA")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
THIN = Side(style="thin", color="B0B7C3")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")

# (key, label, unit/help). Inputs are typed by the establishment.
INPUTS = [
    ("headcount", "Effectif moyen annuel", "salariés"),
    ("hours", "Heures travaillées dans l'année", "heures"),
    ("workdays", "Jours travaillés théoriques par salarié", "jours (218 par défaut)"),
    (
        "mp57",
        "Maladies professionnelles reconnues – tableau 57 (affections périarticulaires)",
        "nombre",
    ),  # noqa: E501
    ("mp69", "Maladies professionnelles reconnues – tableau 69 (vibrations et chocs)", "nombre"),
    (
        "mp79",
        "Maladies professionnelles reconnues – tableau 79 (lésions chroniques du ménisque)",
        "nombre",
    ),  # noqa: E501
    (
        "mp97",
        "Maladies professionnelles reconnues – tableau 97 (lombalgies, vibrations du corps entier)",
        "nombre",
    ),  # noqa: E501
    (
        "mp98",
        "Maladies professionnelles reconnues – tableau 98 (lombalgies, charges lourdes)",
        "nombre",
    ),  # noqa: E501
    ("days_mp", "Journées perdues liées aux maladies professionnelles TMS", "jours"),
    ("at_lumbago", "Accidents du travail à l'origine de lombalgies", "nombre"),
    ("days_at", "Journées perdues liées à ces accidents du travail", "jours"),
    ("absence_days", "Journées d'absence, toutes causes", "jours"),
    ("hires", "Entrées dans l'année (embauches)", "salariés"),
    ("departures", "Sorties dans l'année (départs)", "salariés"),
    ("restrictions", "Salariés avec restrictions d'aptitude médicale", "salariés"),
    ("unfit", "Salariés déclarés inaptes", "salariés"),
    ("free1", "Indicateur libre n° 1 (à nommer, ex. : postes aménagés)", "valeur"),
    ("free2", "Indicateur libre n° 2 (à nommer, ex. : salariés formés PRAP)", "valeur"),
]
FIRST_ROW = 5


def cell(key: str) -> str:
    return f"C{FIRST_ROW + [k for k, *_ in INPUTS].index(key)}"


def rates() -> list[tuple[str, str, str]]:
    """(label, formula, unit) of the computed indicators."""
    c = cell
    fte = settings.FTE_DAYS_DIVISOR
    mp_total = f"SUM({c('mp57')}:{c('mp98')})"
    return [
        ("Total des maladies professionnelles TMS reconnues", f"={mp_total}", "nombre"),
        (
            "Indice de fréquence des MP TMS (pour 1 000 salariés)",
            f'=IF({c("headcount")}>0,{mp_total}/{c("headcount")}*1000,"")',
            "‰",
        ),
        (
            "Journées perdues TMS en équivalents temps plein",
            f'=IF({c("days_mp")}="","",ROUND({c("days_mp")}/{fte},1))',
            "ETP",
        ),
        (
            "Taux de fréquence des AT lombalgies (par million d'heures)",
            f'=IF({c("hours")}>0,{c("at_lumbago")}/{c("hours")}*1000000,"")',
            "",
        ),
        (
            "Taux de gravité des AT lombalgies (jours pour 1 000 heures)",
            f'=IF({c("hours")}>0,{c("days_at")}/{c("hours")}*1000,"")',
            "",
        ),
        (
            "Journées perdues lombalgies en équivalents temps plein",
            f'=IF({c("days_at")}="","",ROUND({c("days_at")}/{fte},1))',
            "ETP",
        ),
        (
            "Taux d'absentéisme",
            f'=IF({c("headcount")}*{c("workdays")}>0,{c("absence_days")}/({c("headcount")}*{c("workdays")}),"")',  # noqa: E501
            "%",
        ),
        (
            "Taux de rotation du personnel",
            f'=IF({c("headcount")}>0,({c("hires")}+{c("departures")})/2/{c("headcount")},"")',
            "%",
        ),
        (
            "Part des salariés avec restrictions d'aptitude",
            f'=IF({c("headcount")}>0,{c("restrictions")}/{c("headcount")},"")',
            "%",
        ),
        (
            "Part des salariés déclarés inaptes",
            f'=IF({c("headcount")}>0,{c("unfit")}/{c("headcount")},"")',
            "%",
        ),
    ]


INSTRUCTIONS = [
    "Tableau de bord TMS – mode d'emploi",
    "",
    "Ce classeur vous aide à suivre, chaque année, l'impact des troubles musculo-squelettiques "
    "(TMS) et du mal de dos dans votre établissement.",
    "1. Ouvrez l'onglet de l'année et saisissez vos chiffres dans les cellules jaunes "
    "(sources : compte employeur AT/MP sur net-entreprises.fr, service RH, service de "
    "prévention et de santé au travail).",
    "2. Les taux (cellules bleues) se calculent seuls : ne les modifiez pas.",
    "3. Nommez et renseignez au moins deux indicateurs libres qui reflètent votre démarche "
    "(postes aménagés, salariés formés, remontées de situations à risque…).",
    "4. L'onglet « Évolution » compare les années : il montre l'effet de vos actions.",
    "5. Enregistrez le classeur et déposez-le sur la question Q8 de votre parcours "
    "(bouton « Parcourir », puis « Enregistrer »).",
    "",
    "Tableaux de maladies professionnelles suivis : 57 (affections périarticulaires), "
    "69 (vibrations et chocs), 79 (ménisque), 97 et 98 (lombalgies).",
    f"Un équivalent temps plein correspond ici à {settings.FTE_DAYS_DIVISOR} journées.",
]


def dashboard_workbook(years, values=None, *, establishment_name: str = "") -> Workbook:
    """The dashboard for `years`; `values` maps year -> {input key: number} (example)."""
    values = values or {}
    workbook = Workbook()
    intro = workbook.active
    intro.title = "Mode d'emploi"
    intro.column_dimensions["A"].width = 110
    for row, text in enumerate(INSTRUCTIONS, start=1):
        intro.cell(row=row, column=1, value=text).alignment = WRAP
    intro["A1"].font = Font(bold=True, size=14, color=BLUE)

    for year in years:
        sheet = workbook.create_sheet(str(year))
        sheet["A1"] = f"Tableau de bord TMS – année {year}"
        sheet["A1"].font = Font(bold=True, size=14, color=BLUE)
        sheet["A2"] = "Établissement :"
        sheet["B2"] = establishment_name or None
        sheet["B2"].fill = INPUT_FILL
        for column, title in zip("ABCD", ["", "Indicateur", "Valeur", "Unité"], strict=True):
            header = sheet[f"{column}4"]
            header.value = title or "N°"
            header.font, header.fill = HEADER_FONT, HEADER_FILL
        for index, (key, label, unit) in enumerate(INPUTS):
            row = FIRST_ROW + index
            sheet[f"A{row}"] = index + 1
            sheet[f"B{row}"] = label
            value = values.get(year, {}).get(key)
            if key == "workdays" and value is None:
                value = 218
            sheet[f"C{row}"] = value
            sheet[f"C{row}"].fill = INPUT_FILL
            sheet[f"D{row}"] = unit
        row = FIRST_ROW + len(INPUTS) + 1
        sheet[f"B{row}"] = "Indicateurs calculés"
        sheet[f"B{row}"].font = Font(bold=True, color=BLUE)
        for label, formula, unit in rates():
            row += 1
            sheet[f"B{row}"] = label
            sheet[f"C{row}"] = formula
            sheet[f"C{row}"].fill = RATE_FILL
            sheet[f"C{row}"].number_format = "0.0%" if unit == "%" else "0.00"
            sheet[f"D{row}"] = "" if unit == "%" else unit
        for row_cells in sheet.iter_rows(min_row=4, max_row=row, min_col=1, max_col=4):
            for item in row_cells:
                item.border = BORDER
                item.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions["A"].width = 5
        sheet.column_dimensions["B"].width = 70
        sheet.column_dimensions["C"].width = 16
        sheet.column_dimensions["D"].width = 22
        sheet.freeze_panes = "A5"

    summary = workbook.create_sheet("Évolution")
    summary["A1"] = "Évolution des indicateurs d'une année à l'autre"
    summary["A1"].font = Font(bold=True, size=14, color=BLUE)
    summary["A3"] = "Indicateur"
    for offset, year in enumerate(years):
        summary.cell(row=3, column=2 + offset, value=str(year))
    for header in summary[3]:
        header.font, header.fill = HEADER_FONT, HEADER_FILL
    first_rate_row = FIRST_ROW + len(INPUTS) + 2
    for index, (label, _formula, unit) in enumerate(rates()):
        row = 4 + index
        summary.cell(row=row, column=1, value=label)
        for offset, year in enumerate(years):
            target = summary.cell(
                row=row, column=2 + offset, value=f"='{year}'!C{first_rate_row + index}"
            )
            target.number_format = "0.0%" if unit == "%" else "0.00"
    summary.column_dimensions["A"].width = 62
    for offset in range(len(years)):
        summary.column_dimensions[chr(ord("B") + offset)].width = 14
    return workbook


EXAMPLE_VALUES = {
    2023: {"headcount": 212, "hours": 318_400, "mp57": 4, "mp69": 0, "mp79": 1, "mp97": 0,
           "mp98": 2, "days_mp": 684, "at_lumbago": 6, "days_at": 412, "absence_days": 2_870,
           "hires": 31, "departures": 27, "restrictions": 14, "unfit": 3, "free1": 4, "free2": 12},
    2024: {"headcount": 218, "hours": 326_900, "mp57": 3, "mp69": 0, "mp79": 0, "mp97": 0,
           "mp98": 2, "days_mp": 521, "at_lumbago": 5, "days_at": 355, "absence_days": 2_640,
           "hires": 26, "departures": 22, "restrictions": 12, "unfit": 2, "free1": 9, "free2": 31},
    2025: {"headcount": 221, "hours": 331_200, "mp57": 2, "mp69": 0, "mp79": 0, "mp97": 0,
           "mp98": 1, "days_mp": 169, "at_lumbago": 3, "days_at": 173, "absence_days": 2_310,
           "hires": 19, "departures": 17, "restrictions": 9, "unfit": 1, "free1": 15, "free2": 58},
}  # fmt: skip

QUIZ = [
    (
        "Manutention des patients",
        "Les soignants disposent-ils de lève-personnes en nombre suffisant ?",
    ),  # noqa: E501
    (
        "Manutention des patients",
        "Des draps de glisse ou guidons de transfert sont-ils disponibles dans chaque unité ?",
    ),  # noqa: E501
    ("Manutention des patients", "Les lits sont-ils réglables en hauteur électriquement ?"),
    ("Organisation", "Les transferts difficiles sont-ils réalisés à deux ?"),
    ("Organisation", "Le temps de soins tient-il compte du degré de dépendance des patients ?"),
    (
        "Organisation",
        "Les remplacements sont-ils anticipés pour éviter le travail en sous-effectif ?",
    ),  # noqa: E501
    (
        "Formation",
        "Les soignants sont-ils formés à l'accompagnement de la mobilité (ALM, PRAP 2S) ?",
    ),  # noqa: E501
    ("Formation", "Un animateur prévention est-il désigné dans l'établissement ?"),
    ("Locaux", "Les chambres et salles de bains permettent-elles l'usage des aides techniques ?"),
    ("Locaux", "Les chariots (linge, repas, soins) sont-ils légers et faciles à pousser ?"),
    ("Suivi", "Les douleurs signalées par le personnel sont-elles recensées et analysées ?"),
    ("Suivi", "Les arrêts pour TMS ou lombalgies sont-ils suivis dans le tableau de bord ?"),
]


def quiz_workbook() -> Workbook:
    """A short self-assessment for the health and social sector, scored by formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Quiz"
    sheet["A1"] = "Quiz secteur sanitaire et social – prévention des TMS"
    sheet["A1"].font = Font(bold=True, size=14, color=BLUE)
    sheet["A2"] = (
        "Répondez « Oui » ou « Non » à chaque question. Chaque « Non » est une piste "
        "d'action à reporter dans votre tableau de bord et votre plan d'actions."
    )
    sheet["A2"].alignment = WRAP
    sheet.merge_cells("A2:D2")
    sheet.row_dimensions[2].height = 32
    for column, title in zip("ABCD", ["Thème", "Question", "Réponse", "Piste"], strict=True):
        sheet[f"{column}4"] = title
        sheet[f"{column}4"].font, sheet[f"{column}4"].fill = HEADER_FONT, HEADER_FILL
    answers = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True)
    answers.error = "Répondez « Oui » ou « Non »."
    sheet.add_data_validation(answers)
    for index, (theme, question) in enumerate(QUIZ):
        row = 5 + index
        sheet[f"A{row}"], sheet[f"B{row}"] = theme, question
        sheet[f"C{row}"].fill = INPUT_FILL
        answers.add(f"C{row}")
        sheet[f"D{row}"] = f'=IF(C{row}="Non","À améliorer",IF(C{row}="Oui","Acquis",""))'
    last = 4 + len(QUIZ)
    sheet[f"B{last + 2}"] = "Réponses « Oui »"
    sheet[f"C{last + 2}"] = f'=COUNTIF(C5:C{last},"Oui")'
    sheet[f"B{last + 3}"] = "Score"
    sheet[f"C{last + 3}"] = f'=IF(COUNTA(C5:C{last})>0,C{last + 2}/{len(QUIZ)},"")'
    sheet[f"C{last + 3}"].number_format = "0%"
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 80
    sheet.column_dimensions["C"].width = 12
    sheet.column_dimensions["D"].width = 16
    sheet.freeze_panes = "A5"
    return workbook


def to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
