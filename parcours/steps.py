"""The read model of a step: what an establishment's step holds, for any reader.

`load_step` reads and never writes: displaying a step creates no row, so the
establishment's page, the conflict page and the back office share it. Every
collection is loaded in a fixed number of queries, whatever the amount of data,
and a bounded amount of it: of each voice's comment, the current version and
the EARLIER_SHOWN latest earlier ones (the rest is on its history page).
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber

from attachments.models import Attachment, QuestionTemplate
from attachments.services import used_bytes

from .kinds import display_value
from .models import Answer, Block, Comment, Question, StepProgress

# Earlier versions of a voice's comment shown with it; its history page lists them all.
EARLIER_SHOWN = 3


def author_label(user, establishment) -> str:
    """Who wrote a comment or deposited a document, as the pages and the export show it."""
    if user is None:
        return "compte supprimé"
    if establishment.is_own_account(user):
        return establishment.name
    return user.get_full_name() or user.username


@dataclass
class QuestionRow:
    """A question of the step with its answer and its documents."""

    question: Question
    answer: Answer | None
    documents: list  # the establishment's Attachments, newest first
    templates: list  # QuestionTemplates offered on the question

    @property
    def value(self):
        return self.answer.value if self.answer is not None else None

    @property
    def display(self) -> str:
        """The answer in words (choices by their labels, dates in French)."""
        return display_value(self.question, self.value)

    @property
    def answered(self) -> bool:
        return self.question.kind_definition.is_answered(
            self.question, self.value, has_documents=bool(self.documents)
        )


@dataclass
class BlockRow:
    """A block with its questions and the latest versions of the three voices' comments."""

    block: Block
    questions: list  # QuestionRow
    comments: dict  # voice -> [Comment], newest first: the current one, EARLIER_SHOWN earlier
    establishment: object = None

    def current(self, voice) -> Comment | None:
        versions = self.comments.get(voice)
        return versions[0] if versions else None

    def earlier(self, voice) -> list:
        return self.comments.get(voice, [])[1:]

    @cached_property
    def earlier_count(self) -> dict:
        """How many earlier versions each voice's comment has, shown or not."""
        return {
            voice.value: max(0, self.current(voice).versions - 1) if self.current(voice) else 0
            for voice in Comment.Voice
        }

    @cached_property
    def more_earlier(self) -> dict:
        """Each voice: whether it has earlier versions beyond those shown (see its history)."""
        return {
            voice.value: self.earlier_count[voice.value] > len(self.earlier(voice))
            for voice in Comment.Voice
        }

    def shown(self, comment) -> dict:
        """A comment as the pages show it: its text, who wrote it, when."""
        return {
            "text": comment.text,
            "author": author_label(comment.author, self.establishment),
            "created_at": comment.created_at,
        }

    @cached_property
    def voices(self) -> dict:
        """The current comment of each voice ("establishment", "representatives",
        "caisse"), None when it has none or it was emptied."""
        voices = {}
        for voice in Comment.Voice:
            current = self.current(voice)
            voices[voice.value] = self.shown(current) if current and current.text else None
        return voices

    @cached_property
    def earlier_by_voice(self) -> dict:
        """Earlier versions of each voice's comment, newest first, as shown."""
        return {
            voice.value: [self.shown(c) for c in self.earlier(voice)] for voice in Comment.Voice
        }

    @property
    def earlier_comments(self) -> list:
        """Earlier versions of the establishment's comment, newest first."""
        return [self.shown(c) for c in self.earlier(Comment.Voice.ESTABLISHMENT)]


@dataclass
class StepData:
    """Everything an establishment's step holds, loaded in a fixed number of queries."""

    establishment: object
    step: object
    progress: StepProgress  # unsaved (version 0, "À compléter") before the first save
    blocks: list  # BlockRow
    used_bytes: int = 0  # the establishment's documents, all steps together
    rows: dict = field(default_factory=dict)  # question id -> QuestionRow

    def __post_init__(self):
        self.rows = {row.question.pk: row for block in self.blocks for row in block.questions}

    @property
    def questions(self) -> list:
        return [row.question for row in self.rows.values()]

    @property
    def answers(self) -> dict:
        """question id -> Answer, for the answered questions."""
        return {pk: row.answer for pk, row in self.rows.items() if row.answer is not None}

    @property
    def values(self) -> dict:
        return {pk: row.value for pk, row in self.rows.items() if row.answer is not None}

    @property
    def documents(self) -> set:
        """The ids of the questions holding at least one document."""
        return {pk for pk, row in self.rows.items() if row.documents}

    @property
    def comments(self) -> dict:
        """(block id, voice) -> the current Comment of that voice."""
        current = {}
        for block in self.blocks:
            for voice in Comment.Voice:
                comment = block.current(voice)
                if comment is not None:
                    current[(block.block.pk, voice)] = comment
        return current

    @property
    def takes_files(self) -> bool:
        return any(row.question.takes_files for row in self.rows.values())

    def author(self, user) -> str:
        return author_label(user, self.establishment)


