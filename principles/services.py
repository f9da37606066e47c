"""Loading the principles catalogue (principles/data/catalogue.toml) into the DB."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction

from principles.choices import PrincipleKey, PrincipleSetKey

CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.toml"


class CatalogueError(ValueError):
    """The catalogue file is not what the app needs; nothing was written."""


@dataclass
class CatalogueLoadResult:
    version: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


def catalogue_read(path: Path = CATALOGUE_PATH) -> dict[str, Any]:
    """Parse and validate the catalogue file, raising CatalogueError on any defect."""
    try:
        with path.open("rb") as catalogue_file:
            catalogue = tomllib.load(catalogue_file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"Cannot read {path}: {error}") from error
    _catalogue_validate(catalogue)
    return catalogue


def _catalogue_validate(catalogue: dict[str, Any]) -> None:
    problems: list[str] = []
    if not isinstance(catalogue.get("version"), int):
        problems.append("'version' must be an integer")
    levels = [item.get("level") for item in catalogue.get("maturity_levels", [])]
    if levels != [1, 2, 3, 4, 5]:
        problems.append(f"maturity_levels must be levels 1 to 5 in order, got {levels}")
    stages = catalogue.get("lifecycle_stages", [])
    if [stage.get("number") for stage in stages] != list(range(1, 9)):
        problems.append("lifecycle_stages must be the 8 stages numbered 1 to 8")
    for stage in stages:
        if not stage.get("artefacts"):
            problems.append(f"stage {stage.get('key')} lists no artefacts")
    canonical_keys = list(PrincipleKey.values)
    set_keys = [item.get("key") for item in catalogue.get("principle_sets", [])]
    unknown_sets = set(set_keys) - set(PrincipleSetKey.values)
    if unknown_sets:
        problems.append(f"unknown principle sets: {sorted(unknown_sets)}")
    for principle_set in catalogue.get("principle_sets", []):
        principles = principle_set.get("principles", [])
        label = principle_set.get("key")
        if [p.get("key") for p in principles] != canonical_keys:
            problems.append(f"set {label}: principles must be the 12 canonical keys")
        if [p.get("number") for p in principles] != list(range(1, 13)):
            problems.append(f"set {label}: principles must be numbered 1 to 12")
        for principle in principles:
            for text_field in ("name", "intent", "relevance", "implementation"):
                if not str(principle.get(text_field, "")).strip():
                    problems.append(
                        f"set {label}, {principle.get('key')}: empty {text_field}"
                    )
            if not 3 <= len(principle.get("prompts", [])) <= 5:
                problems.append(
                    f"set {label}, {principle.get('key')}: needs 3 to 5 prompts"
                )
    if problems:
        raise CatalogueError("; ".join(problems))


@transaction.atomic
def catalogue_load(
    *, path: Path = CATALOGUE_PATH, apps=global_apps
) -> CatalogueLoadResult:
    """Create or update every catalogue row from the file; a rerun changes nothing.

    `apps` lets the data migration pass its historical app registry.
    """
    catalogue = catalogue_read(path)
    principle_set_model = apps.get_model("principles", "PrincipleSet")
    principle_model = apps.get_model("principles", "Principle")
    stage_model = apps.get_model("principles", "LifecycleStage")
    artefact_model = apps.get_model("principles", "StageArtefact")
    level_model = apps.get_model("principles", "MaturityLevel")
    result = CatalogueLoadResult(version=catalogue["version"])

    for item in catalogue["maturity_levels"]:
        _, created = level_model.objects.update_or_create(
            level=item["level"],
            defaults={
                "name": item["name"],
                "score": item["score"],
                "descriptor": item["descriptor"].strip(),
            },
        )
        result.count("maturity levels", created)

    for item in catalogue["lifecycle_stages"]:
        stage, created = stage_model.objects.update_or_create(
            number=item["number"],
            defaults={
                "key": item["key"],
                "name": item["name"],
                "phase": item["phase"],
                "summary": item.get("summary", "").strip(),
            },
        )
        result.count("lifecycle stages", created)
        for order, artefact in enumerate(item["artefacts"], start=1):
            _, created = artefact_model.objects.update_or_create(
                stage=stage,
                key=artefact["key"],
                defaults={
                    "name": artefact["name"],
                    "description": artefact.get("description", "").strip(),
                    "order": order,
                },
            )
            result.count("stage artefacts", created)

    for item in catalogue["principle_sets"]:
        principle_set, created = principle_set_model.objects.update_or_create(
            key=item["key"],
            defaults={
                "name": item["name"],
                "standard": item["standard"],
                "audience": item.get("audience", "").strip(),
                "description": item.get("description", "").strip(),
                "catalogue_version": catalogue["version"],
            },
        )
        result.count("principle sets", created)
        for principle in item["principles"]:
            _, created = principle_model.objects.update_or_create(
                principle_set=principle_set,
                key=principle["key"],
                defaults={
                    "number": principle["number"],
                    "name": principle["name"],
                    "intent": principle["intent"].strip(),
                    "relevance": principle["relevance"].strip(),
                    "implementation": principle["implementation"].strip(),
                    "prompts": [prompt.strip() for prompt in principle["prompts"]],
                },
            )
            result.count("principles", created)
    return result
