"""Accessibility in Chromium: axe-core on every page, and the RGAA checks axe cannot make.

One test per role opens each of its pages once (one login per role, browser
tests are slow): axe-core finds no serious or critical violation, each page
has its own <title> and `<html lang="fr">`. Then: the focus is visible (the
orange buttons too), errors are tied to their fields, and a phone shows
"Mon compte" without scrolling sideways.

axe-core (bundled by axe-playwright-python, no network) is injected with
`page.evaluate`, which goes through the DevTools protocol: the page's CSP
(script-src 'self' + nonce) does not apply to it, so no `bypass_csp` is needed.
"""

import io
import re
from importlib import import_module

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps as django_apps
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.services import activation_url, reset_link
from conftest import PASSWORD, log_in, make_establishment, screenshot
from news.models import HelpTheme
from news.tests.conftest import make_document, make_news
from parcours.tests.conftest import attach
from profiles import services as profile_services
from profiles.models import Membership
from profiles.tests.sirets import make_siret

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it stands."""
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(url, violations) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{url}: {violation['id']} ({violation['impact']}) – {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


class Audit:
    """What one walk through a role's pages found: axe-core's violations, titles, lang."""

    def __init__(self, page, role):
        self.page = page
        self.role = role
        self.problems: list[str] = []
        self.titles: dict[str, str] = {}

    def check(self, label, *, same_page_as=None):
        """Audit the page as it is now; `same_page_as` names a page it is a state of
        (its error state shares its title)."""
        page = self.page
        page.wait_for_load_state()
        url = f"{label} ({page.url})"
        violations = axe_violations(page)
        if violations:
            self.problems.append(describe(url, violations))
        lang = page.evaluate("document.documentElement.lang")
        if lang != "fr":
            self.problems.append(f"{url}: <html lang> is {lang!r}, not 'fr'")
        title = page.title().strip()
        if not title:
            self.problems.append(f"{url}: no <title>")
        if same_page_as is None:
            self.titles[label] = title
        screenshot(page, f"a11y-{self.role}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}")

    def visit(self, label, path, **options):
        self.page.goto(path)
        self.check(label, **options)

    def assert_clean(self):
        by_title: dict[str, list[str]] = {}
        for label, title in self.titles.items():
            by_title.setdefault(title, []).append(label)
        for title, labels in by_title.items():
            if len(labels) > 1:
                self.problems.append(f"the same <title> {title!r} on {', '.join(labels)}")
        assert not self.problems, "\n".join(self.problems)


# --- The cast and the content ---------------------------------------------------------------
@pytest.fixture
def content(establishment_a, caisse_a, settings):
    """The programme, a document deposited on Q8, news, documentation, help."""
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}
    call_command("load_parcours", stdout=io.StringIO())
    attach(establishment_a, "Q8", name="tableau de bord 2025.xlsx")
    news = make_news("Journée régionale TMS Pros", caisse=caisse_a)
    make_news("Nouvelle actualité nationale", days_ago=2)
    make_document("Guide de la démarche TMS Pros")
    if not HelpTheme.objects.exists():
        import_module("news.migrations.0002_help_content").load(django_apps, None)
    return {"news": news}


# --- axe-core, titles and lang, one walk per role -------------------------------------------
def test_public_pages_pass_axe_and_have_their_own_title(page, live_server, establishment_a):
    new_account = make_establishment(
        siret=make_siret(1975), name="Menuiserie Delta", caisse_code="CRAMIF",
        complete_profile=False,
    ).account  # fmt: skip
    invitation = profile_services.invite_representative(
        establishment=establishment_a, email="nadia@example.fr", first_name="Nadia",
        last_name="Lefèvre", mandate="CSE", by=establishment_a.account,
    )  # fmt: skip
    audit = Audit(page, "public")
    audit.visit("login", "/compte/login/")
    page.get_by_label("Identifiant").fill(establishment_a.siret)
    page.get_by_label("Mot de passe").fill("Mauvais-1!x")
    page.get_by_role("button", name="ME CONNECTER").click()
    audit.check("login with an error", same_page_as="login")
    audit.visit("password reset", "/compte/password/reset/")
    page.get_by_label("Identifiant ou adresse e-mail").fill(establishment_a.siret)
    page.get_by_role("button", name="Envoyer").click()
    audit.check("password reset sent")
    audit.visit("password reset from key", reset_link(establishment_a.account))
    audit.visit("activation", activation_url(new_account))
    page.get_by_label("Mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmer le mot de passe").fill("court")
    page.get_by_role("button", name="ACTIVER MON COMPTE").click()
    audit.check("activation with an error", same_page_as="activation")
    audit.visit("invitation of a representative", f"/invitation/{invitation.token}/")
    audit.visit("help", "/besoin-d-aide/")
    audit.visit("legal notice", "/mentions-legales/")
    audit.visit("404", "/pas-de-page-ici/")
    audit.assert_clean()


def test_establishment_pages_pass_axe_and_have_their_own_title(
    page, live_server, establishment_a, content
):
    log_in(page, live_server, establishment_a.account)
    audit = Audit(page, "establishment")
    audit.visit("home", "/")
    audit.visit("profile", "/mon-profil/")
    page.fill("#id_head_phone", "12 34")
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    audit.check("profile with an error", same_page_as="profile")
    audit.visit("parcours", "/parcours/")
    for number in (1, 2, 3, 4):
        audit.visit(f"step {number}", f"/parcours/etape/{number}/")
    page.goto("/parcours/etape/1/")
    page.locator("#question-Q5 input").fill("beaucoup")
    page.get_by_role("button", name="ENREGISTRER").click()
    audit.check("step 1 with an error", same_page_as="step 1")
    audit.visit("documents", "/pieces-jointes/")
    audit.visit("news", "/actualites/")
    audit.visit("news item", f"/actualites/{content['news'].pk}/")
    audit.visit("documentation", "/documentation/")
    audit.visit("help", "/besoin-d-aide/")
    audit.visit("account", "/compte/")
    audit.visit("password change", "/compte/password/change/")
    audit.visit("e-mail change", "/compte/email/")
    audit.visit("404", "/parcours/etape/9/")
    audit.assert_clean()


def test_representative_pages_pass_axe_and_have_their_own_title(
    page, live_server, establishment_a, establishment_b, representative_a, content
):
    Membership.objects.create(
        establishment=establishment_b, user=representative_a, role=Membership.Role.REPRESENTATIVE
    )
    log_in(page, live_server, representative_a)
    audit = Audit(page, "representative")
    audit.visit("chooser of establishments", "/etablissement/")
    page.get_by_role("button", name=f"CHOISIR {establishment_a.name}").click()
    audit.check("home")
    audit.visit("step 1 as a representative", "/parcours/etape/1/")
    # A representative may not delete the establishment's documents: the form posted anyway.
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/pieces-jointes/supprimer/";
            form.append(document.querySelector("[name=csrfmiddlewaretoken]").cloneNode());
            document.body.append(form);
            form.submit();
        }"""
    )
    page.get_by_role("heading", name=re.compile("Accès refusé|interdit", re.I)).wait_for()
    audit.check("403")
    audit.assert_clean()


