from django import forms
from django.conf import settings

from attachments.forms import DocumentsField
from attachments.services import MEGABYTE, Upload, keep_pending, pending_uploads
from attachments.validators import clean_filename
from profiles.permissions import Action, voice_action
from tmspros.text import FreeTextField

from .models import Comment
from .rendering import plain_inputs

COMMENT_MAX_LENGTH = 5000
# The voices written on the step page (the caisse's is written in the back office).
WRITABLE_VOICES = (Comment.Voice.ESTABLISHMENT, Comment.Voice.REPRESENTATIVES)


def _style(field) -> None:
    """Bootstrap classes on the inputs (the template renders them one by one)."""
    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        field.widget.attrs["class"] = "form-check-input"
    else:
        field.widget.attrs["class"] = "form-control"


class StepForm(forms.Form):
    """The whole step: one field per active question, one comment per block, and
    for each question that takes files its documents and their description.

    Only the step's own questions become fields, so a posted key naming
    another question (another step's, or a guessed id) is simply ignored.
    Files are checked by the field (content, size, antivirus) and the
    establishment's space by clean(); saving stores them.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Some thirty fields: their inputs are written without a template each (parcours.rendering).
    default_renderer = plain_inputs

    def __init__(self, step_data, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_data = step_data
        self.permissions = permissions
        self.fields["version"].initial = step_data.progress.version
        answers = Action.ANSWER in permissions
        for row in step_data.rows.values():
            question, kind = row.question, row.question.kind_definition
            field = kind.field(question, row.value)
            if field is not None:
                field.initial = kind.to_initial(question, row.value)
                # Shown to every reader; only those who answer may change it: a
                # disabled field ignores what is posted (a forged POST changes nothing).
                field.disabled = not answers
                _style(field)
                self.fields[self.question_field_name(question)] = field
            if question.takes_files and Action.ADD_DOCUMENT in permissions:
                self.fields[self.files_field_name(question)] = DocumentsField(
                    label=question.file_label or "Joindre un document"
                )
                self.fields[self.description_field_name(question)] = FreeTextField(
                    label="Description du document (facultative)",
                    required=False,
                    max_length=255,
                    widget=forms.TextInput(attrs={"class": "form-control", "maxlength": 255}),
                    error_messages={"max_length": "255 caractères au plus."},
                )
        for block in step_data.blocks:
            for voice in WRITABLE_VOICES:
                if voice_action(voice) not in permissions:
                    continue
                current = block.current(voice)
                self.fields[self.comment_field_name(block.block, voice)] = FreeTextField(
                    label=voice.label,
                    required=False,
                    max_length=COMMENT_MAX_LENGTH,
                    initial=current.text if current else "",
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                    error_messages={
                        "max_length": "Ce commentaire est trop long (%(limit_value)d caractères "
                        "au plus)."
                    },
                )
        self._attach_pending_files()
        if Action.MARK_SEEN in permissions:
            self.fields["seen"] = forms.BooleanField(
                label="Etape vue par CSE / CHSCT / DP",
                required=False,
                initial=step_data.progress.seen_by_representatives_at is not None,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    @property
    def writes_answers(self) -> bool:
        return Action.ANSWER in self.permissions

    @property
    def writes_anything(self) -> bool:
        return any(not field.disabled for name, field in self.fields.items() if name != "version")

    @staticmethod
    def question_field_name(question) -> str:
        return f"q_{question.pk}"

    @staticmethod
    def files_field_name(question) -> str:
        return f"files-{question.code}"

    @staticmethod
    def description_field_name(question) -> str:
        return f"description-{question.code}"

    @staticmethod
    def pending_field_name(question) -> str:
        """The files kept from a refused save, posted back as "prêt à être enregistré"."""
        return f"pending-{question.code}"

    @staticmethod
    def comment_field_name(block, voice=Comment.Voice.ESTABLISHMENT) -> str:
        if voice == Comment.Voice.ESTABLISHMENT:
            return f"comment_{block.pk}"
        return f"comment_{voice}_{block.pk}"

    def clean(self):
        cleaned = super().clean()
        for row in self.step_data.rows.values():
            question = row.question
            name = self.question_field_name(question)
            if name in cleaned:
                cleaned[name] = question.kind_definition.to_json(question, cleaned[name])
        for block in self.step_data.blocks:
            for voice in WRITABLE_VOICES:
                name = self.comment_field_name(block.block, voice)
                if name in cleaned:
                    cleaned[name] = (cleaned[name] or "").strip()
        refused_for_space = self.check_space(cleaned)
        if self.errors:
            self.keep_files(refused_for_space)
        return cleaned

    # --- Files of a refused form ----------------------------------------------------
    def _file_questions(self):
        return [
            row.question
            for row in self.step_data.rows.values()
            if self.files_field_name(row.question) in self.fields
        ]

    def _attach_pending_files(self) -> None:
        """The files this page shows as ready (posted back by their ids) join their field."""
        self.kept_files, self.files_not_kept = [], []
        questions = self._file_questions()
        if not self.is_bound or not questions or not hasattr(self.data, "getlist"):
            return
        ids = [pk for q in questions for pk in self.data.getlist(self.pending_field_name(q))]
        found = pending_uploads(self.step_data.establishment, ids)
        for question in questions:
            self.fields[self.files_field_name(question)].pending = found.get(question.pk, [])

    def keep_files(self, refused_for_space=()) -> None:
        """The form is refused: keep its files that passed the checks, as pending.

        Nothing of the step is saved (nothing half-saved), but the files chosen
        in PARCOURIR are kept for this establishment and question and shown
        "prêt à être enregistré"; the next save stores them. A file refused by
        its checks, or beyond the establishment's space, is not kept: it is
        listed in `files_not_kept`, and the banner says so (error_banner).
        """
        kept_bytes = 0
        for question in self._file_questions():
            name = self.files_field_name(question)
            field = self.fields[name]
            posted = [f for f in self.files.getlist(name) if hasattr(f, "size")]
            accepted = [] if name in refused_for_space else field.accepted
            kept, not_kept = keep_pending(
                establishment=self.step_data.establishment,
                question=question,
                checked_files=accepted,
                kept_bytes=kept_bytes,
            )
            kept_bytes += sum(pending.size for pending in kept)
            field.pending = field.pending + kept
            self.kept_files += kept
            kept_uploads = {id(checked.file) for checked in accepted if checked not in not_kept}
            self.files_not_kept += [
                (clean_filename(uploaded.name), question.code)
                for uploaded in posted
                if id(uploaded) not in kept_uploads
            ]

    def carry_files_into(self, posted) -> None:
        """A valid form met a conflict (someone saved meanwhile): its files are kept
        as pending, and `posted` (the data of the conflict page's form) names them,
        so that the page shows them "prêt à être enregistré" as after an error."""
        self.keep_files()
        questions = {question.pk: question for question in self._file_questions()}
        for pending in self.kept_files:
            posted.appendlist(self.pending_field_name(questions[pending.question_id]), pending.pk)

    @property
    def files_to_choose_again(self) -> str:
        """The files of a refused form that could not be kept, to choose again."""
        if not self.files_not_kept:
            return ""
        names = ", ".join(f"« {name} » ({code})" for name, code in self.files_not_kept)
        return (
            "Vos autres saisies sont conservées, mais ces fichiers ne sont pas gardés et "
            f"doivent être choisis à nouveau (ou remplacés, s'ils ont été refusés) : {names}."
        )

    @property
    def error_banner(self) -> str:
        """What the banner of a refused form says, true for the files too."""
        text = (
            "Certaines réponses n'ont pas pu être enregistrées : corrigez les erreurs "
            "signalées sous les questions."
        )
        if self.files_not_kept:
            return f"{text} {self.files_to_choose_again}"
        if any(self.fields[self.files_field_name(q)].pending for q in self._file_questions()):
            return (
                f"{text} Rien de ce que vous avez saisi n'est perdu : les fichiers choisis "
                "sont gardés, prêts à être enregistrés avec vos réponses."
            )
        return f"{text} Rien de ce que vous avez saisi n'est perdu."

    def check_space(self, cleaned) -> set:
        """Every file refused when together they would exceed the establishment's space."""
        sent = {
            name: files
            for name, files in cleaned.items()
            if name.startswith("files-") and files and name in self.fields
        }
        incoming = sum(checked.file.size for files in sent.values() for checked in files)
        if not incoming:
            return set()
        quota = settings.ATTACHMENT_MAX_TOTAL_MB * MEGABYTE
        if self.step_data.used_bytes + incoming <= quota:
            return set()
        for name, files in sent.items():
            self.add_error(
                name,
                [
                    f"« {checked.name} » : l'espace de {settings.ATTACHMENT_MAX_TOTAL_MB} Mo "
                    "réservé aux documents de l'établissement serait dépassé ; supprimez "
                    "d'anciens documents."
                    for checked in files
                ],
            )
        return set(sent)

    def blocks(self) -> list[dict]:
        """The page, block by block: each question with its bound fields."""
        return [
            {
                "block": block,
                "comment_field": self._bound(self.comment_field_name(block.block)),
                "representatives_field": self._bound(
                    self.comment_field_name(block.block, Comment.Voice.REPRESENTATIVES)
                ),
                "questions": [
                    {
                        "row": row,
                        "question": row.question,
                        "field": self._bound(self.question_field_name(row.question)),
                        "files_field": self._bound(self.files_field_name(row.question)),
                        "description_field": self._bound(
                            self.description_field_name(row.question)
                        ),
                    }
                    for row in block.questions
                ],
            }
            for block in self.step_data.blocks
        ]

    def _bound(self, name):
        return self[name] if name in self.fields else None

    def uploads(self) -> list[Upload]:
        """The checked files of a valid form, with the question they answer."""
        uploads = []
        for row in self.step_data.rows.values():
            question = row.question
            if not question.takes_files:
                continue
            description = self.cleaned_data.get(self.description_field_name(question), "")
            for checked in self.cleaned_data.get(self.files_field_name(question)) or []:
                uploads.append(
                    Upload(
                        question=question,
                        file=checked.file,
                        name=checked.name,
                        content_type=checked.content_type,
                        description=description.strip(),
                        pending=checked.pending,
                    )
                )
        return uploads
