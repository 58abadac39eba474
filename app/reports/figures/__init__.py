"""The figures of DOMAIN.md, computed from the records in this one package and nowhere else.

One module per family of figures; every screen, export and API answer takes them from here.
"""
