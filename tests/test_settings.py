"""Where settings come from, which backend a request goes to, and %sms login."""
import pytest

from smsnb.ipython import settings
from smsnb.sandbox import triggers
from tests.conftest import LocalServer, html_of, sms, text_of

MOBILE = triggers.ORDINARY_MOBILE


def test_precedence_config_over_env_over_pyproject_over_default():
    resolved = settings.resolve({"region": None}, {}, {"region": "au"})
    assert (resolved.region, resolved.sources["region"]) == ("au", "pyproject.toml")
    resolved = settings.resolve({"region": None}, {"SINCH_REGION": "eu"}, {"region": "au"})
    assert (resolved.region, resolved.sources["region"]) == ("eu", "env SINCH_REGION")
    resolved = settings.resolve({"region": "br"}, {"SINCH_REGION": "eu"}, {"region": "au"})
    assert (resolved.region, resolved.sources["region"]) == ("br", "%config")
    assert settings.resolve({}, {}, {}).region == "us"


def test_secrets_in_pyproject_are_refused_with_a_message():
    resolved = settings.resolve({}, {}, {"api_token": "SENTINEL", "service_plan_id": "plan"})
    assert resolved.api_token is None and resolved.service_plan_id == "plan"
    assert any("secrets are refused there" in w for w in resolved.warnings)
    assert "SENTINEL" not in repr(resolved.warnings)


def test_did_you_mean_for_pyproject_and_env():
    resolved = settings.resolve({}, {"SINCH_REGOIN": "eu"}, {"regoin": "eu"})
    assert any("unknown setting 'regoin'. Did you mean 'region'?" in w for w in resolved.warnings)
    hint = "SINCH_REGOIN is not a setting smsnb reads. Did you mean 'SINCH_REGION'?"
    assert any(hint in w for w in resolved.warnings)


def test_bad_values_fall_back_with_a_warning():
    resolved = settings.resolve({"connect_timeout": 1e12}, {"SINCH_REGION": "mars"}, {"timeout": "soon"})
    assert resolved.region == "us" and resolved.timeout == 30.0 and resolved.connect_timeout == 5.0
    assert any("region 'mars'" in w for w in resolved.warnings)
    assert any("timeout" in w for w in resolved.warnings)


def test_config_traits_and_did_you_mean(ip):
    ip.run_line_magic("config", 'SmsMagic.region = "eu"')
    region_row = next(line for line in text_of(sms(ip, "config")).splitlines() if line.startswith("region"))
    assert region_row.split() == ["region", "eu", "%config"]
    with pytest.warns(UserWarning, match="Did you mean `region`"):  # traitlets' own hint
        ip.run_line_magic("config", 'SmsMagic.regoin = "eu"')


def test_pyproject_in_working_directory(ip, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.smsnb]\nregion = "ca"\ndefault_country = "SE"\napi_token = "x"\n')
    ip.run_line_magic("unload_ext", "smsnb")
    ip.run_line_magic("load_ext", "smsnb")
    config = text_of(sms(ip, "config"))
    assert "ca" in config and "pyproject.toml" in config and "secrets are refused there" in config
    result = sms(ip, f"{MOBILE} -m hi")  # warnings travel with the first outcome, once
    assert any("secrets are refused" in h for h in result.hints)
    assert not any("secrets are refused" in h for h in sms(ip, f"{MOBILE} -m hi").hints)


def test_env_credentials_switch_to_live_and_config_masks_secrets(ip, clean_env):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "plan-1")
    clean_env.setenv("SINCH_API_TOKEN", "SENTINEL-ENV-TOKEN")
    config = text_of(sms(ip, "config"))
    assert "Requests go to LIVE: Sinch, region us, service plan plan-1" in config
    assert "SENTINEL" not in config and "******** (set)" in config and "env SINCH_API_TOKEN" in config


@pytest.fixture
def fake_sinch():
    """A stand-in for Sinch on 127.0.0.1: it answers 201, without the sandbox's mark."""
    server = LocalServer(lambda *request: (201, {"id": "01FAKE", "to": ["46701234567"], "body": "hi"}))
    yield server
    server.close()


def test_live_card_says_live_and_sandbox_flag_overrides(ip, clean_env, fake_sinch):
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "plan-1")
    clean_env.setenv("SINCH_API_TOKEN", "live-token")
    clean_env.setenv("SMSNB_BASE_URL", fake_sinch.url)
    live = sms(ip, f"{MOBILE} -m hi")
    assert live.backend == "LIVE" and text_of(live).startswith("LIVE · 201")
    path, headers, _ = fake_sinch.requests[-1]
    assert path == "/xms/v1/plan-1/batches" and headers["Authorization"] == "Bearer live-token"
    forced = sms(ip, f"{MOBILE} -m hi --sandbox")
    assert forced.backend == "SANDBOX" and len(fake_sinch.requests) == 1


