from django.contrib import admin

from principles.models import (
    LifecycleStage,
    MaturityLevel,
    Principle,
    PrincipleSet,
    StageArtefact,
)


class PrincipleInline(admin.StackedInline):
    model = Principle
    extra = 0


@admin.register(PrincipleSet)
class PrincipleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "standard", "catalogue_version"]
    inlines = [PrincipleInline]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "key", "principle_set"]
    list_filter = ["principle_set"]
    search_fields = ["name", "intent", "implementation"]


class StageArtefactInline(admin.TabularInline):
    model = StageArtefact
    extra = 0


@admin.register(LifecycleStage)
class LifecycleStageAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "phase"]
    inlines = [StageArtefactInline]


@admin.register(StageArtefact)
class StageArtefactAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "order"]
    list_filter = ["stage"]


@admin.register(MaturityLevel)
class MaturityLevelAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "score"]
