from django.urls import path

from . import views

urlpatterns = [
    path("maps/", views.map_page, name="map"),
    path("maps/map.svg", views.map_svg, name="map-svg"),
    path("maps/values.csv", views.map_csv, name="map-csv"),
]
