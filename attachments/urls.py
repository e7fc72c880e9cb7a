from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("", views.index, name="index"),
]
