from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.review_index, name="review-index"),
    path("reviews/<str:code>/", views.review_list, name="review-list"),
    path("reviews/<str:code>/download/", views.review_download, name="review-download"),
    path("reviews/<str:code>/issue/", views.review_issue, name="review-issue"),
]
