"""Versions of a step: its state as plain data, and what changed between two states.

A state is JSON-ready data keyed by question and block codes, so it can be
stored (the back office's validation snapshot) and compared later even after
the page's questions were reworded: answers, the current comments of the three
voices, and the documents by name and date. `diff` turns two states into
readable changes; the conflict page shows the saved state against what was
typed, the back office what changed since a validation.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .kinds import display_value
from .models import Comment

DOCUMENTS_LABEL = "Documents joints"


def state_of(data) -> dict:
    """The state of an establishment's step (a parcours.steps.StepData)."""
    answers, comments, documents = {}, {}, {}
    for block in data.blocks:
        for row in block.questions:
            question = row.question
            answers[question.code] = {
                "label": f"{question.code} – {question.text}",
                "value": row.value,
                "display": display_value(question, row.value),
            }
            if row.documents:
                documents[question.code] = {
                    "label": f"{DOCUMENTS_LABEL} – {question.code}",
                    "files": [
                        {
                            "name": document.original_name,
                            "uploaded_at": timezone.localtime(document.uploaded_at).isoformat(),
                        }
                        for document in sorted(row.documents, key=lambda d: (d.uploaded_at, d.pk))
                    ],
                }
        for voice in Comment.Voice:
            current = block.current(voice)
            if current is not None and current.text:
                comments.setdefault(block.block.code, {"title": block.block.title})[voice] = (
                    current.text
                )
    return {
        "step": data.step.number,
        "answers": answers,
        "comments": comments,
        "documents": documents,
    }


def with_typed(state: dict, data, form) -> dict:
    """`state` with what `form` (a cleaned StepForm) holds in place of the saved values:
    the answers and the establishment's comments it carries."""
    typed = {
        "step": state["step"],
        "answers": {code: dict(item) for code, item in state["answers"].items()},
        "comments": {code: dict(voices) for code, voices in state["comments"].items()},
        "documents": state["documents"],
    }
    for block in data.blocks:
        for row in block.questions:
            name = form.question_field_name(row.question)
            if name in form.cleaned_data:
                value = form.cleaned_data[name]
                typed["answers"][row.question.code] = {
                    "label": f"{row.question.code} – {row.question.text}",
                    "value": value,
                    "display": display_value(row.question, value),
                }
        name = form.comment_field_name(block.block)
        if name in form.cleaned_data:
            voices = typed["comments"].setdefault(block.block.code, {"title": block.block.title})
            voices[Comment.Voice.ESTABLISHMENT] = form.cleaned_data[name]
    return typed


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def diff(before: dict, after: dict, *, voices=tuple(Comment.Voice)) -> list[Change]:
    """What differs between two states of the same step, in the page's order.

    `voices`: the comments compared (the back office leaves out the caisse's own).
    Documents read as the validated list against what was added and removed.
    """
    changes = []
    for code in _ordered_keys(before["answers"], after["answers"]):
        old, new = before["answers"].get(code), after["answers"].get(code)
        if _value(old) != _value(new):
            changes.append(Change((new or old)["label"], _display(old), _display(new)))
    for code in _ordered_keys(before["comments"], after["comments"]):
        old, new = before["comments"].get(code, {}), after["comments"].get(code, {})
        title = new.get("title") or old.get("title") or code
        for voice in voices:
            if (old.get(voice) or "") != (new.get(voice) or ""):
                changes.append(
                    Change(f"{voice.label} – {title}", old.get(voice) or "", new.get(voice) or "")
                )
    for code in _ordered_keys(before["documents"], after["documents"]):
        old, new = before["documents"].get(code), after["documents"].get(code)
        if _files(old) != _files(new):
            changes.append(
                Change((new or old)["label"], _files_text(old), _files_changes(old, new))
            )
    return changes


def _ordered_keys(first: dict, second: dict) -> list:
    return list(first) + [key for key in second if key not in first]


def _value(item):
    value = item["value"] if item else None
    return None if value in ("", []) else value


def _display(item) -> str:
    return item["display"] if item else ""


def _files(item) -> list:
    return [(f["name"], f["uploaded_at"]) for f in item["files"]] if item else []


def _file_text(document) -> str:
    moment = datetime.datetime.fromisoformat(document["uploaded_at"])
    return f"{document['name']} ({moment:%d/%m/%Y %H:%M})"


def _files_text(item) -> str:
    return "\n".join(_file_text(d) for d in item["files"]) if item else ""


def _files_changes(old, new) -> str:
    """The documents added and removed between two states, one per line."""
    before = {(d["name"], d["uploaded_at"]): d for d in (old or {}).get("files", [])}
    after = {(d["name"], d["uploaded_at"]): d for d in (new or {}).get("files", [])}
    lines = [f"ajouté : {_file_text(d)}" for key, d in after.items() if key not in before]
    lines += [f"retiré : {_file_text(d)}" for key, d in before.items() if key not in after]
    return "\n".join(lines)
