"""A first version of "Besoin d'aide", from the questions of the Cramif's tutorial.

Written anew for the portal; the national team edits it in the admin.
Loaded only into an empty help (a second run, or a help already written in
the admin, is left alone).
"""

from django.db import migrations

CAISSE = (
    'votre caisse régionale (ses coordonnées sont en bas de cette page, '
    '<a href="#interlocuteurs">« Vos interlocuteurs »</a>)'
)

HELP = [
    (
        "Connexion",
        [
            (
                "Je n'arrive pas à me connecter : que faire ?",
                "<p>Vérifiez d'abord votre identifiant : c'est le numéro SIRET de votre "
                "établissement, 14 chiffres (les espaces sont acceptés) ; un représentant du "
                "personnel ou un préventeur se connecte avec son adresse e-mail. Après trois "
                "mots de passe erronés, le "
                "compte est bloqué quelques minutes : la page de connexion indique le délai.</p>"
                "<p>Si un message d'erreur apparaît malgré un identifiant et un mot de passe "
                "corrects, videz le cache de votre navigateur (ses cookies et données de sites) :"
                "</p><ul>"
                "<li><strong>Firefox</strong> : Paramètres, « Vie privée et sécurité », rubrique "
                "« Cookies et données de sites », bouton « Effacer les données… » ;</li>"
                "<li><strong>Google Chrome</strong> : Paramètres, « Confidentialité et sécurité », "
                "« Supprimer les données de navigation » ;</li>"
                "<li><strong>Microsoft Edge</strong> : Paramètres, « Confidentialité, recherche et "
                "services », « Effacer les données de navigation ».</li></ul>"
                "<p>Puis reconnectez-vous. Si l'erreur persiste, écrivez à " + CAISSE + " en "
                "indiquant le nom de votre établissement, vos coordonnées et en joignant une "
                "copie d'écran du message : votre demande sera transmise aux équipes techniques "
                "de l'Assurance Maladie, qui reprendront contact avec vous.</p>",
            ),
            (
                "Je n'ai pas reçu mes identifiants",
                "<p>Les comptes sont créés par les caisses régionales : personne ne s'inscrit "
                "soi-même. Votre caisse vous a envoyé un e-mail d'activation qui rappelle votre "
                "identifiant et contient un lien pour choisir votre mot de passe. Pensez à "
                "regarder dans vos courriers indésirables.</p>"
                "<p>Si vous ne l'avez pas reçu, ou si le lien a expiré, écrivez à " + CAISSE + " "
                "en lui donnant l'adresse e-mail à utiliser : elle vous enverra un nouvel "
                "accès.</p>",
            ),
        ],
    ),
    (
        "Mot de passe",
        [
            (
                "J'ai oublié mon mot de passe : comment faire ?",
                "<p>Sur la page de connexion, cliquez sur « Mot de passe oublié ? », puis "
                "indiquez <strong>votre identifiant</strong> (le SIRET) <strong>ou votre adresse "
                "e-mail</strong>. L'adresse du chef d'établissement inscrite dans « Mon profil » "
                "convient aussi.</p>"
                "<p>Vous recevez un e-mail contenant un lien : il ne sert qu'une fois et expire "
                "au bout d'une journée. Il ouvre une page où vous choisissez un nouveau mot de "
                "passe :</p><ul>"
                "<li>8 caractères au moins ;</li>"
                "<li>des majuscules, des minuscules, des chiffres et des caractères spéciaux "
                "(*, -, !…) ;</li>"
                "<li>différent de l'ancien.</li></ul>"
                "<p>Par sécurité, la page ne dit jamais si un compte existe : si aucun e-mail "
                "n'arrive, vérifiez l'identifiant ou l'adresse saisis, puis vos courriers "
                "indésirables.</p>",
            ),
        ],
    ),
    (
        "Profil",
        [
            (
                "La personne en charge du site TMS Pros a quitté l'établissement et personne ne "
                "connaît le mot de passe",
                "<p>Tout dépend de ce que sait encore le chef d'établissement :</p><ul>"
                "<li><strong>Il connaît le mot de passe</strong> : il se connecte et remplace "
                "l'adresse e-mail (dans « Mon compte » et dans « Mon profil »). Chaque personne "
                "a son propre compte : ne partagez pas le mot de passe de l'établissement ; les "
                "représentants du personnel sont invités depuis « Mon profil ».</li>"
                "<li><strong>Il ne connaît pas le mot de passe</strong> : suivez la procédure "
                "« J'ai oublié mon mot de passe » en indiquant son adresse e-mail, celle de "
                "« Mon profil » : c'est lui qui recevra le lien pour choisir un nouveau mot de "
                "passe.</li>"
                "<li><strong>Son adresse et celle de la personne partie ont changé</strong> : "
                "écrivez à " + CAISSE + ". Elle inscrira la nouvelle adresse sur le profil de "
                "l'établissement ; il ne restera qu'à suivre la procédure « J'ai oublié mon mot "
                "de passe ».</li></ul>",
            ),
            (
                "Pourquoi le bouton « Poursuivre mon parcours » est-il grisé ?",
                "<p>Le parcours s'ouvre quand « Mon profil » est complet. Ouvrez « Mon profil », "
                "remplissez chaque champ marqué d'un astérisque, puis cliquez sur « Valider mon "
                "profil » en bas de page.</p>",
            ),
        ],
    ),
    (
        "Parcours",
        [
            (
                "Faut-il attendre la validation d'une étape pour passer à la suivante ?",
                "<p>Non : vous pouvez renseigner les étapes dans l'ordre qui vous convient. "
                "Quand toutes les questions d'une étape ont une réponse, votre préventeur en est "
                "prévenu par e-mail ; il valide l'étape ou reprend contact avec vous.</p>"
                "<p>Avant de quitter une page, cliquez sur « Enregistrer » en bas de page : "
                "sinon vos réponses sont perdues.</p>",
            ),
        ],
    ),
    (
        "Documents",
        [
            (
                "Comment déposer un document ?",
                "<p>Dans la question qui le demande, cliquez sur « Parcourir », choisissez le "
                "fichier sur votre poste, puis « Ouvrir ». Cliquez ensuite sur « Enregistrer » "
                "en bas de la page : c'est à ce moment que le document est transmis.</p>"
                "<p>Tous vos documents sont ensuite rassemblés dans « Mes pièces jointes ». "
                "Formats acceptés : PDF, Word, Excel, PowerPoint, OpenDocument, CSV, texte, "
                "JPEG et PNG.</p>",
            ),
        ],
    ),
    (
        "Téléchargements",
        [
            (
                "Je n'arrive pas à télécharger ou à déposer un document",
                "<p>Les règles de sécurité de votre réseau ou de votre navigateur peuvent "
                "bloquer un téléchargement, parfois sans message d'erreur. Si votre entreprise a "
                "un service informatique, demandez-lui d'autoriser le site TMS Pros. Sinon, "
                "autorisez-le dans les paramètres de votre navigateur :</p><ul>"
                "<li><strong>Google Chrome</strong> : Paramètres, « Confidentialité et "
                "sécurité », « Paramètres des sites », puis « Paramètres de contenu "
                "supplémentaires » et « Contenu non sécurisé » : dans « Autoriser », cliquez sur "
                "« Ajouter » et saisissez l'adresse du site TMS Pros.</li>"
                "<li><strong>Firefox</strong> : Paramètres, « Vie privée et sécurité » : "
                "choisissez la protection « Standard » ; vous pouvez aussi, sur la même page, "
                "cliquer sur « Gérer les permissions », saisir l'adresse du site, puis "
                "« Autoriser » et « Enregistrer les modifications ».</li>"
                "<li><strong>Microsoft Edge</strong> : Paramètres, « Cookies et autorisations "
                "de site », « Téléchargements automatiques » : laissez activé « Me demander "
                "lorsqu'un site essaie de télécharger », puis dans « Autoriser », cliquez sur "
                "« Ajouter », saisissez l'adresse du site et confirmez par « Ajouter ».</li>"
                "</ul>",
            ),
        ],
    ),
]


def load(apps, schema_editor):
    HelpTheme = apps.get_model("news", "HelpTheme")
    HelpQuestion = apps.get_model("news", "HelpQuestion")
    if HelpTheme.objects.exists():
        return
    for theme_order, (title, questions) in enumerate(HELP, start=1):
        theme = HelpTheme.objects.create(title=title, order=theme_order * 10)
        for order, (question, answer) in enumerate(questions, start=1):
            HelpQuestion.objects.create(
                theme=theme, question=question, answer=answer, order=order * 10
            )


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
