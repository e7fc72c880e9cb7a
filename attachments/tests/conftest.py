import pytest

from attachments.models import Attachment
from attachments.tests.files import pdf_bytes, upload
from parcours.models import Block, Question, Step, StepProgress


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    """A new in-memory storage per test, so that stored files can be counted."""
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}


@pytest.fixture
def dashboard_question(db):
    """Step 1 with its dashboard question Q8 (documents only) and a yes/no question."""
    step, _ = Step.objects.get_or_create(
        number=1,
        defaults={
            "short_title": "En quoi suis-je concerné ?",
            "question": "En quoi suis-je concerné par les TMS et les lombalgies ?",
        },
    )
    block = Block.objects.create(step=step, code="T1.1", title="L'état des lieux", order=1)
    Question.objects.create(
        block=block, code="T7", order=1, text="Avez-vous fait un état des lieux ?", kind="yes_no"
    )
    return Question.objects.create(
        block=block,
        code="Q8",
        order=2,
        text="Elaborez votre tableau de bord afin de suivre l'évolution chaque année de "
        "l'impact des TMS et du mal de dos dans votre entreprise.",
        kind=Question.Kind.DOCUMENTS,
        accepts_files=True,
        file_label="Joindre votre tableau de bord",
    )


@pytest.fixture
def progress_a(establishment_a, dashboard_question):
    return StepProgress.objects.create(
        establishment=establishment_a, step=dashboard_question.block.step
    )


def make_attachment(establishment, question, name="tableau de bord.pdf", content=None, **extra):
    attachment = Attachment(
        establishment=establishment,
        question=question,
        original_name=name,
        size=len(content or pdf_bytes()),
        content_type="application/pdf",
        uploaded_by=establishment.account,
        **extra,
    )
    attachment.file.save(name, upload(name, content or pdf_bytes()), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def attachment_a(establishment_a, dashboard_question):
    return make_attachment(establishment_a, dashboard_question, "tableau_de_bord_2025.pdf")


@pytest.fixture
def attachment_b(establishment_b, dashboard_question):
    return make_attachment(establishment_b, dashboard_question, "bilan bêta.pdf")
