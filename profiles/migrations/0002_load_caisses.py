from django.db import migrations

# The 21 regional funds of the programme: code, display name, region.
CAISSES = [
    ("CRAMIF", "Cramif", "Île-de-France"),
    ("CARSAT_ALSACE_MOSELLE", "Carsat Alsace-Moselle", "Alsace-Moselle"),
    ("CARSAT_AQUITAINE", "Carsat Aquitaine", "Aquitaine"),
    ("CARSAT_AUVERGNE", "Carsat Auvergne", "Auvergne"),
    ("CARSAT_BFC", "Carsat Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté"),
    ("CARSAT_BRETAGNE", "Carsat Bretagne", "Bretagne"),
    ("CARSAT_CENTRE_VAL_DE_LOIRE", "Carsat Centre-Val de Loire", "Centre-Val de Loire"),
    ("CARSAT_CENTRE_OUEST", "Carsat Centre-Ouest", "Centre-Ouest"),
    ("CARSAT_HDF", "Carsat Hauts-de-France", "Hauts-de-France"),
    ("CARSAT_LR", "Carsat Languedoc-Roussillon", "Languedoc-Roussillon"),
    ("CARSAT_MP", "Carsat Midi-Pyrénées", "Midi-Pyrénées"),
    ("CARSAT_NORD_EST", "Carsat Nord-Est", "Nord-Est"),
    ("CARSAT_NORMANDIE", "Carsat Normandie", "Normandie"),
    ("CARSAT_PDL", "Carsat Pays de la Loire", "Pays de la Loire"),
    ("CARSAT_RA", "Carsat Rhône-Alpes", "Rhône-Alpes"),
    ("CARSAT_SUD_EST", "Carsat Sud-Est", "Sud-Est"),
    ("CGSS_GUADELOUPE", "CGSS de la Guadeloupe", "Guadeloupe"),
    ("CGSS_MARTINIQUE", "CGSS de la Martinique", "Martinique"),
    ("CGSS_GUYANE", "CGSS de la Guyane", "Guyane"),
    ("CGSS_REUNION", "CGSS de La Réunion", "La Réunion"),
    ("CSS_MAYOTTE", "CSS de Mayotte", "Mayotte"),
]

CONTACTS = {
    "CRAMIF": {
        "email": "infos.tmspros.cramif@assurance-maladie.fr",
        "phone": "3679",
        "address": "17/19 avenue de Flandre\n75019 Paris",
    },
    "CARSAT_HDF": {"email": "tmspros@carsat-nordpicardie.fr"},
}


def load(apps, schema_editor):
    Caisse = apps.get_model("profiles", "Caisse")
    for code, name, region in CAISSES:
        Caisse.objects.update_or_create(
            code=code, defaults={"name": name, "region": region, **CONTACTS.get(code, {})}
        )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
