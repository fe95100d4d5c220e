"""A column type for euro amounts: Decimal in Python, exact in every database.

PostgreSQL and most servers store NUMERIC exactly. SQLite has no decimal type and would keep a float,
so there the amount is stored as a whole number of cents instead.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Integer, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Euro amount with two decimals (precision 14: up to a thousand billion euro)."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        # str() first: Decimal(0.1) would carry the float's binary error into the rounding.
        amount = Decimal(str(value) if isinstance(value, float) else value)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)
