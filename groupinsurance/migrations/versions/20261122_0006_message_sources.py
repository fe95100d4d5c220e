"""the source of each assistant answer in the transcript, for the console's dashboard

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.drop_column('source_id')
        batch_op.drop_column('source_kind')
