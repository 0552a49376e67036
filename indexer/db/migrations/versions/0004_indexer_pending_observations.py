"""indexer: a partial index of the observations still to index, so an incremental run finds its few pending
rows without scanning the whole table.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_PENDING = "indexed_hash IS NULL OR indexed_hash <> content_hash"


def upgrade() -> None:
    op.create_index("ix_observations_pending", "observations", ["id"], sqlite_where=sa.text(_PENDING),
                    postgresql_where=sa.text(_PENDING))


def downgrade() -> None:
    op.drop_index("ix_observations_pending", table_name="observations")
