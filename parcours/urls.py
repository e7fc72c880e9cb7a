from django.urls import path

from . import views

app_name = "parcours"
urlpatterns = [
    path("", views.index, name="index"),
    path("etape/<int:number>/", views.step, name="step"),
    path(
        "etape/<int:number>/historique/<int:block>/<slug:voice>/",
        views.comment_history,
        name="comment_history",
    ),
    path("export/", views.export_xlsx, name="export"),
]
