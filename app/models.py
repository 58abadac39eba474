"""Imports every model so the metadata (and Alembic) knows every table."""

from app.api.idempotency import IdempotencyKey  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.auth.tokens import ApiToken  # noqa: F401
from app.care.models import CareVisit, Commitment, Problem, ProblemEscalation  # noqa: F401
from app.core.generation import DataGeneration  # noqa: F401
from app.core.history import HistoryEntry  # noqa: F401
from app.core.security_log import SecurityEvent  # noqa: F401
from app.events.models import PromotionEvent  # noqa: F401
from app.funds.models import FundsEntry  # noqa: F401
from app.imports.models import ImportBatch  # noqa: F401
from app.jobs.models import Job  # noqa: F401
from app.keyprojects.models import (  # noqa: F401
    KeyMonthlyReport,
    KeyProcedure,
    KeyProject,
    KeyScheduleLock,
    KeyTeamMember,
)
from app.leaders.models import Leader  # noqa: F401
from app.projects import contacts  # noqa: F401  (keeps follow_ups.is_latest on every flush)
from app.projects.models import FollowUp, Project, ProjectContact  # noqa: F401
from app.reports.models import MonthClose  # noqa: F401
from app.rollups.models import CohortFundsMonth, CohortMonth, FundsMonth  # noqa: F401
from app.targets.models import Target  # noqa: F401
from app.trips.models import Trip, TripLeader, TripProject  # noqa: F401
from app.units.models import Unit  # noqa: F401
