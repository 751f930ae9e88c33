from django.contrib import admin

from ipoc.centers.models import Center, CenterDecision, CenterEvidence


class DecisionInline(admin.TabularInline):
    model = CenterDecision
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "from_status", "to_status", "reason", "document_ref", "document", "corrects",
                       "decided_by_name", "decided_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "status", "industry", "managing_office", "branch_flag")
    list_filter = ("level", "status", "host_type")
    search_fields = ("name", "industry", "host_organization__name")
    raw_id_fields = ("organization", "host_organization", "managing_office", "created_by")
    readonly_fields = ("status",)
    inlines = [DecisionInline]


@admin.register(CenterDecision)
class CenterDecisionAdmin(admin.ModelAdmin):
    """Decisions are immutable: read-only here; corrections go through the service."""

    list_display = ("center", "kind", "from_status", "to_status", "document_ref", "decided_by_name", "decided_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CenterEvidence)
class CenterEvidenceAdmin(admin.ModelAdmin):
    list_display = ("center", "kind", "description", "file", "uploaded_at")
    raw_id_fields = ("center", "uploaded_by")
