"""Run every benchmarks/bench_*.py module's main(): `python -m benchmarks.run`.

Benchmarks run against a throw-away SQLite database (var/bench.sqlite3),
migrated first, so they never touch the development data.
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmspros.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    sys.path.insert(0, str(BASE_DIR))
    (BASE_DIR / "var").mkdir(exist_ok=True)
    (BASE_DIR / "var" / "bench.sqlite3").unlink(missing_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def main(names: list[str] | None = None) -> None:
    setup_django()
    package = Path(__file__).resolve().parent
    modules = sorted(
        info.name for info in pkgutil.iter_modules([str(package)]) if info.name.startswith("bench_")
    )
    for name in modules:
        if names and name not in names:
            continue
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}")
        started = time.perf_counter()
        module.main()
        print(f"   ({time.perf_counter() - started:.1f} s en tout)")


if __name__ == "__main__":
    main(sys.argv[1:] or None)
