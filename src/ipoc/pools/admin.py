from django.contrib import admin

from ipoc.pools import models


@admin.register(models.Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ("name", "administrator", "status", "admin_fee_percent", "allocation_method")
    list_filter = ("status",)
    search_fields = ("name", "domain")


@admin.register(models.PoolPatent)
class PoolPatentAdmin(admin.ModelAdmin):
    list_display = ("patent", "pool", "licensor", "family", "status", "listed_on")
    list_filter = ("status",)
    raw_id_fields = ("patent",)


@admin.register(models.Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("licensee", "pool", "programme", "status", "signed_on")
    list_filter = ("status",)


@admin.register(models.Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("agreement", "period", "status", "submitted_at")


@admin.register(models.Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("report", "total", "back_royalties", "is_current", "paid_on")


@admin.register(models.Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ("pool", "year", "method", "collected", "fee", "distributable", "is_current")
