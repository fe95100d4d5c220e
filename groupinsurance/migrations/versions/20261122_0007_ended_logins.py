"""logins ended by a logout, so that a copied session cookie stops working

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ended_logins',
        sa.Column('login_id', sa.String(length=64), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('forget_after', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('login_id', name=op.f('pk_ended_logins')),
    )
    with op.batch_alter_table('ended_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_logins_forget_after'), ['forget_after'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ended_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_logins_forget_after'))
    op.drop_table('ended_logins')
