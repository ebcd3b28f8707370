"""The `sinch_sandbox` pytest plugin, run by pytest's own `pytester` as a user's test suite would:
the README's examples as they are written, a fresh sandbox per test, and its settings."""
import re
from pathlib import Path

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_examples() -> list[str]:
    section = README.read_text().split("## Testing your own Sinch code", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_examples_pass_in_a_plain_pytest_run(pytester):
    """Raw requests, the SDK with a service plan and with OAuth2: each as the README shows it, in a
    separate pytest process that finds the fixture through the installed entry point alone."""
    examples = readme_examples()
    assert len(examples) == 2
    pytester.makepyfile(**{f"test_example_{n}": source for n, source in enumerate(examples)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_each_test_gets_a_fresh_sandbox_stopped_after_it(pytester):
    pytester.makepyfile("""
        import requests

        seen = []

        def test_first(sinch_sandbox):
            c = sinch_sandbox.credentials
            answer = requests.post(f"{c.base_url}/xms/v1/{c.service_plan_id}/batches",
                                   headers={"Authorization": f"Bearer {c.api_token}"},
                                   json={"to": ["+46701234567"], "body": "hi"}, timeout=5)
            assert answer.status_code == 201 and len(sinch_sandbox.journal) == 1
            seen.append(sinch_sandbox)

        def test_second(sinch_sandbox):
            [first] = seen
            assert not first.running and sinch_sandbox is not first
            assert len(sinch_sandbox.journal) == 0
            c = sinch_sandbox.credentials
            listed = requests.get(f"{c.base_url}/xms/v1/{c.service_plan_id}/batches",
                                  headers={"Authorization": f"Bearer {c.api_token}"}, timeout=5)
            assert listed.json()["batches"] == []
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_marker_and_the_settings_fixture_set_the_sandbox(pytester):
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def sinch_sandbox_settings():
            return {"service_plan_id": "team-plan", "api_token": "team-token"}
    """)
    pytester.makepyfile("""
        import pytest

        def test_settings(sinch_sandbox):
            assert (sinch_sandbox.service_plan_id, sinch_sandbox.api_token) == ("team-plan", "team-token")

        @pytest.mark.sinch_sandbox(api_token="my-token")
        def test_marker(sinch_sandbox):
            assert (sinch_sandbox.service_plan_id, sinch_sandbox.api_token) == ("team-plan", "my-token")
    """)
    pytester.runpytest("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=2)


def test_a_wrong_setting_fails_that_test_only_with_the_sandbox_s_own_error(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sinch_sandbox(no_such_setting=1)
        def test_wrong(sinch_sandbox):
            pass

        def test_right(sinch_sandbox):
            assert sinch_sandbox.running
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*TypeError*no_such_setting*"])
