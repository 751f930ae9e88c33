from django.contrib import admin

from ipoc.deals.models import Deal, DealStageChange


class StageChangeInline(admin.TabularInline):
    model = DealStageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "actor", "reason", "at")


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("title", "deal_type", "center", "stage", "amount", "signed_date")
    list_filter = ("stage", "deal_type", "chain_scope")
    search_fields = ("title", "note")
    raw_id_fields = ("center", "sellers", "buyers", "patents", "demand", "event", "created_by")
    inlines = [StageChangeInline]
