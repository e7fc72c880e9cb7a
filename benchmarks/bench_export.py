"""The export of one establishment ("EXPORTER LES DONNÉES SAISIES") takes under a second.

A fully answered programme, every block's three voices with ten versions
each, five documents per question accepting files, and 200 other
establishments around it; the export is timed five times.
"""

import io
import statistics
import time

BUDGET_SECONDS = 1.0


def main() -> None:
    from django.core.management import call_command
    from django.db import transaction

    call_command("load_parcours", "--no-templates", stdout=io.StringIO())
    with transaction.atomic():
        establishment = populate()
        timings = time_export(establishment)
        transaction.set_rollback(True)
    median = statistics.median(timings)
    print(
        f"   export xlsx d'un établissement : médiane {median * 1000:.0f} ms, "
        f"pire {max(timings) * 1000:.0f} ms (budget {BUDGET_SECONDS * 1000:.0f} ms)"
    )
    if max(timings) > BUDGET_SECONDS:
        raise SystemExit(f"bench_export: au-delà du budget de {BUDGET_SECONDS} s")


def populate():
    from accounts.models import User
    from attachments.models import Attachment
    from parcours.models import Answer, Comment, Question
    from profiles.models import Caisse, Establishment, Membership

    caisse, _ = Caisse.objects.get_or_create(
        code="BENCH", defaults={"name": "Caisse de test", "region": "Test"}
    )
    users = User.objects.bulk_create(
        User(username=f"{index:014d}", password="!") for index in range(201)
    )
    establishments = Establishment.objects.bulk_create(
        Establishment(siret=f"{index:014d}", name=f"Bench {index}", caisse=caisse)
        for index in range(201)
    )
    Membership.objects.bulk_create(
        Membership(establishment=establishment, user=user, role=Membership.Role.ESTABLISHMENT)
        for establishment, user in zip(establishments, users, strict=True)
    )
    owners = dict(zip([e.pk for e in establishments], users, strict=True))
    establishment, others = establishments[0], establishments[1:]
    questions = list(Question.objects.active())
    answers = []
    for owner in establishments:
        for question in questions:
            codes = list(question.choice_labels)
            value = (
                codes[:2]
                if question.kind == "multiple_choice"
                else (codes[0] if codes else "Réponse détaillée " * 20)
            )
            answers.append(Answer(establishment=owner, question=question, value=value))
    Answer.objects.bulk_create(answers)
    blocks = {question.block_id for question in questions}
    Comment.objects.bulk_create(
        Comment(
            establishment=owner,
            block_id=block_id,
            voice=voice,
            text=f"Version {version} " * 30,
            author=owners[owner.pk],
        )
        for owner in [establishment, *others[:20]]
        for block_id in blocks
        for voice in Comment.Voice.values
        for version in range(10)
    )
    Attachment.objects.bulk_create(
        Attachment(
            establishment=establishment,
            question=question,
            file=f"attachments/bench/{n}",
            original_name=f"document {n}.pdf",
            size=1000,
            content_type="application/pdf",
        )
        for question in questions
        if question.accepts_files
        for n in range(5)
    )
    return establishment


def time_export(establishment) -> list[float]:
    from openpyxl import load_workbook

    from parcours.export import workbook_bytes

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        content = workbook_bytes(establishment)
        timings.append(time.perf_counter() - started)
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.sheetnames) == 5
    return timings


if __name__ == "__main__":
    from benchmarks.run import setup_django

    setup_django()
    main()
