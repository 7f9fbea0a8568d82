from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "ketnoi.geo"
    label = "geo"
