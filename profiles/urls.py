from django.urls import path

from . import views

app_name = "profiles"
urlpatterns = [
    path("mon-profil/", views.profile, name="profile"),
]
