"""Unit targets (目标任务): set by the bureau, claimed by the unit, tracked against the records."""


def init_app(app) -> None:
    """The to-do sections (the routes of set_views join the targets blueprint on import)."""
    from app import todo
    from app.targets import set_views  # noqa: F401
    from app.targets import todo as target_todo

    todo.register(app, target_todo.PROVIDER)
