"""profile fields the person set themselves: kept by the nightly import until the export agrees

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_set_by_person_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('private_email_set_by_person_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('private_email_set_by_person_at')
        batch_op.drop_column('language_set_by_person_at')
