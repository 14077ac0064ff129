import importlib
import importlib.util
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Build the demo county (deterministic for a seed; idempotent). --scale multiplies it for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--quiet-logins", action="store_true")
        parser.add_argument(
            "--counties",
            type=int,
            default=1,
            help="how many counties (1: the demo county alone; 2…5: smaller neighbours in its city, each with its "
            "own office head and task force, and the province viewer)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed, scale = options["seed"], options["scale"]
        self.stdout.write(f"构建演示县（seed={seed}, scale={scale}）…")
        for name in settings.WUYE_DEMO_BUILDERS:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            module.build(seed=seed, scale=scale, out=self.stdout)
        from wuye.portal import demo_counties

        demo_counties.build(counties=options["counties"], seed=seed, out=self.stdout)
        if options["quiet_logins"]:
            return
        from wuye.accounts.demo import logins

        self.stdout.write("\n演示账号（仅用于本机演示）：")
        for login, password, who in [*logins(), *demo_counties.logins()]:
            self.stdout.write(f"  {login:<14} {password:<20} {who}")