def test_backoffice_pages_pass_axe_and_have_their_own_title(
    page, live_server, establishment_a, preventeur_a, caisse_a, content
):
    from accounts.models import User

    audit = Audit(page, "preventeur")
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(preventeur_a.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ME CONNECTER").click()
    page.get_by_label("Code à 6 chiffres").wait_for()
    audit.check("second factor")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(preventeur_a.totp_secret).now())
    page.get_by_label("Code à 6 chiffres").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    audit.check("staff home")
    audit.visit("admin index", "/admin/")
    audit.visit("establishments", "/admin/profiles/establishment/")
    audit.visit("follow", f"/admin/profiles/establishment/{establishment_a.pk}/suivi/")
    from parcours.models import Question

    block = Question.objects.get(code="Q1").block
    audit.visit(
        "comment history",
        f"/admin/profiles/establishment/{establishment_a.pk}/suivi/historique/{block.pk}/caisse/",
    )
    audit.visit("statistics", "/admin/statistiques/")
    audit.visit("403", "/admin/accounts/user/add/")

    newcomer = User.objects.create_user(
        username="jeanne.roux@cramif.example.fr", email="jeanne.roux@cramif.example.fr",
        password=PASSWORD, kind=User.Kind.PREVENTEUR, caisse=caisse_a, is_staff=True,
    )  # fmt: skip
    page.context.clear_cookies()
    log_in(page, live_server, newcomer)
    audit.visit("second factor set-up", "/compte/2fa/totp/activate/")
    audit.assert_clean()


# --- Visible focus ---------------------------------------------------------------------------
FOCUS_STYLE = """element => {
    const style = getComputedStyle(element);
    return {outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
            outlineWidth: parseFloat(style.outlineWidth) || 0, outlineStyle: style.outlineStyle,
            boxShadow: style.boxShadow};
}"""


def focus_ring(page, locator) -> tuple[dict, dict]:
    """The element's outline and box-shadow unfocused, then focused from the keyboard."""
    locator.scroll_into_view_if_needed()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    unfocused = locator.evaluate(FOCUS_STYLE)
    page.keyboard.press("Shift")  # keyboard modality: focus() then matches :focus-visible
    locator.focus()
    assert locator.evaluate("element => element === document.activeElement")
    focused = locator.evaluate(FOCUS_STYLE)
    return unfocused, focused


