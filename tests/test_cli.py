"""The `ketnoi` console command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ketnoi.cli import main
from ketnoi.geo.models import Village
from ketnoi.orgs.models import User


def test_help_lists_every_operation():
    result = subprocess.run([sys.executable, "-m", "ketnoi.cli", "--help"], capture_output=True, text=True, check=True)
    for command in (
        "migrate",
        "load-reference",
        "demo",
        "serve",
        "worker",
        "createuser",
        "import-villages",
        "import-classification",
        "stats",
        "rotate-keys",
        "import-boundaries",
    ):
        assert command in result.stdout


def test_stats_json_has_the_documented_keys(db, capsys):
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert list(stats) == [
        "provinces",
        "communes",
        "legacy_provinces",
        "legacy_districts",
        "legacy_communes",
        "crosswalk_links",
        "villages",
        "ethnic_groups",
        "languages",
        "agencies",
        "users",
        "programmes",
        "tasks",
        "indicators",
        "reports",
    ]
    assert stats["programmes"] >= 1 and stats["tasks"] >= 20 and stats["indicators"] >= 5 and stats["reports"] >= 3
    assert stats["provinces"] == 34 and stats["communes"] == 3321 and stats["users"] >= 13


def test_createuser_with_a_scoped_role(db, capsys):
    code = main(
        [
            "createuser",
            "xa.moi",
            "--password",
            "mat-khau-dai-123",
            "--role",
            "commune_officer",
            "--unit",
            "03037",
            "--agency",
            "UBNDX-03037",
        ]
    )
    assert code == 0
    user = User.objects.get(username="xa.moi")
    assert user.check_password("mat-khau-dai-123") and user.scope_for("villages.change").commune_ids
    assert main(["createuser", "xa.moi", "--password", "mat-khau-dai-123"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_import_villages_command_refuses_bad_files(db, tmp_path, capsys):
    good = tmp_path / "thon.csv"
    good.write_text("commune_code,name,kind\n00721,Thôn Lũng Táo,thôn\n", encoding="utf-8")
    assert main(["import-villages", str(good)]) == 0
    assert Village.objects.filter(name="Thôn Lũng Táo").exists()
    bad = tmp_path / "sai.csv"
    bad.write_text("commune_code,name\n00721,Thôn Một\n12345,Thôn Hai\n", encoding="utf-8")
    assert main(["import-villages", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "sai.csv, row 3, field commune_code" in err and "nothing was written" in err
    assert not Village.objects.filter(name="Thôn Một").exists()


def test_import_classification_command(db, tmp_path, capsys):
    path = tmp_path / "861.csv"
    path.write_text("commune_code,area\n03040,III\n", encoding="utf-8")
    assert main(["import-classification", str(path), "--period", "2021-2025"]) == 0
    assert main(["import-classification", str(path), "--period", "1999"]) == 1
    assert "unknown period" in capsys.readouterr().err


@pytest.mark.parametrize(
    "profile_env",
    [
        {
            "KETNOI_PROFILE": "production",
            "ALLOWED_HOSTS": "ketnoi.example.vn",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-with-entropy-1234567890",
            "KETNOI_FIELD_KEYS": "eiskC2LzqxAcudcSYHlHv0TQxZYW9IcdH_zhfsaERfc=",  # else ketnoi.crypto.W001
        }
    ],
)
def test_production_profile_passes_check_deploy(tmp_path, profile_env):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG",)}
    env.update(profile_env, KETNOI_VAR_DIR=str(tmp_path), KETNOI_TESTING="0")
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "-m", "ketnoi.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_generated_once_into_var(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["KETNOI_VAR_DIR"] = str(tmp_path)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django,os;os.environ['DJANGO_SETTINGS_MODULE']='ketnoi.settings';django.setup();{code}",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    second = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django,os;os.environ['DJANGO_SETTINGS_MODULE']='ketnoi.settings';django.setup();{code}",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
