from django.urls import path

from . import views

urlpatterns = [
    path("press/", views.order_list, name="press-orders"),
    path("press/import/", views.delivery_import, name="press-import"),
    path("press/coverage/", views.coverage, name="press-coverage"),
]
