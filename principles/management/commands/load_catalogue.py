from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from principles.services import CATALOGUE_PATH, CatalogueError, catalogue_load


class Command(BaseCommand):
    help = (
        "Load or refresh the principles catalogue (sets, principles, stages, levels)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=CATALOGUE_PATH)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            result = catalogue_load(path=path)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        created = ", ".join(f"{n} {k}" for k, n in result.created.items()) or "nothing"
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue version {result.version} loaded: created {created}; "
                f"{sum(result.updated.values())} rows checked or updated."
            )
        )
