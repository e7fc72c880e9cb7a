from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from parcours import admin_views as parcours_admin_views
from profiles import views as profile_views
from tmspros import views as tmspros_views

admin.site.site_header = "TMS Pros – administration"
admin.site.site_title = "TMS Pros"
admin.site.index_title = "Suivi des établissements"
# The lists of the back office are wide (the four steps of each establishment).
admin.site.enable_nav_sidebar = False
# The admin has no login of its own: it goes through the portal's protected login.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", profile_views.home, name="home"),
    path("", include("profiles.urls")),
    path("compte/", include("accounts.urls")),
    path("parcours/", include("parcours.urls")),
    path("pieces-jointes/", include("parcours.documents_urls")),
    path("pieces-jointes/", include("attachments.urls")),
    path("", include("news.urls")),
    path("mentions-legales/", tmspros_views.legal_notice, name="legal_notice"),
    path("sante/", tmspros_views.health, name="health"),
    # The admin site, preceded by the back office's pages that are no model's
    # admin, in its namespace ("admin:statistics"): same access rules.
    path(
        "admin/",
        (parcours_admin_views.urlpatterns + admin.site.get_urls(), "admin", admin.site.name),
    ),
]

handler403 = "tmspros.views.permission_denied"
handler404 = "tmspros.views.page_not_found"
handler500 = "tmspros.views.server_error"
