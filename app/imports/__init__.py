"""Spreadsheets in and out: the import screen and commands, and the export registry."""
