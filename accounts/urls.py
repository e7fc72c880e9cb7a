from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("activer/<uidb36>/<token>/", views.activate, name="account_activate"),
    path("email/", views.email, name="account_email"),
    path("", include("allauth.account.urls")),
]
