"""Default qualification criteria, shared by the data migration and the demo seeder."""

from django.utils.translation import gettext_noop as _

# (code, label, guidance, weight, dimension, types)
DEFAULT_CRITERIA = [
    (
        "dmu_exists",
        _("A decision-making unit decides, not one prescriber"),
        _("5: formal committee or DMU decides; 1: each clinician decides alone."),
        3,
        "attractiveness",
        ("hospital", "pharmacy", "wholesaler"),
    ),
    (
        "strategic_importance",
        _("Strategic importance to us"),
        _("Reference site, opinion leadership, access to a network or region."),
        3,
        "attractiveness",
        ("hospital", "pharmacy", "wholesaler"),
    ),
    (
        "revenue_potential",
        _("Revenue potential"),
        _("The business this account could bring over three years, ours or not yet."),
        3,
        "attractiveness",
        ("hospital", "pharmacy", "wholesaler"),
    ),
    (
        "openness",
        _("Openness to partnership"),
        _("Willingness to work on joint projects and share data."),
        2,
        "attractiveness",
        ("hospital", "pharmacy", "wholesaler"),
    ),
    (
        "professional_management",
        _("Professionally managed"),
        _("5: managed by a board with budgets and pathways; 1: traditionally managed."),
        2,
        "attractiveness",
        ("hospital",),
    ),
    (
        "current_position",
        _("Our current position"),
        _("Share, listings and relationship today: 5 strong, 1 weak."),
        2,
        "position",
        ("hospital", "pharmacy", "wholesaler"),
    ),
]
