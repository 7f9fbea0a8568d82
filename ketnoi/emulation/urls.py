from django.urls import path

from . import views

urlpatterns = [
    path("emulation/sheets/", views.sheet_list, name="emulation-sheet-list"),
    path("emulation/sheets/load-default/", views.sheet_load_default, name="emulation-sheet-load"),
    path("emulation/sheets/<int:pk>/", views.sheet_detail, name="emulation-sheet-detail"),
    path("emulation/sheets/<int:pk>/open/", views.scorecard_open, name="emulation-scorecard-open"),
    path("emulation/sheets/<int:pk>/ranking/", views.ranking, name="emulation-ranking"),
    path("emulation/scorecards/<int:pk>/", views.scorecard_detail, name="emulation-scorecard-detail"),
    path("emulation/scorecards/<int:pk>/recompute/", views.scorecard_recompute, name="emulation-scorecard-recompute"),
    path("emulation/scorecards/<int:pk>/lines/<int:line_pk>/", views.line_score, name="emulation-line-score"),
    path("emulation/scorecards/<int:pk>/adjust/", views.scorecard_adjust, name="emulation-scorecard-adjust"),
    path("emulation/scorecards/<int:pk>/propose/", views.proposal_create, name="emulation-proposal-create"),
    path("emulation/adjustments/<int:pk>/withdraw/", views.adjustment_withdraw, name="emulation-adjustment-withdraw"),
    path("emulation/proposals/", views.proposal_list, name="emulation-proposal-list"),
    path("emulation/proposals/<int:pk>/", views.proposal_detail, name="emulation-proposal-detail"),
]
