from django.contrib import admin

from ipoc.valuation.models import IndicatorTreeVersion, PatentValuation, ValuationRun


@admin.register(IndicatorTreeVersion)
class IndicatorTreeVersionAdmin(admin.ModelAdmin):
    list_display = ("pk", "label", "digest", "is_active", "created_by", "created_at")
    readonly_fields = ("digest", "created_at")


@admin.register(ValuationRun)
class ValuationRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "scenario", "tree_version", "as_of", "patent_count", "scored_count", "seconds", "finished",
                    "created_at")
    list_filter = ("scenario", "finished")
    raw_id_fields = ("tree_version", "job", "created_by")


@admin.register(PatentValuation)
class PatentValuationAdmin(admin.ModelAdmin):
    list_display = ("patent", "run", "score", "grade", "confidence", "recommendation")
    list_filter = ("grade", "recommendation")
    raw_id_fields = ("run", "patent")
