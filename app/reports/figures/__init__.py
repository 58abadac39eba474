"""The figures (docs/domain.md, "Figures"), computed from the records here and nowhere else.

One module per family of figures; every screen, export and API answer takes them from here.
"""
