"""Aftercare (安商): visits, commitments and the problems handed to units (问题交办)."""
