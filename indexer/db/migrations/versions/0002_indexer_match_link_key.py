"""indexer: index match_links by listing (source_id, location_key) for the resolver's per-batch lookups.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_match_links_listing", "match_links", ["location_key", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_match_links_listing", table_name="match_links")
