"""Reports: dashboards, figures and exports. Reads the domains; no domain writes here."""
