from django.contrib import admin

from ipoc.analytics.models import LandscapeReport, MatrixTerm, PatentSet


@admin.register(PatentSet)
class PatentSetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "size", "evaluated_at", "organization")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(MatrixTerm)
class MatrixTermAdmin(admin.ModelAdmin):
    list_display = ("label", "axis", "patent_set", "reviewed")


@admin.register(LandscapeReport)
class LandscapeReportAdmin(admin.ModelAdmin):
    list_display = ("patent_set", "format", "organization", "created_at")
