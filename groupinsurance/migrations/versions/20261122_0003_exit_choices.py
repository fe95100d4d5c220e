"""exit choices: what a person chose for a contract after leaving the employer (art. 15.1)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exit_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('registered', 'superseded', 'processed')", name=op.f('ck_exit_choices_status')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_exit_choices_contract_id_contracts')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_exit_choices_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exit_choices')),
    sa.UniqueConstraint('reference', name=op.f('uq_exit_choices_reference'))
    )
    with op.batch_alter_table('exit_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exit_choices_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exit_choices_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exit_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exit_choices_person_id'))
        batch_op.drop_index(batch_op.f('ix_exit_choices_contract_id'))
    op.drop_table('exit_choices')
