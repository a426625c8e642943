from django.urls import path

from accounts import tender_views, views

# The account page itself (accounts:detail) reads every floor above this one; kam/urls.py adds it
# to this namespace from kam.portfolio.
app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("export/<str:fmt>/", views.account_export, name="export"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/archive/", views.account_archive, name="archive"),
    path("<int:pk>/restore/", views.account_restore, name="restore"),
    path("<int:pk>/reassign/", views.account_reassign, name="reassign"),
    path("<int:pk>/qualification/", views.account_qualification, name="qualification"),
    path("<int:pk>/listings/", views.account_listings, name="listings"),
    path("<int:pk>/financials/", views.account_financials, name="financials"),
    path("<int:pk>/team/", views.account_team, name="team"),
    path("<int:pk>/history/", views.account_history, name="history"),
    path("<int:pk>/tenders/new/", tender_views.tender_create, name="tender-create"),
    path("<int:pk>/tenders/<int:tender_pk>/", tender_views.tender_edit, name="tender-edit"),
    path("<int:pk>/tenders/<int:tender_pk>/delete/", tender_views.tender_delete, name="tender-delete"),
    path("<int:pk>/contracts/new/", tender_views.contract_create, name="contract-create"),
    path("<int:pk>/contracts/<int:contract_pk>/", tender_views.contract_edit, name="contract-edit"),
    path("<int:pk>/contracts/<int:contract_pk>/delete/", tender_views.contract_delete, name="contract-delete"),
]
