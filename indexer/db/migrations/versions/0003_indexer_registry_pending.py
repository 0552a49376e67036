"""indexer: registry observations that matched no provider yet, indexed by the keys that could match them later
(NPI, ZIP, person/organisation match name), so they are retried cheaply when new providers appear.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_pending",
        sa.Column("observation_id", sa.Integer(), sa.ForeignKey("observations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("npi", sa.String(10), nullable=True),
        sa.Column("postal_code", sa.String(10), nullable=True),
        sa.Column("name_key", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_registry_pending_npi", "registry_pending", ["npi"])
    op.create_index("ix_registry_pending_postal_code", "registry_pending", ["postal_code"])
    op.create_index("ix_registry_pending_name_key", "registry_pending", ["name_key"])


def downgrade() -> None:
    op.drop_table("registry_pending")
