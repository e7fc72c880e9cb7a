"""A database at scale, for the benchmarks: `manage.py seed_volume --establishments N`.

N establishments spread evenly over the caisses, each with its own account
(the SIRET as identifier, one shared password) and an active membership, a
complete "Mon profil", answers stored by code as the step form stores them
(parcours.kinds), the three voices' comments with a few versions each,
documents' metadata (no file bytes: nothing reads them but a download), step
progress, a few préventeurs per caisse with their second factor (TOTP) and
validations with their snapshot (parcours.versions.state_of).

Progress follows the press kit: "70 % en sont à l'étape 1, 34 % à l'étape 2,
8 % à l'étape 3 et 1 % à l'étape 4". The figures add up to 113 %, so "at step
k" reads as *has reached step k*: it began step k (answered some of it) after
completing every earlier step. Hence 70 % reached step 1, 34 % step 2, 8 %
step 3, 1 % step 4, and 30 % have not begun (no answer, no progress row).
The step an establishment reached last is in progress (a quarter of them
complete and waiting for the préventeur); the earlier ones are complete,
about 60 % of them validated, a sixth of those modified since.

Everything is written in bulk (bulk_create in batches, one transaction), from
a random generator seeded by `seed`: the same seed gives the same data. Only
the TOTP secrets come from the `secrets` module (a benchmark sets its own with
accounts.services.set_totp_secret, as the tests do).
"""

import base64
import datetime
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import PREVENTEURS_GROUP, User
from accounts.siret import luhn_is_valid
from attachments.models import Attachment
from profiles.models import Caisse, Establishment, Membership

from . import versions
from .kinds import INTEGER_CEILING
from .models import Answer, Block, Comment, Question, Step, StepProgress, StepValidation
from .steps import BlockRow, QuestionRow, StepData

# Share of the establishments that reached each step (the press kit).
PRESS_KIT_REACHED = {1: 0.70, 2: 0.34, 3: 0.08, 4: 0.01}
BATCH_SIZE = 1000
SIRET_PREFIX = "9"  # 9 + 12 digits + Luhn key: apart from the demo's and the tests' SIRETs
STAFF_DOMAIN = "volume.example.fr"

