from django.urls import path

from . import views

app_name = "profiles"
urlpatterns = [
    path("mon-profil/", views.profile, name="profile"),
    path(
        "mon-profil/representants/inviter/",
        views.invite_representative,
        name="invite_representative",
    ),
    path(
        "mon-profil/representants/invitations/<int:pk>/renvoyer/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "mon-profil/representants/invitations/<int:pk>/retirer/",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path(
        "mon-profil/representants/<int:pk>/retirer/",
        views.withdraw_representative,
        name="withdraw_representative",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("etablissement/", views.choose_establishment, name="choose"),
]
