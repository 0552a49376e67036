"""verification evidence: each credential keeps the registry record its outcome rests on (NPI, type, primary
taxonomy, states, enumeration status, last update, candidates when ambiguous); providers keep the states their
verified practitioners are licensed in.

Revision ID: 0007
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("registry_npi", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("registry_type", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("registry_taxonomy_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("registry_taxonomy_desc", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("registry_states", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("registry_status", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("registry_updated", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("registry_candidates", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("licensed_states", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("licensed_states")
    with op.batch_alter_table("credentials") as batch:
        for name in ("registry_candidates", "registry_updated", "registry_status", "registry_states",
                     "registry_taxonomy_desc", "registry_taxonomy_code", "registry_type", "registry_npi"):
            batch.drop_column(name)