def assert_focus_visible(page, name, locator):
    unfocused, focused = focus_ring(page, locator)
    ring = (focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2) or (
        focused["boxShadow"] not in ("none", unfocused["boxShadow"])
    )
    changed = (focused["outline"], focused["boxShadow"]) != (
        unfocused["outline"],
        unfocused["boxShadow"],
    )
    assert ring and changed, f"{name}: no visible focus (unfocused {unfocused}, focused {focused})"


def test_the_focus_is_visible_on_the_orange_buttons_links_and_fields(
    page, live_server, establishment_a, content
):
    page.emulate_media(reduced_motion="reduce")  # no transition half-way through
    page.goto("/compte/login/")
    for name, locator in [
        ("ME CONNECTER", page.get_by_role("button", name="ME CONNECTER")),
        ("Mot de passe oublié ?", page.get_by_role("link", name="Mot de passe oublié ?")),
        ("Identifiant", page.get_by_label("Identifiant")),
        ("Mentions légales", page.get_by_role("link", name="Mentions légales")),
    ]:
        assert_focus_visible(page, name, locator)

    log_in(page, live_server, establishment_a.account)
    page.goto("/mon-profil/")
    assert_focus_visible(
        page, "VALIDER MON PROFIL", page.get_by_role("button", name="VALIDER MON PROFIL")
    )
    assert_focus_visible(page, "a yes/no radio", page.locator("#id_is_space_manager_0"))
    page.goto("/parcours/etape/1/")
    for name, locator in [
        ("ENREGISTRER", page.get_by_role("button", name="ENREGISTRER")),
        ("the menu's MON PARCOURS", page.get_by_role("link", name="MON PARCOURS", exact=True)),
        (
            "a step of the navigation",
            page.get_by_role("link", name=re.compile("Par quoi commencer")),
        ),
        ("Supprimer la sélection", page.get_by_role("button", name="Supprimer la sélection")),
        ("a comment", page.get_by_label("Commentaires de l'établissement").first),
        ("déconnexion", page.get_by_role("button", name="déconnexion")),
    ]:
        assert_focus_visible(page, name, locator)
    page.keyboard.press("Shift")
    page.get_by_role("button", name="ENREGISTRER").focus()
    screenshot(page, "a11y-focus-enregistrer")


# --- Contrast of the elements the new users stumbled on --------------------------------------
CONTRAST = """element => {
    const rgb = value => (value.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const [R, G, B] = [r, g, b].map(c => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    let background = [255, 255, 255];
    for (let node = element; node; node = node.parentElement) {
        const color = rgb(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || (color.length === 4 && color[3] === 1)) {
            background = color.slice(0, 3);
            break;
        }
    }
    const text = luminance(rgb(getComputedStyle(element).color).slice(0, 3));
    const back = luminance(background);
    return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
}"""


def assert_contrast(name, locator, minimum=4.5):
    for index in range(locator.count()):
        element = locator.nth(index)
        for part in [element, *element.locator("span").all()]:
            ratio = part.evaluate(CONTRAST)
            assert ratio >= minimum, f"{name}: contrast {ratio:.2f}:1 < {minimum}:1"


def test_the_step_links_and_supprimer_la_selection_meet_4_5_to_1(
    page, live_server, establishment_a, content
):
    log_in(page, live_server, establishment_a.account)
    for path in ("/parcours/etape/1/", "/parcours/etape/3/"):
        page.goto(path)
        steps = page.get_by_role("list", name="Les quatre étapes")
        assert_contrast(f"the steps' links on {path}", steps.get_by_role("link"))
    page.goto("/parcours/etape/1/")
    assert_contrast(
        "Supprimer la sélection (step)", page.get_by_role("button", name="Supprimer la sélection")
    )
    page.goto("/pieces-jointes/")
    assert_contrast(
        "Supprimer la sélection (documents)",
        page.get_by_role("button", name="Supprimer la sélection"),
    )


# --- A phone ---------------------------------------------------------------------------------
PHONE = {"width": 375, "height": 812}


