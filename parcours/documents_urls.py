"""'Mes pièces jointes': the establishment's documents, by step and question."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.documents, name="index"),
    path("supprimer/", views.delete_documents, name="delete"),
]
