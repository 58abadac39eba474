"""The auditor's screens: the history of changes and the security log, read-only."""
