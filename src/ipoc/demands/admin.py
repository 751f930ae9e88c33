from django.contrib import admin

from ipoc.demands.models import Demand, DemandStatusChange


class StatusChangeInline(admin.TabularInline):
    model = DemandStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "actor", "reason", "at")


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organization", "center", "status", "industry", "created_at")
    list_filter = ("status", "kind", "industry")
    search_fields = ("title", "description")
    raw_id_fields = ("organization", "center", "created_by")
    inlines = [StatusChangeInline]
