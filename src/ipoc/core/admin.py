from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ipoc.core.models import ApiToken, AuditEntry, Job, ObjectAssignment, Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "office_level", "region_code", "credit_code", "is_sme", "source")
    list_filter = ("kind", "office_level", "is_sme")
    search_fields = ("name", "credit_code")


@admin.register(User)
class IpocUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (("IPOC", {"fields": ("display_name", "role", "organization", "phone")}),)
    raw_id_fields = ("organization",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "via", "action", "content_type", "object_repr")
    list_filter = ("action", "via", "content_type")
    search_fields = ("actor_name", "object_repr", "object_id")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(ObjectAssignment)
admin.site.register(Job)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``ipoc token create`` or on the user's token page; the admin only revokes."""

    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")

    def has_add_permission(self, request):
        return False
admin.site.site_header = "IPOC 产业知识产权运营中心平台 · 管理后台"
