from django.db.models import QuerySet

from principles.models import LifecycleStage, MaturityLevel, Principle, PrincipleSet


def principle_set_get(*, key: str) -> PrincipleSet:
    return PrincipleSet.objects.get(key=key)


def principles_for_set(*, key: str) -> QuerySet[Principle]:
    return Principle.objects.filter(principle_set__key=key).order_by("number")


def lifecycle_stages_with_artefacts() -> QuerySet[LifecycleStage]:
    return LifecycleStage.objects.prefetch_related("artefacts")


def maturity_levels() -> QuerySet[MaturityLevel]:
    return MaturityLevel.objects.all()