def test_mon_compte_fits_a_phone_without_scrolling_sideways(page, live_server, establishment_a):
    from accounts.models import AccountEvent
    from accounts.services import record_event

    account = establishment_a.account
    for kind, detail in [
        (AccountEvent.Kind.LOGIN, ""),
        (
            AccountEvent.Kind.EMAIL_CHANGE_REQUESTED,
            "direction.generale-des-ateliers-alpha@example.fr",
        ),
        (AccountEvent.Kind.PASSWORD_RESET_REQUESTED, ""),
    ]:
        event = record_event(account, kind, detail=detail)
        event.ip_address = "2001:db8:85a3:8d3:1319:8a2e:370:7348"
        event.save()
    log_in(page, live_server, account)
    page.set_viewport_size(PHONE)
    for path in ("/compte/", "/", "/parcours/etape/1/", "/pieces-jointes/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, f"a11y-phone-{path.strip('/').replace('/', '-') or 'home'}")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a 375 px phone"
    # Nor does the table of "Mes derniers événements" scroll inside its frame.
    page.goto("/compte/")
    table = page.locator("#account-events")
    assert table.get_by_text("2001:db8:85a3:8d3:1319:8a2e:370:7348").first.is_visible()
    frame_width = table.evaluate("table => table.parentElement.clientWidth")
    table_width = table.evaluate("table => table.scrollWidth")
    assert table_width <= frame_width, f"the events' table is {table_width} px in {frame_width} px"


# --- Errors tied to their fields ---------------------------------------------------------------
UNTIED_ERRORS = """() => {
    const described = new Set();
    for (const element of document.querySelectorAll("[aria-describedby]")) {
        for (const id of element.getAttribute("aria-describedby").split(/\\s+/)) described.add(id);
    }
    const untied = [];
    for (const error of document.querySelectorAll(".invalid-feedback, .errorlist, #login-errors")) {
        if (!error.offsetParent || !error.textContent.trim()) continue;
        if (!error.id || !described.has(error.id)) untied.push(error.textContent.trim());
    }
    for (const field of document.querySelectorAll(".is-invalid")) {
        if (field.getAttribute("aria-invalid") !== "true" && !field.closest("fieldset[aria-describedby]"))
            untied.push(`${field.name}: is-invalid without aria-invalid`);
    }
    return untied;
}"""


def assert_error_tied(field, text):
    """`field` is marked invalid and its accessible description holds the error `text`."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(text)))


def assert_no_untied_error(page, where):
    untied = page.evaluate(UNTIED_ERRORS)
    assert not untied, f"{where}: errors no field points at: {untied}"


def test_errors_are_written_next_to_their_fields_and_announced_with_them(
    page, live_server, establishment_a, content
):
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(establishment_a.siret)
    page.get_by_label("Mot de passe").fill("Mauvais-1!x")
    page.get_by_role("button", name="ME CONNECTER").click()
    for label in ("Identifiant", "Mot de passe"):
        assert_error_tied(page.get_by_label(label), "Identifiant ou mot de passe incorrect.")
    assert_no_untied_error(page, "login")
    page.get_by_label("Identifiant").fill("")
    page.get_by_label("Mot de passe").fill("")
    page.get_by_role("button", name="ME CONNECTER").click()
    assert_error_tied(page.get_by_label("Identifiant"), "Ce champ est obligatoire.")
    assert_no_untied_error(page, "empty login")

    establishment_a.is_space_manager = None
    establishment_a.save()
    log_in(page, live_server, establishment_a.account)
    page.goto("/mon-profil/")
    page.fill("#id_head_phone", "12 34")
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    assert_error_tied(page.get_by_label("Téléphone"), "numéro de téléphone français")
    space_manager = page.get_by_role("group", name=re.compile("Êtes-vous la personne en charge"))
    space_manager_error = space_manager.locator(".invalid-feedback")
    expect(space_manager_error).to_be_visible()
    expect(space_manager.get_by_label("Oui")).to_have_accessible_description(
        space_manager_error.inner_text().strip()
    )
    assert_no_untied_error(page, "profile")
    screenshot(page, "a11y-errors-profile")
    page.fill("#id_head_phone", "01 02 03 04 05")
    space_manager.get_by_label("Oui").check()
    page.get_by_role("button", name="VALIDER MON PROFIL").click()
    expect(
        page.get_by_role("status").filter(has_text="Votre profil a été enregistré.")
    ).to_be_visible()

    page.goto("/parcours/etape/1/")
    page.locator("#question-Q5 input").fill("beaucoup")
    page.get_by_role("button", name="ENREGISTRER").click()
    assert_error_tied(page.locator("#question-Q5 input"), "Saisissez un nombre entier")
    assert_no_untied_error(page, "step 1")

    page.goto("/compte/password/change/")
    page.get_by_label("Mot de passe actuel").fill("pas-le-bon")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmer le mot de passe").fill("court")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert_error_tied(page.get_by_label("Mot de passe actuel"), "mot de passe actuel")
    assert_error_tied(
        page.get_by_label("Nouveau mot de passe", exact=True), "au moins 8 caractères"
    )
    assert_no_untied_error(page, "password change")
    screenshot(page, "a11y-errors-password-change")
