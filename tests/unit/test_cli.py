from datetime import UTC, datetime

import pytest

from services.cli import main
from shared.actors import Role
from shared.auth import actor_from_token
from shared.settings import Settings


def test_token_mint_prints_a_token_the_services_accept(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["token", "mint", "--role", "legal_office", "--org", "legal-360700", "--region", "360700"]
    )
    assert code == 0
    token = capsys.readouterr().out.strip()
    actor = actor_from_token(token, Settings(), datetime.now(UTC))
    assert (actor.role, actor.organisation, actor.region_code) == (
        Role.legal_office,
        "legal-360700",
        "360700",
    )


def test_unknown_role_is_refused_by_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token", "mint", "--role", "mayor", "--org", "x", "--region", "360000"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_schemas_check_passes_on_the_committed_folder() -> None:
    assert main(["schemas", "export", "--check"]) == 0