def test_live_without_credentials_sends_nothing(ip):
    message = sms(ip, f"{MOBILE} -m hi --live")
    assert "No live credentials" in text_of(message) and "Nothing was sent" in text_of(message)
    assert sms(ip, "history").value is None


def test_no_credentials_uses_the_sandbox(ip):
    assert sms(ip, f"{MOBILE} -m hi").backend == "SANDBOX"


def test_login_keeps_the_token_in_memory_only(ip, monkeypatch, fake_sinch):
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "SENTINEL-LOGIN")
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "plan-9")
    ip.run_line_magic("config", f'SmsMagic.base_url = "{fake_sinch.url}"')
    message = sms(ip, "login")
    assert prompts == ["Sinch service plan id: ", "Sinch API token: "]
    assert "Logged in for service plan plan-9" in text_of(message) and "SENTINEL" not in text_of(message)
    result = sms(ip, f"{MOBILE} -m hi")
    assert result.backend == "LIVE" and fake_sinch.requests[-1][1]["Authorization"] == "Bearer SENTINEL-LOGIN"
    assert "%sms login" in text_of(sms(ip, "config"))


def test_login_cancelled_changes_nothing(ip, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: (_ for _ in ()).throw(KeyboardInterrupt))
    message = sms(ip, "login --service-plan-id p")
    assert "Login cancelled" in text_of(message)
    assert sms(ip, f"{MOBILE} -m hi").backend == "SANDBOX"


def test_login_with_project_keys(ip, monkeypatch, sandbox):
    monkeypatch.setattr("getpass.getpass", lambda prompt: sandbox.credentials.key_secret)
    ip.run_line_magic("config", f'SmsMagic.base_url = "{sandbox.url}"')
    credentials = sandbox.credentials
    message = sms(ip, f"login --project {credentials.project_id} --key-id {credentials.key_id}")
    assert "Logged in for project smsnb-project" in text_of(message)
    result = sms(ip, f"{MOBILE} -m hi")
    assert result.ok and result.backend == "SANDBOX"  # the answer carries the sandbox's mark
    assert any(e["path"] == "/oauth2/token" for e in sandbox.journal.entries())


@pytest.mark.parametrize("pasted", ["tok-1\r\n", "tok-1\n", "  tok-1\t", "\u00a0tok-1 "])
def test_secrets_from_the_environment_are_stripped_like_every_setting(pasted):
    from smsnb.sinch.secret import Secret

    resolved = settings.resolve({}, {"SINCH_API_TOKEN": pasted, "SINCH_KEY_SECRET": pasted}, {})
    assert resolved.api_token == Secret("tok-1") and resolved.key_secret.reveal() == "tok-1"


def test_a_blank_secret_is_no_secret():
    from smsnb.sinch.secret import Secret

    resolved = settings.resolve({}, {"SINCH_SERVICE_PLAN_ID": "p", "SINCH_API_TOKEN": " \r\n"}, {},
                                login={"key_secret": Secret("\n")})
    assert resolved.api_token is None and resolved.key_secret is None and not resolved.has_credentials


def test_the_magic_has_one_trait_per_declared_setting():
    from smsnb.ipython.magic import SmsMagic

    assert sorted(SmsMagic.class_trait_names(config=True)) == sorted(s.name for s in settings.SETTINGS)
    assert settings.DEFAULTS == {s.name: s.default for s in settings.SETTINGS}
    traits = SmsMagic.class_traits(config=True)
    assert "connect, send and the whole answer" in traits["timeout"].help
    assert "SINCH_REGION" in traits["region"].help


def test_help_lists_every_setting_and_variable_from_the_declaration(ip):
    doc = ip.find_line_magic("sms").__doc__
    for setting in settings.SETTINGS + settings.SECRETS:
        line = next(line for line in doc.splitlines() if line.strip().startswith(setting.name + " "))
        assert setting.help in line and (setting.env or "") in line, line
    assert "the most this request may take in all" in doc  # --timeout: not only the read


def test_config_shows_a_table_and_its_notes_as_html(ip, clean_env):
    clean_env.setenv("SINCH_REGION", "mars")
    page = html_of(sms(ip, "config"))
    assert page.startswith('<table class="smsnb-table"') and ">region</td>" in page
    assert "<div>Warning: region &#39;mars&#39; is not one of" in page
