"""Flask extensions, created unbound and initialised in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base
from app.core.session import Session


def _autogenerate_includes(name, type_, parent_names) -> bool:
    """Autogenerate leaves alone the indexes a hand-written migration makes for one database:
    SQLite's FTS5 tables and PostgreSQL's expression indexes (app/projects/search.py, and
    `latest_owner` in app/projects/queries.py)."""
    return not (name or "").startswith(
        ("projects_search", "ix_projects_search_", "ix_follow_ups_latest_owner")
    )


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True, include_name=_autogenerate_includes)
login_manager = LoginManager()
csrf = CSRFProtect()
