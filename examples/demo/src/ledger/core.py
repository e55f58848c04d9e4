# Chunk: docs/chunks/ledger_core
"""Accounts and postings."""

from dataclasses import dataclass, field


@dataclass
class Account:
    name: str
    balance: int = 0


@dataclass
class Ledger:
    accounts: dict[str, Account] = field(default_factory=dict)

    def post(self, debit: str, credit: str, amount: int) -> None:
        self.accounts.setdefault(debit, Account(debit)).balance -= amount
        self.accounts.setdefault(credit, Account(credit)).balance += amount


# Chunk: docs/chunks/currency_rounding
def round_half_even(cents: float) -> int:
    return round(cents)
