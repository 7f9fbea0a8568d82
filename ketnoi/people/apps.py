from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ketnoi.people"
    label = "people"