TRADES = [
    "Boulangerie", "Logistique", "Menuiserie", "Clinique", "Ehpad", "Transports",
    "Plasturgie", "Blanchisserie", "Abattoir", "Imprimerie", "Entrepôt", "Fonderie",
    "Conserverie", "Garage", "Maçonnerie", "Laboratoire", "Supermarché", "Scierie",
]  # fmt: skip
NAMES = [
    "du Centre", "de la Vallée", "des Quatre Vents", "Martin", "Lefèvre", "du Port",
    "de l'Ouest", "Saint-Jacques", "des Tilleuls", "Bernard", "du Moulin", "Atlantique",
]  # fmt: skip
TOWNS = [
    "Lille", "Paris", "Lyon", "Rennes", "Nantes", "Bordeaux", "Toulouse", "Metz",
    "Dijon", "Rouen", "Orléans", "Limoges", "Montpellier", "Marseille", "Strasbourg",
]  # fmt: skip
FIRST_NAMES = ["Claire", "Paul", "Nadia", "Julien", "Sophie", "Karim", "Anne", "Lucas"]
LAST_NAMES = ["Martin", "Durand", "Petit", "Moreau", "Garnier", "Roux", "Fontaine", "Blanc"]
FUNCTIONS = ["Directrice", "Directeur", "Gérant", "Responsable QSE", "DRH", ""]
SHORT_TEXTS = [
    "Claire Martin, responsable QSE",
    "Le médecin du travail et le CSE",
    "Un ergonome du service de santé au travail",
    "Notre préventeur interne",
]
LONG_TEXTS = [
    "Les postes d'emballage et de préparation de commandes concentrent les arrêts.",
    "Manutention des charges lourdes au quai de chargement, gestes répétitifs en "
    "conditionnement ; un groupe de travail se réunit chaque mois.",
    "Nous avons analysé les déclarations d'accidents du travail des trois dernières "
    "années avec le CSE et identifié quatre situations de travail prioritaires.",
    "Achat de deux tables élévatrices, formation de deux personnes ressources, "
    "réorganisation des tournées pour limiter le port de charges.",
]
COMMENTS = {
    Comment.Voice.ESTABLISHMENT: [
        "La direction a présenté la démarche au CSE.",
        "Nous complétons cette partie avec le service de santé au travail.",
        "Données mises à jour après la réunion du comité de pilotage.",
    ],
    Comment.Voice.REPRESENTATIVES: [
        "Le CSE soutient la démarche et souhaite être associé au choix des postes.",
        "Les salariés du quai ont été consultés.",
        "Le CSE demande un point d'étape trimestriel.",
    ],
    Comment.Voice.CAISSE: [
        "Très bon point de départ : pensez à mettre à jour le tableau de bord chaque année.",
        "Merci de préciser les situations de travail retenues.",
        "Étape bien documentée.",
    ],
}
DOCUMENT_NAMES = [
    ("tableau de bord TMS.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("compte rendu CSE.pdf", "application/pdf"),
    ("plan d'actions.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("photos du poste.jpg", "image/jpeg"),
]  # fmt: skip


class VolumeError(Exception):
    """The seeding cannot start (a French message)."""


@dataclass
class VolumeReport:
    establishments: int = 0
    accounts: int = 0
    preventeurs: int = 0
    representatives: int = 0
    answers: int = 0
    comments: int = 0
    documents: int = 0
    progresses: int = 0
    validations: int = 0
    reached: Counter = field(default_factory=Counter)  # step number -> establishments

    def summary(self) -> str:
        reached = ", ".join(
            f"étape {number} : {self.reached[number]}" for number in sorted(PRESS_KIT_REACHED)
        )
        return (
            f"{self.establishments} établissement(s), {self.preventeurs} préventeur(s), "
            f"{self.representatives} représentant(s), {self.answers} réponse(s), "
            f"{self.comments} commentaire(s), {self.documents} document(s), "
            f"{self.progresses} avancement(s), {self.validations} validation(s) ; "
            f"ont atteint l'{reached}."
        )


def reached_counts(count: int) -> dict[int, int]:
    """How many of `count` establishments reached each step (cumulative, rounded)."""
    return {number: round(count * share) for number, share in PRESS_KIT_REACHED.items()}


def seeded_siret(index: int) -> str:
    body = f"{SIRET_PREFIX}{index:012d}"
    return body + next(key for key in "0123456789" if luhn_is_valid(body + key))


def preventeur_username(caisse, rank: int) -> str:
    return f"preventeur{rank}.{caisse.code.lower().replace('_', '-')}@{STAFF_DOMAIN}"


def has_seeded_data() -> bool:
    return Establishment.objects.exists()


def seed_volume(
    *,
    count: int,
    seed: int = 0,
    password: str | None = None,
    preventeurs_per_caisse: int = 3,
    append: bool = False,
) -> VolumeReport:
    """Write `count` establishments and everything around them (see the module's docstring).

    Refuses (VolumeError) a database that already holds establishments, unless
    `append`. `password`: every seeded account's (None: unusable, nobody logs in).
    """
    if count < 1:
        raise VolumeError("Indiquez un nombre d'établissements supérieur ou égal à 1.")
    if not append and has_seeded_data():
        raise VolumeError(
            "La base contient déjà des établissements : seed_volume ne remplit qu'une base "
            "vide. Utilisez une base neuve, ou --append pour ajouter quand même."
        )
    if not Question.objects.active().exists():
        from io import StringIO

        call_command("load_parcours", "--no-templates", stdout=StringIO())
    caisses = list(Caisse.objects.order_by("code"))
    if not caisses:
        raise VolumeError("Aucune caisse régionale : appliquez d'abord les migrations (migrate).")
    with transaction.atomic():
        return _Seeder(
            count=count,
            rng=random.Random(seed),
            password_hash=make_password(password),
            caisses=caisses,
            preventeurs_per_caisse=preventeurs_per_caisse,
        ).run()


def _chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Seeder:
    def __init__(self, *, count, rng, password_hash, caisses, preventeurs_per_caisse):
        self.count, self.rng, self.password_hash = count, rng, password_hash
        self.caisses, self.per_caisse = caisses, preventeurs_per_caisse
        self.now = timezone.now()
        self.report = VolumeReport()
        self.steps = list(Step.objects.order_by("number"))
        self.blocks = defaultdict(list)  # step id -> [Block]
        for block in Block.objects.filter(retired_at__isnull=True).order_by("order", "pk"):
            self.blocks[block.step_id].append(block)
        self.questions = defaultdict(list)  # block id -> [Question]
        for question in Question.objects.active().order_by("order", "pk"):
            self.questions[question.block_id].append(question)
        self.answers, self.comments, self.documents = [], [], []
        self.progresses, self.validated = [], []  # validated: (progress, StepData, modified)
        self.dates = {Comment: defaultdict(list), Attachment: defaultdict(list)}

    def days_ago(self, days: int) -> datetime.datetime:
        """A moment `days` days ago, at a working hour (the same for a given day)."""
        moment = self.now - datetime.timedelta(days=days)
        return moment.replace(hour=10, minute=0, second=0, microsecond=0)

    # --- Named steps --------------------------------------------------------------------
    def run(self) -> VolumeReport:
        preventeurs = self.preventeurs()
        levels = self.levels(self.count)
        establishments, accounts = self.establishments(preventeurs, levels)
        representatives = self.representatives(establishments)
        for establishment, level in zip(establishments, levels, strict=True):
            for number in range(1, level + 1):
                self.report.reached[number] += 1
            self.fill(
                establishment,
                level,
                account=accounts[establishment.pk],
                representative=representatives.get(establishment.pk),
                preventeurs=preventeurs[establishment.caisse_id],
            )
        self.write()
        return self.report

    def preventeurs(self) -> dict:
        """A few préventeurs per caisse, in the "Préventeurs" group, with a TOTP
        authenticator (they reach the admin); existing ones are kept (--append)."""
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import encrypt

        wanted = {
            preventeur_username(caisse, rank): caisse
            for caisse in self.caisses
            for rank in range(1, self.per_caisse + 1)
        }
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        created = User.objects.bulk_create(
            [
                User(
                    username=username,
                    email=username,
                    password=self.password_hash,
                    kind=User.Kind.PREVENTEUR,
                    caisse=caisse,
                    is_staff=True,
                    first_name=self.rng.choice(FIRST_NAMES),
                    last_name=self.rng.choice(LAST_NAMES),
                    activated_at=self.days_ago(400),
                    last_login=self.days_ago(self.rng.randint(0, 10)),
                )
                for username, caisse in wanted.items()
                if username not in existing
            ],
            batch_size=BATCH_SIZE,
        )
        created = self.with_pks(User, created, "username")
        group, _ = Group.objects.get_or_create(name=PREVENTEURS_GROUP)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user in created]
        )
        Authenticator.objects.bulk_create(
            [
                Authenticator(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(base64.b32encode(secrets.token_bytes(20)).decode())},
                )
                for user in created
            ]
        )
        self.report.preventeurs = len(created)
        by_caisse = defaultdict(list)
        for user in User.objects.filter(username__in=wanted).order_by("username"):
            by_caisse[user.caisse_id].append(user)
        return by_caisse

    def establishments(self, preventeurs, levels) -> tuple[list, dict]:
        """The establishments, their own accounts and memberships; some of those
        that have not begun never logged in (the back office's queue)."""
        start = Establishment.objects.count()
        sirets = [seeded_siret(start + offset) for offset in range(self.count)]
        clash = next(
            (
                siret
                for chunk in _chunks(sirets)
                for siret in User.objects.filter(username__in=chunk).values_list(
                    "username", flat=True
                )
            ),
            None,
        ) or Establishment.objects.filter(siret__in=sirets[:1] + sirets[-1:]).first()
        if clash:
            raise VolumeError(
                f"Le SIRET {getattr(clash, 'siret', clash)} existe déjà : cette base a été "
                "remplie autrement ; utilisez une base neuve."
            )
        rng = self.rng
        rows = []
        for offset, siret in enumerate(sirets):
            caisse = self.caisses[(start + offset) % len(self.caisses)]
            town = rng.choice(TOWNS)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            followers = preventeurs[caisse.pk]
            rows.append(
                Establishment(
                    siret=siret,
                    name=f"{rng.choice(TRADES)} {rng.choice(NAMES)} n° {start + offset}",
                    address=f"{rng.randint(1, 120)} rue de la République",
                    postcode=f"{rng.randint(1000, 97699):05d}",
                    town=town,
                    naf_code=f"{rng.randint(10, 96)}.{rng.randint(10, 99)}Z",
                    headcount=rng.choice([12, 25, 48, 80, 150, 320, 900]),
                    caisse=caisse,
                    preventeur=rng.choice(followers) if followers and rng.random() < 0.7 else None,
                    days_lost_tms=rng.randint(0, 3000),
                    days_lost_lumbago=rng.randint(0, 1200),
                    figures_year=rng.choice([2024, 2025]),
                    head_last_name=last,
                    head_first_name=first,
                    head_function=rng.choice(FUNCTIONS),
                    head_email=f"direction-{siret}@example.fr",
                    head_phone=f"0{rng.randint(1, 5)}{rng.randint(10000000, 99999999)}",
                    head_address=f"{rng.randint(1, 120)} rue de la République, {town}",
                    is_space_manager=rng.random() < 0.8,
                    belongs_to_group=rng.random() < 0.3,
                    has_staff_representative=rng.random() < 0.6,
                    profile_updated_at=self.days_ago(rng.randint(30, 500)),
                )
            )
        establishments = self.with_pks(
            Establishment, Establishment.objects.bulk_create(rows, batch_size=BATCH_SIZE), "siret"
        )
        users = self.with_pks(
            User,
            User.objects.bulk_create(
                [
                    self.account(e, never_logged_in=level == 0 and rng.random() < 0.4)
                    for e, level in zip(establishments, levels, strict=True)
                ],
                batch_size=BATCH_SIZE,
            ),
            "username",
        )
        accounts = {e.pk: u for e, u in zip(establishments, users, strict=True)}
        Membership.objects.bulk_create(
            [
                Membership(
                    establishment=e,
                    user=accounts[e.pk],
                    role=Membership.Role.ESTABLISHMENT,
                    created_at=self.days_ago(600),
                )
                for e in establishments
            ],
            batch_size=BATCH_SIZE,
        )
        self.report.establishments = self.report.accounts = len(establishments)
        return establishments, accounts

    def account(self, establishment, *, never_logged_in) -> User:
        rng = self.rng
        return User(
            username=establishment.siret,
            email=f"contact-{establishment.siret}@example.fr",
            password=self.password_hash,
            kind=User.Kind.ESTABLISHMENT,
            date_joined=self.days_ago(600),
            activation_sent_at=self.days_ago(580),
            activated_at=None if never_logged_in else self.days_ago(rng.randint(200, 570)),
            last_login=None if never_logged_in else self.days_ago(rng.randint(0, 180)),
        )

    def representatives(self, establishments) -> dict:
        """A staff representative (CSE) with their own login for a third of the
        establishments that have one (profile's answer)."""
        chosen = [e for e in establishments if e.has_staff_representative and self.rng.random() < 0.5]
        users = self.with_pks(
            User,
            User.objects.bulk_create(
                [
                    User(
                        username=f"cse.{e.siret}@example.fr",
                        email=f"cse.{e.siret}@example.fr",
                        password=self.password_hash,
                        kind=User.Kind.REPRESENTATIVE,
                        first_name=self.rng.choice(FIRST_NAMES),
                        last_name=self.rng.choice(LAST_NAMES),
                        activated_at=self.days_ago(300),
                    )
                    for e in chosen
                ],
                batch_size=BATCH_SIZE,
            ),
            "username",
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    establishment=e,
                    user=user,
                    role=Membership.Role.REPRESENTATIVE,
                    mandate=Membership.Mandate.CSE,
                    created_at=self.days_ago(300),
                )
                for e, user in zip(chosen, users, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        self.report.representatives = len(users)
        return {e.pk: user for e, user in zip(chosen, users, strict=True)}

    def levels(self, count: int) -> list[int]:
        """The step each establishment reached (0: not begun), in the press kit's shares."""
        reached = reached_counts(count)
        levels = [0] * count
        for number in sorted(reached):
            for position in range(reached[number]):
                levels[position] = number
        self.rng.shuffle(levels)
        return levels

    # --- One establishment ----------------------------------------------------------------
    def fill(self, establishment, level, *, account, representative, preventeurs) -> None:
        rng = self.rng
        reviewer = establishment.preventeur or (preventeurs[0] if preventeurs else None)
        age = rng.randint(10 + 30 * level, 60 + 60 * level)  # days since it began
        for step in self.steps[:level]:
            current = step.number == level
            complete = not current or rng.random() < 0.25
            validated = not current and reviewer is not None and rng.random() < 0.6
            modified = validated and rng.random() < 1 / 6
            step_age = max(1, age - 40 * (step.number - 1))
            rows = self.step_rows(establishment, step, account, complete=complete, age=step_age)
            block_rows = []
            for block, questions in rows:
                comments = self.block_comments(
                    establishment,
                    block,
                    account=account,
                    representative=representative,
                    reviewer=reviewer if not current else None,
                    age=step_age,
                )
                block_rows.append(
                    BlockRow(block=block, questions=questions, comments=comments,
                             establishment=establishment)  # fmt: skip
                )
            completed_at = self.days_ago(max(0, step_age - 20)) if complete else None
            progress = StepProgress(
                establishment=establishment,
                step=step,
                status=(
                    StepProgress.Status.VALIDATED
                    if validated
                    else StepProgress.Status.COMPLETE
                    if complete
                    else StepProgress.Status.IN_PROGRESS
                ),
                version=rng.randint(1, 6),
                completed_at=completed_at,
                completion_count=1 if complete else 0,
                updated_at=self.days_ago(max(0, step_age - 25)),
                updated_by=account,
            )
            if representative is not None and rng.random() < 0.4:
                progress.seen_by_representatives_at = self.days_ago(max(0, step_age - 22))
                progress.seen_by_representatives = representative
            if validated:
                progress.validated_at = self.days_ago(max(0, step_age - 30))
                progress.validated_by = reviewer
                progress.modified_since_validation = modified
                data = StepData(establishment=establishment, step=step, progress=progress,
                                blocks=block_rows)  # fmt: skip
                self.validated.append((progress, data, modified))
            self.progresses.append(progress)

    def step_rows(self, establishment, step, account, *, complete, age) -> list:
        """Answers (and documents) of a step: every question when complete, else
        some of them, at least one required question left unanswered."""
        rng = self.rng
        questions = [q for block in self.blocks[step.pk] for q in self.questions[block.pk]]
        required = [q for q in questions if q.required] or questions
        left_out = set()
        if not complete:
            missing = rng.choice(required)
            left_out = {q.pk for q in questions if rng.random() < 0.5} | {missing.pk}
            if len(left_out) == len(questions):  # "in progress": something is answered
                kept = [q for q in questions if q.pk != missing.pk]
                if kept:
                    left_out.discard(rng.choice(kept).pk)
        rows = []
        for block in self.blocks[step.pk]:
            block_questions = []
            for question in self.questions[block.pk]:
                answer, documents = None, []
                if question.pk not in left_out:
                    value = self.value(question)
                    if value is not None:
                        answer = Answer(establishment=establishment, question=question,
                                        value=value, updated_by=account)  # fmt: skip
                        self.answers.append(answer)
                    wants_documents = question.kind == Question.Kind.DOCUMENTS or (
                        question.accepts_files and rng.random() < 0.5
                    )
                    if wants_documents:
                        documents = self.deposit(establishment, question, account, age=age)
                block_questions.append(
                    QuestionRow(question=question, answer=answer, documents=documents, templates=[])
                )
            rows.append((block, block_questions))
        return rows

    def value(self, question):
        """A realistic answer as the form stores it (parcours.kinds), choices by code."""
        rng = self.rng
        kind = question.kind
        codes = list(question.choice_labels)
        if kind == Question.Kind.YES_NO:
            return rng.random() < 0.7
        if kind == Question.Kind.SINGLE_CHOICE:
            return rng.choice(codes) if codes else None
        if kind == Question.Kind.MULTIPLE_CHOICE:
            if not codes:
                return None
            picked = set(rng.sample(codes, rng.randint(1, len(codes))))
            return [code for code in codes if code in picked]
        if kind == Question.Kind.SHORT_TEXT:
            return rng.choice(SHORT_TEXTS)
        if kind == Question.Kind.LONG_TEXT:
            return rng.choice(LONG_TEXTS)
        if kind == Question.Kind.NUMBER:
            low = int(question.min_value) if question.min_value is not None else 0
            high = int(question.max_value) if question.max_value is not None else min(
                INTEGER_CEILING, low + 500
            )
            return rng.randint(low, max(low, high))
        if kind == Question.Kind.DATE:
            return (self.now.date() - datetime.timedelta(days=rng.randint(30, 900))).isoformat()
        return None  # documents only: answered by its documents

    def deposit(self, establishment, question, account, *, age) -> list:
        documents = []
        for number in range(self.rng.randint(1, 2)):
            name, content_type = self.rng.choice(DOCUMENT_NAMES)
            document = Attachment(
                establishment=establishment,
                question=question,
                file=f"attachments/volume/{self.rng.getrandbits(64):016x}",
                original_name=name,
                description="Version de l'année" if number == 0 else "",
                size=self.rng.randint(20_000, 2_000_000),
                content_type=content_type,
                uploaded_by=account,
            )
            self.documents.append(document)
            self.dates[Attachment][max(0, age - 5 - number)].append(document)
            documents.append(document)
        return documents

    def block_comments(self, establishment, block, *, account, representative, reviewer, age):
        """The voices' comments on a block, oldest version first; {voice: newest first}."""
        authors = {
            Comment.Voice.ESTABLISHMENT: (account, 0.6),
            Comment.Voice.REPRESENTATIVES: (representative, 0.6),
            Comment.Voice.CAISSE: (reviewer, 0.5),
        }
        by_voice = {}
        for voice, (author, chance) in authors.items():
            if author is None or self.rng.random() >= chance:
                continue
            count = self.rng.choice([1, 1, 2, 3])
            chain = []
            for version in range(count):
                comment = Comment(
                    establishment=establishment,
                    block=block,
                    voice=voice,
                    text=self.rng.choice(COMMENTS[voice]) + ("" if version == count - 1 else " (brouillon)"),  # fmt: skip
                    author=author,
                )
                self.comments.append(comment)
                self.dates[Comment][max(0, age - 3 * version - 2)].append(comment)
                chain.append(comment)
            by_voice[voice] = chain[::-1]
        return by_voice

    # --- Writing ---------------------------------------------------------------------------
    def write(self) -> None:
        Answer.objects.bulk_create(self.answers, batch_size=BATCH_SIZE)
        Attachment.objects.bulk_create(self.documents, batch_size=BATCH_SIZE)
        Comment.objects.bulk_create(self.comments, batch_size=BATCH_SIZE)
        self.dated(Comment, "created_at")
        self.dated(Attachment, "uploaded_at")
        StepProgress.objects.bulk_create(self.progresses, batch_size=BATCH_SIZE)
        validations = []
        for progress, data, modified in self.validated:
            state = versions.state_of(data)
            if modified:
                # What the préventeur validated held an older wording of one answer.
                for item in state["answers"].values():
                    if isinstance(item["value"], str):
                        item["value"] = item["display"] = "Réponse de la version validée."
                        break
            validations.append(
                StepValidation(progress=progress, validated_by=progress.validated_by,
                               validated_at=progress.validated_at, state=state)  # fmt: skip
            )
        StepValidation.objects.bulk_create(validations, batch_size=BATCH_SIZE)
        if validations and validations[0].pk is None:
            raise VolumeError("Cette base ne renvoie pas les clés des insertions groupées.")
        for validation in validations:
            validation.progress.validation = validation
        StepProgress.objects.bulk_update(
            [v.progress for v in validations], ["validation"], batch_size=BATCH_SIZE
        )
        self.report.answers = len(self.answers)
        self.report.comments = len(self.comments)
        self.report.documents = len(self.documents)
        self.report.progresses = len(self.progresses)
        self.report.validations = len(validations)

    def dated(self, model, name) -> None:
        """Give rows their realistic date (auto_now_add set "now" at insertion):
        one UPDATE per day and chunk of ids."""
        for days, rows in sorted(self.dates[model].items()):
            moment = self.days_ago(days)
            for chunk in _chunks([row.pk for row in rows]):
                model.objects.filter(pk__in=chunk).update(**{name: moment})
            for row in rows:
                setattr(row, name, moment)

    @staticmethod
    def with_pks(model, objects, key) -> list:
        """`objects` with their primary keys (a backend without RETURNING reads them back)."""
        if not objects or objects[0].pk is not None:
            return objects
        loaded = {}
        for chunk in _chunks([getattr(o, key) for o in objects]):
            loaded.update({getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": chunk})})
        return [loaded[getattr(o, key)] for o in objects]
