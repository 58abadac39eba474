"""Flask extensions, created unbound and initialised in create_app()."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base
from app.core.session import Session


def _autogenerate_includes(name, type_, parent_names) -> bool:
    """Autogenerate leaves alone the search indexes a hand-written migration makes: SQLite's
    FTS5 tables and PostgreSQL's expression index (app/projects/search.py)."""
    return not (name or "").startswith(("projects_search", "ix_projects_search_"))


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True, include_name=_autogenerate_includes)
login_manager = LoginManager()
csrf = CSRFProtect()
