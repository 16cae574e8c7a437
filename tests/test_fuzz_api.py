"""The whole JSON API fuzzed from its own OpenAPI document (Schemathesis, property-based):
every operation, as the office and as a unit, with a fixed seed and a few examples each;
no answer is a 5xx and every answer matches the schema."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tracker import create_app

EXAMPLES = 15  # per operation and role: bounded, so both databases stay within CI's time


@pytest.fixture
def fuzz_world(make_world):
    return make_world(tokens=True)


def _schema():
    """The API's OpenAPI document as the app serves it (read once, from an app of its own:
    serving it touches no database); the cases then run against each test's app."""
    app = create_app({"TESTING": True, "database": {"url": "sqlite://"},
                      "scheduler": {"enabled": False}})
    loaded = schemathesis.openapi.from_dict(app.test_client().get("/api/v1/openapi.json").get_json())
    # Valid inputs and invalid ones (wrong types, missing fields, out-of-range values).
    loaded.config.generation.update(modes=list(schemathesis.GenerationMode))
    return loaded


schema = _schema()


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail_or_answer_off_schema(app, case, fuzz_world):
    for role in ("office", "lead"):
        case.call_and_validate(app=app, headers=fuzz_world.headers[role],
                               checks=[not_a_server_error, response_schema_conformance])
