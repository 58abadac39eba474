"""Users, roles, login and the administrator's user screens."""
