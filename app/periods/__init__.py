"""Closed periods (月结): which months are closed, below every domain that writes dated records.

The month close itself (snapshot, issued files) lives in `app.reports.closing`, above the
domains; the domains only need to know whether a date falls in a closed month, so that a
change there states a reason (docs/domain.md, "Month close"). This package reads the
`month_closes` table directly and imports no domain and no report.
"""

from app.periods.closed import (
    closed_covering,
    closed_through,
    reason_required,
    reason_required_message,
)

__all__ = ["closed_covering", "closed_through", "reason_required", "reason_required_message"]
