from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("activer/<uidb36>/<token>/", views.activate, name="account_activate"),
    path("email/", views.email, name="account_email"),
    # The second factor of staff accounts (TOTP and recovery codes).
    path("2fa/", include("allauth.mfa.urls")),
    path("", include("allauth.account.urls")),
]
