from django.contrib import admin

from ipoc.patents.models import ImportBatch, ImportRejection, Patent, PatentClassification, PatentParty


class PartyInline(admin.TabularInline):
    model = PatentParty
    extra = 0
    raw_id_fields = ("organization",)


class ClassificationInline(admin.TabularInline):
    model = PatentClassification
    extra = 0


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "patent_type", "legal_status", "application_date", "ipc_main", "source")
    list_filter = ("patent_type", "legal_status", "jurisdiction", "source")
    search_fields = ("key", "publication_number", "application_number", "title")
    inlines = [PartyInline, ClassificationInline]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "format", "status", "new_count", "updated_count", "unchanged_count",
                    "rejected_count", "created_at")


admin.site.register(ImportRejection)
