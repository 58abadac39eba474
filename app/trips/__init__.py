"""Leaders' outbound trips (外出招商): who went where, and what it produced."""


def init_app(app) -> None:
    """The project page's 外出招商 tab and the to-do sections."""
    from app import todo
    from app.core import write_guard
    from app.core.panels import Panel
    from app.core.panels import register as register_panel
    from app.trips import access
    from app.trips import todo as trip_todo
    from app.trips.models import RELATIONS
    from app.trips.queries import trips_of_project

    register_panel(
        app,
        "project",
        Panel(
            key="trips",
            title="外出招商",
            template="trips/_project_panel.html",
            context=lambda project, user: {
                "trip_links": trips_of_project(project, user),
                "trip_relations": RELATIONS,
            },
            visible=lambda project, user: bool(trips_of_project(project, user)),
            order=40,
        ),
    )
    todo.register(app, trip_todo.PROVIDER)
    for table in ("trips", "trip_leaders", "trip_projects"):  # a leader records their own trips
        write_guard.allow("leader", table, access.leader_writes)
