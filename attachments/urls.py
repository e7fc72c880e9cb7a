from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("<int:pk>/telecharger/", views.download, name="download"),
    path("modeles/<int:pk>/telecharger/", views.download_template, name="template"),
]
