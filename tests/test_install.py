"""The package installs the way Python tools do: a wheel built from the sdist, installed
into a fresh venv with nothing of this checkout on its path, runs the app and carries
every file the app reads at run time."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


def runtime_files() -> set[str]:
    """Files of the package that are not Python code (styles now, catalogues later), as git tracks them."""
    listed = run("git", "ls-files", "expert_tui", cwd=ROOT).stdout.split()
    if not listed:  # not a git checkout (an unpacked sdist): the folder itself says
        listed = [str(p.relative_to(ROOT)) for p in (ROOT / "expert_tui").rglob("*") if p.is_file()]
    return {name for name in listed if not name.endswith(".py") and "__pycache__" not in name}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it (python -m build's default), so the wheel proves the sdist whole."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


def test_sdist_and_wheel_carry_every_runtime_file(dist: Path) -> None:
    wanted = runtime_files()
    assert any(name.endswith(".tcss") for name in wanted)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert wanted <= in_wheel, sorted(wanted - in_wheel)
    assert wanted <= in_sdist, sorted(wanted - in_sdist)


def test_wheel_in_a_fresh_venv_runs_the_app(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Nothing of this checkout is importable from there: the installed copy must stand alone.
    where = run(venv / "bin" / "python", "-c", "import expert_tui; print(expert_tui.__file__)", cwd=tmp_path, env=env)
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout
    version = run(venv / "bin" / "expert-tui", "--version", cwd=tmp_path, env=env)
    assert version.stdout.startswith("expert-tui ")
    assert run(venv / "bin" / "python", "-m", "expert_tui", "--version", cwd=tmp_path, env=env).stdout == version.stdout
    listed = run(venv / "bin" / "expert-tui", "--demo", "list", cwd=tmp_path, env=env)
    assert "T-1042" in listed.stdout and "Anna Nowak" in listed.stdout
