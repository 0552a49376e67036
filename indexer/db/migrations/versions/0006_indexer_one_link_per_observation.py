"""indexer: one provider link per (observation, mention) and kind of link. Two index runs that raced before
the run lock existed left an observation linked to two providers; the duplicates are removed first, keeping
the link that decided (the newest of each group). ``kdir index --repair`` then folds the providers left
without any link into the one their observations now belong to.

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None

_DUPLICATES = """
DELETE FROM match_links WHERE observation_id IS NOT NULL AND id NOT IN (
    SELECT max(id) FROM match_links WHERE observation_id IS NOT NULL
    GROUP BY observation_id, coalesce(mention_key, ''), pinned)
"""


def upgrade() -> None:
    op.execute(sa.text(_DUPLICATES))
    op.create_index("uq_match_links_decision", "match_links",
                    ["observation_id", sa.text("coalesce(mention_key, '')"), "pinned"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_match_links_decision", table_name="match_links")
