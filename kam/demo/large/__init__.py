"""``seed_demo --large``: demo data shaped like a big organisation, loaded in bulk.

At scale 1: 4 national heads over 8 regional heads over 40 team managers over 400 KAMs; 10,000
accounts (6,000 key accounts, 15 per KAM) with their numbers, listings, financials and scores;
about 100,000 stakeholders with their DMU roles and our coverage; 300,000 touchpoints; a plan for
every key account in the current period with 120,000 objectives and actions; ten CSAT campaigns
over five years with 500,000 invitations and their answers. ``scale`` shrinks every count (the
hierarchy keeps at least two teams), so tests run the same code at a few hundred rows.

Rows are generated in Python from one seeded ``random.Random`` (the same data every run) and
written with ``kam.bulk`` (COPY on PostgreSQL): no per-row queries, no signals, no history rows.
Derived figures (qualification, matrix position, basket penetration) come from accounts.services'
own functions on the generated values (``kam.demo.qualification``), and are checked again at the
end in ``refresh_summaries``, from the rows as stored, before the health is computed.

The steps, in order, each in its module: ``people`` (the organisation), ``accounts``, ``dmu``
(stakeholders and touchpoints), ``plans``, ``surveys``; ``state`` holds what they share, ``run``
runs them. The word lists are in ``kam.demo.data``.
"""

from kam.demo.large.run import LargeDemo, seed_large
from kam.demo.large.state import CRM_PREFIX, KEY_ACCOUNTS_PER_KAM, Shape, apportion

__all__ = ["CRM_PREFIX", "KEY_ACCOUNTS_PER_KAM", "LargeDemo", "Shape", "apportion", "seed_large"]
