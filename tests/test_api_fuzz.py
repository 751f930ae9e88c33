"""Standing check (issue 14): a property-based fuzzer (Schemathesis) against /api/v1/openapi.json.

Every operation of the schema is called with generated parameters and bodies as three people — a platform
administrator, center staff and an enterprise user — through the Django WSGI application (no server),
over 1,000 requests in all. Every answer must be below 500, have a status the schema documents, and
match the schema (content type and body). The schema itself must document the error answers (400, 403,
404, 422; 401 where a token is needed).

Generation is derandomised, so a failure is reproducible; the failures of a run are listed together.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from ipoc.core import services as core_services

ROLES = ("admin", "center_a", "ent_a")
EXAMPLES = 3  # per operation and role
MIN_REQUESTS = 1000


@pytest.fixture
def fuzz_schema():
    import schemathesis

    from ipoc.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def test_the_schema_documents_the_error_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "Error" in schema["components"]["schemas"]
    missing = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            expected = {"400", "403", "404", "422"} | ({"401"} if operation.get("security") else set())
            documented = {str(s) for s in operation["responses"]}
            if not expected <= documented:
                missing.append(f"{method.upper()} {path}: {sorted(expected - documented)}")
    assert not missing, missing


def _restore(users) -> dict[str, dict]:
    """Fresh tokens, and the cast back as it was (a generated request may revoke tokens, change a role or
    deactivate a user); returns role → headers."""
    from ipoc.core.models import User

    headers = {}
    for role in ROLES:
        user = users[role]
        User.objects.filter(pk=user.pk).update(is_active=True, role=user.role, organization=user.organization)
        _token, plain = core_services.api_token_create(actor=None, user=User.objects.get(pk=user.pk), name="fuzz")
        headers[role] = {"Authorization": f"Bearer {plain}"}
    return headers


@pytest.mark.django_db(transaction=True)
def test_fuzz_the_api_as_three_roles(users, fuzz_schema):
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: dict[str, str] = {}
    calls = {"n": 0}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) > 100

    def fuzz(operation, headers: dict, label: str):
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case):
            calls["n"] += 1
            try:
                response = case.call(headers=headers)
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # collected (Schemathesis' FailureGroup is a
                # BaseExceptionGroup): the run goes on, all failures are reported together
                failures.setdefault(label, f"{type(exc).__name__}: {str(exc)[:600]}")

        run()

    for operation in operations:
        headers = _restore(users)
        for role in ROLES:
            fuzz(operation, headers[role], f"{operation.method.upper()} {operation.path} as {role}")
    report = "\n\n".join(f"{label}\n{text}" for label, text in sorted(failures.items()))
    assert not failures, f"{len(failures)} operations failed ({calls['n']} requests):\n\n{report}"
    assert calls["n"] >= MIN_REQUESTS, calls["n"]
