from pathlib import Path

import pytest
from django.core.management import call_command

from principles.choices import PrincipleKey, PrincipleSetKey
from principles.models import (
    LifecycleStage,
    MaturityLevel,
    Principle,
    PrincipleSet,
    StageArtefact,
)
from principles.services import (
    CATALOGUE_PATH,
    CatalogueError,
    catalogue_load,
    catalogue_read,
)

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [
    PrincipleSet,
    Principle,
    LifecycleStage,
    StageArtefact,
    MaturityLevel,
]


def _edit_principle_sets(old: str, new: str) -> str:
    """The catalogue text with the first `old` inside the principle sets replaced."""
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    sets_start = text.index("[[principle_sets]]")
    edited = text[sets_start:].replace(old, new, 1)
    assert edited != text[sets_start:]
    return text[:sets_start] + edited


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOGUE_MODELS}


@pytest.mark.parametrize("set_key", PrincipleSetKey.values)
def test_every_principle_set_has_the_twelve_principles_with_guidance(
    set_key: str,
) -> None:
    principles = list(Principle.objects.filter(principle_set__key=set_key))
    assert [principle.number for principle in principles] == list(range(1, 13))
    assert [principle.key for principle in principles] == PrincipleKey.values
    for principle in principles:
        assert principle.intent.strip()
        assert principle.relevance.strip()
        assert principle.implementation.strip()
        assert 3 <= len(principle.prompts) <= 5
        assert all(prompt.strip().endswith("?") for prompt in principle.prompts)


def test_university_business_set_uses_its_own_names() -> None:
    names = dict(
        Principle.objects.filter(principle_set__key="ubc").values_list("key", "name")
    )
    assert names["business_objectives"] == "UBC objectives"
    assert names["measurement_optimization"] == (
        "Relationship assessment and optimization"
    )


def test_audience_sets_carry_their_own_guidance_not_the_general_text() -> None:
    general = dict(
        Principle.objects.filter(principle_set__key="general").values_list(
            "key", "implementation"
        )
    )
    for set_key in ("large_msme", "msme", "ubc"):
        own = dict(
            Principle.objects.filter(principle_set__key=set_key).values_list(
                "key", "implementation"
            )
        )
        assert all(own[key] != general[key] for key in general), set_key


def test_lifecycle_has_eight_stages_in_three_phases_each_with_artefacts() -> None:
    stages = list(LifecycleStage.objects.prefetch_related("artefacts"))
    assert [stage.number for stage in stages] == list(range(1, 9))
    assert [stage.phase for stage in stages] == ["strategic"] * 3 + [
        "engagement"
    ] * 3 + ["management"] * 2
    assert all(stage.artefacts.count() >= 3 for stage in stages)
    assert stages[4].name == "Working together"


def test_maturity_scale_has_five_named_levels_with_rag() -> None:
    levels = list(MaturityLevel.objects.all())
    assert [level.level for level in levels] == [1, 2, 3, 4, 5]
    assert [level.score for level in levels] == [0, 25, 50, 75, 100]
    assert [level.rag for level in levels] == ["red", "red", "amber", "green", "green"]
    assert all(level.descriptor for level in levels)


def test_reloading_the_catalogue_changes_nothing() -> None:
    before = _counts()
    result = catalogue_load()
    assert result.created == {}
    assert _counts() == before


def test_load_catalogue_command_reports_and_is_idempotent(capsys) -> None:
    before = _counts()
    call_command("load_catalogue")
    assert "created nothing" in capsys.readouterr().out
    assert _counts() == before


def test_editing_the_file_and_reloading_updates_in_place(tmp_path: Path) -> None:
    edited = _edit_principle_sets(
        'name = "Exit strategy"', 'name = "Exit and transition"'
    )
    edited_path = tmp_path / "catalogue.toml"
    edited_path.write_text(edited, encoding="utf-8")
    before = _counts()

    catalogue_load(path=edited_path)

    assert _counts() == before
    renamed = Principle.objects.get(principle_set__key="general", key="exit_strategy")
    assert renamed.name == "Exit and transition"


def test_a_broken_catalogue_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    broken = _edit_principle_sets('key = "exit_strategy"', 'key = "exit"')
    broken_path = tmp_path / "catalogue.toml"
    broken_path.write_text(broken, encoding="utf-8")
    names_before = list(Principle.objects.values_list("name", flat=True))

    with pytest.raises(CatalogueError, match="12 canonical keys"):
        catalogue_load(path=broken_path)

    assert list(Principle.objects.values_list("name", flat=True)) == names_before


def test_unreadable_catalogue_gives_a_clear_error(tmp_path: Path) -> None:
    bad_path = tmp_path / "catalogue.toml"
    bad_path.write_text("version = = 1", encoding="utf-8")
    with pytest.raises(CatalogueError, match="Cannot read"):
        catalogue_read(bad_path)
