"""Funds received (到位资金): the ledger, its verification, evidence files and corrections."""
