"""payout claims: claims, their contracts and documents (the digital payout module)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:41:07.964823
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('claimant_number', sa.String(length=11), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pension_start_date', sa.Date(), nullable=True),
    sa.Column('payout_form', sa.String(length=16), nullable=True),
    sa.Column('reversion', sa.Boolean(), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('deceased_name', sa.String(length=200), nullable=True),
    sa.Column('date_of_death', sa.Date(), nullable=True),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("payout_form IS NULL OR payout_form IN ('capital', 'annuity')", name=op.f('ck_claims_payout_form')),
    sa.CheckConstraint("reason IN ('retirement', 'death')", name=op.f('ck_claims_reason')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'withdrawn', 'in_progress', 'paid')", name=op.f('ck_claims_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('reference', name=op.f('uq_claims_reference'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_claimant_number'), ['claimant_number'], unique=False)

    op.create_table('claim_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_documents_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_claim_documents_stored_name'))
    )
    with op.batch_alter_table('claim_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_documents_claim_id'), ['claim_id'], unique=False)

    op.create_table('claim_contracts',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_contracts_claim_id_claims')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_claim_contracts_contract_id_contracts')),
    sa.PrimaryKeyConstraint('claim_id', 'contract_id', name=op.f('pk_claim_contracts'))
    )
    with op.batch_alter_table('claim_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_contracts_contract_id'), ['contract_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claim_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_contracts_contract_id'))

    op.drop_table('claim_contracts')
    with op.batch_alter_table('claim_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_documents_claim_id'))

    op.drop_table('claim_documents')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_claimant_number'))

    op.drop_table('claims')
