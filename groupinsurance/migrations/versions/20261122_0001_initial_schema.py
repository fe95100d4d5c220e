"""initial schema: persons, employers (organisers), contracts, outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:19:25.248508
"""
from alembic import op
import sqlalchemy as sa
from groupinsurance.money import Money

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_number', sa.String(length=10), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers')),
    sa.UniqueConstraint('enterprise_number', name=op.f('uq_employers_enterprise_number'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("language IN ('nl', 'fr')", name=op.f('ck_outbox_language')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_sent_at'), ['sent_at'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_number', sa.String(length=11), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('business_email', sa.String(length=254), nullable=True),
    sa.Column('private_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('nl', 'fr')", name=op.f('ck_persons_language')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('national_number', name=op.f('uq_persons_national_number'))
    )
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_number', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('plan_type', sa.String(length=16), nullable=False),
    sa.Column('annual_premium', Money(), nullable=False),
    sa.Column('reserves', Money(), nullable=False),
    sa.Column('affiliation_date', sa.Date(), nullable=True),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('exit_notice_date', sa.Date(), nullable=True),
    sa.Column('termination_date', sa.Date(), nullable=True),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('A', 'C', 'P')", name=op.f('ck_contracts_kind')),
    sa.CheckConstraint("plan_type IN ('salaried', 'self_employed')", name=op.f('ck_contracts_plan_type')),
    sa.CheckConstraint('annual_premium >= 0', name=op.f('ck_contracts_annual_premium')),
    sa.CheckConstraint('reserves >= 0', name=op.f('ck_contracts_reserves')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_contracts_employer_id_employers')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_contracts_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('contract_number', name=op.f('uq_contracts_contract_number'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_person_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_employer_id'))

    op.drop_table('contracts')
    op.drop_table('persons')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_sent_at'))

    op.drop_table('outbox')
    op.drop_table('employers')
