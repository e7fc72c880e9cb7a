from django.urls import path

from . import views

app_name = "news"
urlpatterns = [
    path("actualites/", views.news_list, name="list"),
    path("actualites/<int:pk>/", views.news_detail, name="detail"),
    path("actualites/<int:pk>/image/", views.news_image, name="image"),
    path("actualites/<int:pk>/document/", views.news_document, name="document"),
    path("documentation/", views.documentation, name="documentation"),
    path("documentation/<int:pk>/", views.document_download, name="document_download"),
    path("besoin-d-aide/", views.help_page, name="help"),
]