def saved_progress(establishment, step) -> StepProgress:
    """The establishment's progress row on `step`, or an unsaved one (nothing written)."""
    progress = (
        StepProgress.objects.filter(establishment=establishment, step=step)
        .select_related("seen_by_representatives")
        .first()
    )
    if progress is None:
        progress = StepProgress(establishment=establishment, step=step)
    progress.establishment, progress.step = establishment, step  # already loaded
    return progress


def latest_comments(establishment, blocks, *, earlier=EARLIER_SHOWN) -> dict:
    """{block id: {voice: [Comment]}}, in one query whatever the number of versions:
    of each voice's comment on `blocks`, the current version and up to `earlier`
    earlier ones, newest first, each with `.versions` (how many the voice holds)."""
    voice_of_block = [F("block_id"), F("voice")]
    latest = (
        Comment.objects.filter(establishment=establishment, block__in=blocks)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=voice_of_block,
                order_by=[F("created_at").desc(), F("pk").desc()],
            ),
            versions=Window(Count("pk"), partition_by=voice_of_block),
        )
        .filter(position__lte=earlier + 1)
        .select_related("author")
        .order_by("block_id", "voice", "position")
    )
    comments = {}
    for comment in latest:
        comments.setdefault(comment.block_id, {}).setdefault(comment.voice, []).append(comment)
    return comments


def load_step(establishment, step, progress=None) -> StepData:
    """Blocks, active questions, answers, comments (the latest versions) and documents of a step."""
    questions = (
        Question.objects.active()
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(establishment=establishment)
                .select_related("uploaded_by")
                .order_by("-uploaded_at", "-pk"),
                to_attr="documents",
            ),
            Prefetch(
                "templates",
                queryset=QuestionTemplate.objects.order_by("order", "pk"),
                to_attr="document_templates",
            ),
        )
    )
    blocks = list(
        Block.objects.filter(step=step, retired_at__isnull=True)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("questions", queryset=questions, to_attr="active_questions"))
    )
    question_ids = [q.pk for block in blocks for q in block.active_questions]
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(establishment=establishment, question__in=question_ids)
    }
    comments = latest_comments(establishment, [b.pk for b in blocks])
    rows = [
        BlockRow(
            block=block,
            questions=[
                QuestionRow(
                    question=question,
                    answer=answers.get(question.pk),
                    documents=question.documents,
                    templates=question.document_templates,
                )
                for question in block.active_questions
            ],
            comments=comments.get(block.pk, {}),
            establishment=establishment,
        )
        for block in blocks
    ]
    data = StepData(
        establishment=establishment,
        step=step,
        progress=progress if progress is not None else saved_progress(establishment, step),
        blocks=rows,
    )
    if data.takes_files:
        data.used_bytes = used_bytes(establishment)
    return data


# --- A voice's whole comment history (the step page shows the latest few) ----
HISTORY_VOICES = {
    "etablissement": Comment.Voice.ESTABLISHMENT,
    "cse": Comment.Voice.REPRESENTATIVES,
    "caisse": Comment.Voice.CAISSE,
}
HISTORY_PER_PAGE = 20


def comment_history(establishment, block, voice: str, page_number) -> dict:
    """One page of every version of a voice's comment on a block, newest first,
    numbered from the first (1) to the current one; `voice` is its name in the
    address ("etablissement", "cse", "caisse"). The template's context."""
    versions = (
        Comment.objects.filter(
            establishment=establishment, block=block, voice=HISTORY_VOICES[voice]
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(versions, HISTORY_PER_PAGE).get_page(page_number)
    first_number = page.paginator.count - page.start_index() + 1 if page.paginator.count else 0
    return {
        "comment_block": block,  # "block" is a template's own {{ block }}
        "voice_label": HISTORY_VOICES[voice].label,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "ellipsis": Paginator.ELLIPSIS,
        "versions": [
            {
                "number": first_number - index,
                "text": comment.text,
                "author": author_label(comment.author, establishment),
                "created_at": comment.created_at,
            }
            for index, comment in enumerate(page.object_list)
        ],
    }
