"""Choices stored by code; number questions say whole or decimal, with bounds.

Question.choices was a list of labels and answers stored the label: each
question's choices become [{"code", "label"}], each answer's label(s) the
code(s). The codes of today's labels are those of parcours.yaml (the table
below, frozen here), so loading the content afterwards changes no code; any
other label gets its slug. An answer whose label is no longer among the
choices keeps its value (it was already orphaned; it is shown as is).
"""

from django.db import migrations, models
from django.utils.text import slugify

# The labels of parcours.yaml when choices moved to codes, and their codes.
KNOWN_CODES = {
    "Arrêts de travail": "arrets",
    "Restrictions d'aptitude ou inaptitudes": "restrictions",
    "Absentéisme": "absenteisme",
    "Difficultés de recrutement ou rotation du personnel": "recrutement",
    "Baisse de la qualité ou de la productivité": "qualite",
    "Plaintes ou douleurs exprimées par les salariés": "plaintes",
    "Aucune à ce jour": "aucune",
    "Faible": "faible",
    "Modéré": "modere",
    "Important": "important",
    "Je ne sais pas encore": "ne-sait-pas",
    "Un salarié de l'établissement déjà formé": "salarie-forme",
    "Un salarié de l'établissement qui va suivre la formation de personne ressource": (
        "salarie-en-formation"
    ),
    "Un prestataire extérieur": "prestataire",
    "Réunion d'information": "reunion",
    "Affichage ou note de service": "affichage",
    "Présentation au CSE": "cse",
    "Entretiens individuels": "entretiens",
    "Journal ou intranet de l'entreprise": "journal",
    "Pas encore informés": "pas-encore",
    "Efforts physiques, manutentions, ports de charge": "efforts",
    "Gestes répétitifs": "gestes",
    "Postures contraignantes": "postures",
    "Vibrations ou chocs": "vibrations",
    "Exposition au froid": "froid",
    "Contraintes de temps, cadences": "cadences",
    "Organisation du travail, facteurs psychosociaux": "organisation",
    "Solutions techniques (aménagement de poste, aides à la manutention)": "techniques",
    "Solutions organisationnelles (rotation, pauses, répartition des tâches)": (
        "organisationnelles"
    ),
    "Formations": "formations",
    "En baisse": "baisse",
    "Stables": "stables",
    "En hausse": "hausse",
    "Trop tôt pour le dire": "trop-tot",
}
CHOICE_KINDS = ("single_choice", "multiple_choice")


def code_for(label: str) -> str:
    return KNOWN_CODES.get(label) or slugify(label)[:40].strip("-") or "choix"


def coded_choices(labels) -> list[dict]:
    """["Faible", "Modéré"] -> [{"code": "faible", "label": "Faible"}, …], codes unique.

    Entries already coded are kept as they are.
    """
    choices, taken = [], set()
    for item in labels:
        if isinstance(item, dict):
            choices.append(item)
            taken.add(item.get("code"))
            continue
        label = str(item)
        code = base = code_for(label)
        suffix = 2
        while code in taken:
            code, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(code)
        choices.append({"code": code, "label": label})
    return choices


def recode(value, mapping: dict):
    """A stored answer with each value of `mapping` replaced (labels <-> codes)."""
    if isinstance(value, list):
        return [mapping.get(v, v) if isinstance(v, str) else v for v in value]
    if isinstance(value, str):
        return mapping.get(value, value)
    return value


def forward(apps, schema_editor):
    Question = apps.get_model("parcours", "Question")
    Answer = apps.get_model("parcours", "Answer")
    codes_by_question = {}
    for question in Question.objects.all():
        if not isinstance(question.choices, list) or not question.choices:
            continue
        choices = coded_choices(question.choices)
        if choices != question.choices:
            question.choices = choices
            question.save(update_fields=["choices"])
        if question.kind in CHOICE_KINDS:
            codes_by_question[question.pk] = {c["label"]: c["code"] for c in choices}
    _recode_answers(Answer, codes_by_question)


def backward(apps, schema_editor):
    Question = apps.get_model("parcours", "Question")
    Answer = apps.get_model("parcours", "Answer")
    labels_by_question = {}
    for question in Question.objects.all():
        if not isinstance(question.choices, list) or not question.choices:
            continue
        coded = [c for c in question.choices if isinstance(c, dict)]
        question.choices = [c.get("label", c.get("code")) if isinstance(c, dict) else c
                            for c in question.choices]
        question.save(update_fields=["choices"])
        if question.kind in CHOICE_KINDS:
            labels_by_question[question.pk] = {c.get("code"): c.get("label") for c in coded}
    _recode_answers(Answer, labels_by_question)


def _recode_answers(Answer, mappings: dict) -> None:
    changed = []
    for answer in Answer.objects.filter(question_id__in=list(mappings)):
        value = recode(answer.value, mappings[answer.question_id])
        if value != answer.value:
            answer.value = value
            changed.append(answer)
    # bulk_update leaves updated_at alone: converting is not answering.
    Answer.objects.bulk_update(changed, ["value"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("parcours", "0002_question_guidance"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="number_kind",
            field=models.CharField(
                choices=[("integer", "Nombre entier"), ("decimal", "Nombre décimal")],
                default="decimal",
                max_length=10,
                verbose_name="type de nombre",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="min_value",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                default=0,
                help_text="Pour une question de type nombre ; vide : pas de minimum.",
                max_digits=12,
                null=True,
                verbose_name="valeur minimale",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="max_value",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Pour une question de type nombre ; vide : pas de maximum.",
                max_digits=12,
                null=True,
                verbose_name="valeur maximale",
            ),
        ),
        migrations.AlterField(
            model_name="question",
            name="choices",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Une liste de {"code": "faible", "label": "Faible"}. Le code est '
                "stable (les réponses l'enregistrent) : reformulez le libellé, pas le code.",
                verbose_name="choix proposés",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
