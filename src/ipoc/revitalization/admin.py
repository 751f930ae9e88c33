from django.contrib import admin

from ipoc.revitalization.models import (
    ServiceLink,
    StockDeal,
    StockImport,
    StockMove,
    StockPatent,
    StockPush,
    StockPushResponse,
    StockReviewer,
)


class MoveInline(admin.TabularInline):
    model = StockMove
    extra = 0
    readonly_fields = ("kind", "from_value", "to_value", "actor", "reason", "at")


class ResponseInline(admin.TabularInline):
    model = StockPushResponse
    extra = 0
    readonly_fields = ("response", "note", "actor", "at")


@admin.register(StockPatent)
class StockPatentAdmin(admin.ModelAdmin):
    list_display = ("title", "institution", "department", "stage", "library", "grade", "recommendation")
    list_filter = ("stage", "library", "recommendation")
    search_fields = ("title", "number_raw")
    raw_id_fields = ("institution", "patent", "created_by")
    inlines = [MoveInline]


@admin.register(StockPush)
class StockPushAdmin(admin.ModelAdmin):
    list_display = ("stock", "enterprise", "center", "response", "pushed_at")
    raw_id_fields = ("stock", "enterprise", "center", "pushed_by")
    inlines = [ResponseInline]


admin.site.register(StockDeal)
admin.site.register(StockImport)
admin.site.register(StockReviewer)
admin.site.register(ServiceLink)
