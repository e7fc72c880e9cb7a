from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/telecharger/", views.download, name="download"),
    path("supprimer/", views.delete, name="delete"),
    path("modeles/<int:pk>/telecharger/", views.download_template, name="template"),
]
