"""Fuzzing: schemathesis against the app's own OpenAPI document, as every role.

Every operation, a few generated requests each (bounded: `max_examples` small, no deadline),
sent with the token of each role: no 5xx, no undocumented status code, no content type or body
that breaks the spec. Driven with Hypothesis directly: schemathesis' pytest plugin does not run
under pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ["bureau", "unit", "leader", "admin", "auditor"]
EXAMPLES = 2  # per operation; with five roles, ten requests an operation


@pytest.fixture
def tokens(people, make_token, make):
    """A token of every role, and a project of each unit to find."""
    make.project(people["unit_a"], name="城关项目", investor="城关公司")
    make.project(people["unit_b"], name="北山项目", investor="北山公司")
    return {role: make_token(people[role]) for role in ROLES}


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, tokens: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for token in tokens.values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_no_operation_answers_outside_its_spec(app, tokens):
    operations = _operations(app)
    assert len(operations) > 20
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, tokens)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect them all
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:1500])
    assert not failures, "\n\n".join(failures)
